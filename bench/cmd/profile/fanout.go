package main

import (
	"math"
	"slices"
	"time"

	"github.com/ratecheck/ratecheck/attack"
	"github.com/ratecheck/ratecheck/conformance"
	"github.com/ratecheck/ratecheck/internal/runner"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/results/metrics"
	"github.com/ratecheck/ratecheck/scenarios"
)

// fanout mirrors internal/runner's fan-out loop: one goroutine writes,
// records and judges every observation, takes a snapshot every 100 ms (the
// CLI's progress) and flushes the writer every 250 ms.
type fanout struct {
	plan     *scenarios.Plan
	w        *results.Writer
	rec      *metrics.Recorder
	atk      *attack.Attack // for each phase's launch time, as the runner hands it to rec
	launched []bool         // phases rec has been given the launch of
	judge    *conformance.Judge
	writeErr error
	first    time.Time // earliest send time seen
	drain    bool      // only drain the stream: no writing, metrics or checks
	sent     []int64   // send time by sequence number, Unix ns (paced phases)
}

func newFanout(p *scenarios.Plan, w *results.Writer, atk *attack.Attack) *fanout {
	phases := make([]metrics.Phase, len(p.Phases))
	for i, ph := range p.Phases {
		phases[i] = metrics.Phase{Name: ph.Name, Kind: string(ph.Kind), Rate: ph.Rate, Planned: ph.Requests, Duration: ph.Duration, Start: ph.Start, FirstSeq: p.FirstSeq(i)}
	}
	return &fanout{plan: p, w: w, rec: metrics.NewRecorder(phases, atk.Started()), atk: atk,
		launched: make([]bool, len(p.Phases)), judge: runner.NewJudge(p)}
}

func (f *fanout) loop(obs <-chan results.Observation) {
	progress := time.NewTicker(100 * time.Millisecond)
	defer progress.Stop()
	flush := time.NewTicker(250 * time.Millisecond)
	defer flush.Stop()
	for {
		select {
		case o, ok := <-obs:
			if !ok {
				f.flush()
				return
			}
			f.observe(o)
		case now := <-progress.C:
			f.rec.Snapshot(now)
		case <-flush.C:
			f.flush()
		}
	}
}

func (f *fanout) observe(o results.Observation) {
	if f.first.IsZero() || o.Sent.Before(f.first) {
		f.first = o.Sent
	}
	if o.Seq < uint64(len(f.sent)) {
		f.sent[o.Seq] = o.Sent.UnixNano()
	}
	if f.drain {
		return
	}
	if f.writeErr == nil {
		f.writeErr = f.w.Append(o)
	}
	if ph := o.Phase; 0 <= ph && ph < len(f.launched) && !f.launched[ph] {
		f.launched[ph] = true
		f.rec.StartPhase(ph, f.atk.PhaseStarted(ph))
	}
	f.rec.Record(o)
	f.judge.Observe(o)
}

// deviationP99 is the 99th percentile of the offsets sent_i − (sent_0 + i/rate)
// minus their median, over the requests of a paced single-phase run: the
// send-time deviation bench/cmd/compare measures for both tools.
func (f *fanout) deviationP99(rate float64) time.Duration {
	if len(f.sent) == 0 || rate <= 0 {
		return 0
	}
	lags := make([]time.Duration, 0, len(f.sent))
	for i, at := range f.sent {
		if at != 0 {
			lags = append(lags, time.Duration(at-f.sent[0])-time.Duration(float64(i)/rate*float64(time.Second)))
		}
	}
	slices.Sort(lags)
	return lags[min(len(lags)-1, int(math.Ceil(0.99*float64(len(lags))))-1)] - lags[(len(lags)-1)/2]
}

func (f *fanout) flush() {
	if f.drain {
		return
	}
	if f.writeErr == nil {
		f.writeErr = f.w.Flush()
	}
}

func (f *fanout) verdict() conformance.Verdict { return f.judge.Verdict() }
