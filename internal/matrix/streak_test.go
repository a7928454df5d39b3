package matrix

import (
	"iter"
	"slices"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance"
	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// boxedBucket is a token bucket of 20, refilled 20/s, with the reference
// target's slow-recovery fault: a 2 s penalty box from the rejection that trips
// it. It is a simulation, with no network and no clock.
type boxedBucket struct {
	tokens     float64
	last       time.Duration
	blockUntil time.Duration
	boxed      bool
}

// decide admits or rejects one request arriving at t (since the run's start).
func (b *boxedBucket) decide(t time.Duration) bool {
	b.tokens = min(20, b.tokens+20*(t-b.last).Seconds())
	b.last = t
	switch {
	case b.boxed && t < b.blockUntil:
		return false
	case b.tokens >= 1:
		b.tokens--
		return true
	case !b.boxed:
		b.boxed, b.blockUntil = true, t+2*time.Second
	}
	return false
}

// simulate sends plan p at the boxed bucket. Each burst is decided at its due
// time, in send order or, when reverse, last-sent first (requests in flight
// together reach a server in any order). Requests of a burst are sent 20 µs
// apart and answered in 300 µs.
func simulate(p *plan.Plan, reverse bool) []results.Observation {
	origin := time.Unix(1_700_000_000, 0)
	b := &boxedBucket{tokens: 20}
	var out []results.Observation
	for i, ph := range p.Phases {
		if ph.Requests == 0 {
			continue
		}
		size := max(ph.Burst, 1)
		for k := 0; k < int(ph.Requests); k += size {
			due := ph.Start + ph.Due(uint64(k))
			group := make([]results.Observation, min(size, int(ph.Requests)-k))
			for j := range group {
				group[j] = results.Observation{Seq: p.FirstSeq(i) + uint64(k+j), Phase: i, Endpoint: ph.Endpoint,
					KeyID: ph.Key, Sent: origin.Add(due + time.Duration(j)*20*time.Microsecond), Latency: 300 * time.Microsecond}
			}
			order := make([]int, len(group))
			for j := range order {
				order[j] = j
			}
			if reverse {
				slices.Reverse(order)
			}
			for _, j := range order {
				group[j].Status = 429
				if b.decide(due) {
					group[j].Status = 200
				}
			}
			out = append(out, group...)
		}
	}
	return out
}

// TestBurstStreakReproduction guards, without a network, a conformance bug
// the matrix once listed as known: a token bucket that trips a 2 s penalty box
// recovers late, and must fail recovery.after-window, not limit.no-early-reject,
// whatever order the server decided each burst in. When it decides the tripping
// burst last-sent first, the admissions sent after the first rejections were
// decided before them; streaks (conformance/rejection_streaks.go) used to end the streak
// there and blame the box as early rejections.
func TestBurstStreakReproduction(t *testing.T) {
	t.Parallel()
	sc, err := contract{algorithm: scenarios.AlgoTokenBucket}.parse()
	if err != nil {
		t.Fatal(err)
	}
	p := plan.New(sc) // the box trips in the over-burst phase
	tests := []struct {
		name    string
		reverse bool
	}{
		{"server decides in send order", false},
		{"server decides each burst last-sent first", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs := simulate(p, tt.reverse)
			v := conformance.Check(p, iter.Seq[results.Observation](slices.Values(obs)))
			logChecks(t, v)
			early, rec := status(v, check.LimitNoEarlyReject), status(v, check.RecoveryAfterWindow)
			if early != check.Pass || rec != check.Fail {
				t.Errorf("Check(boxed bucket, reverse=%v): %s = %s, %s = %s; want pass, fail",
					tt.reverse, check.LimitNoEarlyReject, early, check.RecoveryAfterWindow, rec)
			}
		})
	}
}
