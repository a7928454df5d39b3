package plan

import (
	"math"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/scenarios"
)

// TestLeanLongWindow: the lean plan of a long window drives it past its
// limit in one over phase on a fresh limit, sent fast enough that a bucket
// refilled all along still rejects some of it, its requests far enough apart
// to be told apart, and probes recovery once the limit must have lifted.
func TestLeanLongWindow(t *testing.T) {
	for _, tt := range []struct {
		n      int64
		window time.Duration
		total  int64 // every request, the refusals of the lean plan included
		fresh  bool  // the over phase comes a window after every request before it
	}{
		{30, 15 * s, 1 + 34 + 3 + 2, true},
		{60, time.Minute, 1 + 64 + 3 + 2, true},
		{100, time.Minute, 1 + 106 + 3 + 2, true},      // 5 ms apart: 530 ms, not W/2N = 300 ms
		{3, 15 * s, 1 + 7 + 3 + 2, true},               // W/10, not W/2N
		{200, 3 * time.Minute, 1 + 212 + 3 + 2, false}, // waiting 2W leaves no time for recovery
		{1000, time.Hour, 1 + 1052 + 2, false},         // 20 s at most; recovery left out
	} {
		l := scenarios.Limit{Name: "l", Requests: tt.n, Window: tt.window, Algorithm: scenarios.AlgoAny}
		p := New(planScenario(l), Lean())
		name := l.Describe()
		if got := plannedTotal(p); got != tt.total {
			t.Errorf("%s: lean plan sends %d; want %d", name, got, tt.total)
		}
		if full := plannedTotal(New(planScenario(l))); plannedTotal(p) >= full {
			t.Errorf("%s: lean plan sends %d, not fewer than the full plan's %d", name, plannedTotal(p), full)
		}
		var over []Phase
		lastBefore := time.Duration(-1) // when the last request before the over phase was due
		for _, ph := range p.Phases {
			switch {
			case ph.Kind == scenarios.PhaseOver:
				over = append(over, ph)
			case len(over) == 0 && ph.Requests > 0:
				lastBefore = ph.Start + ph.Due(uint64(ph.Requests-1))
			}
		}
		if len(over) != 1 {
			t.Fatalf("%s: %d over phases; want 1", name, len(over))
		}
		o := over[0]
		rate := float64(tt.n) / tt.window.Seconds()
		if admits := float64(tt.n) + rate*o.Duration.Seconds(); float64(o.Requests) < admits+3 {
			t.Errorf("%s: over phase sends %d in %s, where a bucket of %d refilled at %.3g/s admits %.1f; want 3 more",
				name, o.Requests, o.Duration, tt.n, rate, admits)
		}
		if gap := o.Duration / time.Duration(o.Requests); gap < leanSpacing && o.Duration < 20*s {
			t.Errorf("%s: over phase sends every %s; want %s apart or more", name, gap, leanSpacing)
		}
		if o.Duration > tt.window/10 {
			t.Errorf("%s: over phase lasts %s; want at most W/10, so that a window boundary seldom splits it", name, o.Duration)
		}
		if got := o.Start-lastBefore >= tt.window; got != tt.fresh || lastBefore < 0 {
			t.Errorf("%s: over phase starts %s after the request before it; want a window or more: %v", name, o.Start-lastBefore, tt.fresh)
		}
		if rec, ok := phaseOf(p, scenarios.PhaseRecovery); tt.window <= 3*time.Minute {
			switch {
			case !ok:
				t.Errorf("%s: no recovery phase", name)
			case rec.Start-o.End() < l.Window:
				t.Errorf("%s: recovery starts %s after the over phase; want the recovery of %s", name, rec.Start-o.End(), l.Window)
			}
		}
		if math.IsInf(o.Rate, 0) || o.Burst > 1 {
			t.Errorf("%s: over phase at %v, bursts %d; want paced, one request at a time", name, o.Rate, o.Burst)
		}
	}
}

// phaseOf is the first phase of p of kind k.
func phaseOf(p *Plan, k scenarios.PhaseKind) (Phase, bool) {
	for _, ph := range p.Phases {
		if ph.Kind == k {
			return ph, true
		}
	}
	return Phase{}, false
}
