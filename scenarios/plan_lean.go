package scenarios

import (
	"math"
	"time"
)

// leanSteps plans a lean run of limit l, N per window W at R = N/W: about
// 3·N requests and a few for recovery, sent one at a time (no bursts, no
// fine probe):
//
//	under     0.5·R for W/2 (N/4 requests): nothing may be rejected
//	over      1.5·R for 2·W (3·N): at least one whole window lies inside it,
//	          whatever the alignment, and receives 1.5·N; the limit lifts and
//	          trips again inside it, so its lifts are timed every 1/(1.5·R)
//	pause     Recovery/2
//	recovery  0.5·R for W (N/2): requests succeed again
//
// A long window (W > 10s) cannot be waited out: under sends min(5, N/2),
// over sends N + max(3, ⌈N/20⌉) within min(W/2, 20s), and recovery is left to
// the pause and min(3, N) requests at 1/s.
func leanSteps(l Limit) []step {
	r := l.Rate()
	if l.Window <= shortWindow {
		return []step{
			{kind: PhaseUnder, rate: 0.5 * r, duration: l.Window / 2},
			{kind: PhaseOver, rate: 1.5 * r, duration: 2 * l.Window},
			{kind: PhasePause, duration: l.Recovery / 2},
			{kind: PhaseRecovery, rate: 0.5 * r, duration: l.Window},
		}
	}
	n := float64(l.Requests)
	var steps []step
	if under := math.Min(5, math.Floor(n/2)); under >= 1 {
		steps = append(steps, step{kind: PhaseUnder, rate: 1, duration: time.Duration(under) * time.Second})
	}
	over := n + math.Max(3, math.Ceil(n/20))
	t := min(l.Window/2, 20*time.Second)
	steps = append(steps,
		step{kind: PhaseOver, rate: over / t.Seconds(), duration: t},
		step{kind: PhasePause, duration: l.Recovery},
		step{kind: PhaseRecovery, rate: 1, duration: time.Duration(min(3, l.Requests)) * time.Second},
	)
	return steps
}
