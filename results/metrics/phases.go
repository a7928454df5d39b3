package metrics

import (
	"math"
	"time"

	"github.com/ratecheck/ratecheck/results"
)

// Phase is what the Recorder needs to know of one planned phase. It is the
// metrics package's own type, so that metrics does not import scenarios.
type Phase struct {
	Name     string
	Kind     string        // "under", "at", "over", "pause", "recovery"
	Rate     float64       // requests per second asked for; 0 for a pause
	Planned  int64         // requests the plan will send
	Duration time.Duration // planned length
	Start    time.Duration // planned offset from the start of the run
	FirstSeq uint64        // sequence number of the phase's first request
	Burst    int           // requests sent together; 0 or 1 for one by one
}

// idealSend is when the plan meant to send o: the phase's origin (when it
// began sending) plus one interval 1/Rate per request before it in the phase.
// ok is false when the phase has no schedule (a pause) or o is not one of its
// requests.
func (p Phase) idealSend(origin time.Time, o results.Observation) (time.Time, bool) {
	if p.Rate <= 0 || math.IsInf(p.Rate, 1) || o.Seq < p.FirstSeq {
		return time.Time{}, false
	}
	k := o.Seq - p.FirstSeq
	if p.Burst > 1 {
		k -= k % uint64(p.Burst) // a group is due at once, Burst/Rate apart
	}
	return origin.Add(time.Duration(float64(k) / p.Rate * float64(time.Second))), true
}

// phaseCounts are one phase's counts so far.
type phaseCounts struct {
	requests, admitted, limited, other int64
	first, last                        time.Time // earliest and latest send time
	lag                                *latency  // send time minus the ideal schedule; nil until the first request
	lat                                *latency  // latencies of the answered requests; nil until the first answer
}

// addLag records how late o was sent against the phase's schedule, which
// begins at origin. Sending early (by timer granularity) counts as on time.
func (c *phaseCounts) addLag(p Phase, origin time.Time, o results.Observation) {
	ideal, ok := p.idealSend(origin, o)
	if !ok {
		return
	}
	if c.lag == nil {
		l := newLatency()
		c.lag = &l
	}
	c.lag.record(max(o.Sent.Sub(ideal), 0))
}

// add counts o. Observations arrive in completion order, not send order, so the
// first and last send times are a running min and max.
func (c *phaseCounts) add(o results.Observation) {
	if c.requests == 0 || o.Sent.Before(c.first) {
		c.first = o.Sent
	}
	if c.requests == 0 || o.Sent.After(c.last) {
		c.last = o.Sent
	}
	c.requests++
	if o.Status != 0 { // answered: a transport error has no latency to speak of
		if c.lat == nil {
			l := newLatency()
			c.lat = &l
		}
		c.lat.record(o.Latency)
	}
	switch {
	case o.Admitted():
		c.admitted++
	case o.Limited():
		c.limited++
	default:
		c.other++
	}
}

// achievedRate is the rate at which the phase's requests were sent, in requests
// per second:
//
//	rate = (n − 1) / (last send − first send)
//
// n sends at a steady rate r span n−1 intervals of 1/r, so this recovers r
// exactly, from the sends alone: a phase cut short by Ctrl-C, started late, or
// still running reports the rate it actually ran at, where n ÷ planned duration
// would not. A phase that sends in bursts of b spans ⌈n/b⌉ − 1 intervals of
// b/r, so the requests before its last burst take the place of n − 1. It is 0
// when there is no interval to measure (fewer than 2 sends, or one burst).
func (c *phaseCounts) achievedRate(burst int) float64 {
	span := c.last.Sub(c.first)
	before := c.requests - 1 // requests sent before the last one (or last burst)
	if b := int64(burst); b > 1 {
		before = (c.requests+b-1)/b*b - b
	}
	if before < 1 || span <= 0 {
		return 0
	}
	return float64(before) / span.Seconds()
}

// snapshot is the phase's PhaseSnapshot.
func (c *phaseCounts) snapshot(p Phase) PhaseSnapshot {
	return PhaseSnapshot{
		Name:          p.Name,
		Kind:          p.Kind,
		RequestedRate: p.Rate,
		AchievedRate:  c.achievedRate(p.Burst),
		Planned:       p.Planned,
		Requests:      c.requests,
		Admitted:      c.admitted,
		Limited:       c.limited,
		Other:         c.other,
		Duration:      p.Duration,
		SendLag:       c.lagSummary(),
		Latency:       c.latencySummary(),
	}
}

func (c *phaseCounts) latencySummary() LatencySummary {
	if c.lat == nil {
		return LatencySummary{}
	}
	return c.lat.summary()
}

func (c *phaseCounts) lagSummary() LatencySummary {
	if c.lag == nil {
		return LatencySummary{}
	}
	return c.lag.summary()
}
