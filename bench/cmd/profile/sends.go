package main

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
)

// sends keeps when the requests of a run were sent: the earliest send, and
// the send time of each sequence number of a paced single-phase run.
type sends struct {
	first time.Time
	sent  []int64 // by sequence number, Unix ns; nil when the run is not paced
}

func newSends(p *plan.Plan, rate int) *sends {
	s := &sends{}
	if rate > 0 {
		s.sent = make([]int64, p.Phases[0].Requests)
	}
	return s
}

func (s *sends) add(o results.Observation) {
	if s.first.IsZero() || o.Sent.Before(s.first) {
		s.first = o.Sent
	}
	if o.Seq < uint64(len(s.sent)) {
		s.sent[o.Seq] = o.Sent.UnixNano()
	}
}

// sendTimes reads the send times back from the run directory dir.
func sendTimes(dir string, p *plan.Plan, rate int) (*sends, error) {
	run, err := results.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	s := newSends(p, rate)
	for o, err := range run.Observations() {
		if err != nil {
			return nil, fmt.Errorf("profile: read %s: %w", dir, err)
		}
		s.add(o)
	}
	return s, nil
}

// deviationP99 is the 99th percentile of the offsets sent_i − (sent_0 + i/rate)
// minus their median, over the requests of a paced single-phase run: the
// send-time deviation bench/cmd/compare measures for both tools.
func (s *sends) deviationP99(rate float64) time.Duration {
	if len(s.sent) == 0 || rate <= 0 {
		return 0
	}
	lags := make([]time.Duration, 0, len(s.sent))
	for i, at := range s.sent {
		if at != 0 {
			lags = append(lags, time.Duration(at-s.sent[0])-time.Duration(float64(i)/rate*float64(time.Second)))
		}
	}
	slices.Sort(lags)
	return lags[min(len(lags)-1, int(math.Ceil(0.99*float64(len(lags))))-1)] - lags[(len(lags)-1)/2]
}
