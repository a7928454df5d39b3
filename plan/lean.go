package plan

import (
	"math"
	"time"

	"github.com/ratecheck/ratecheck/scenarios"
)

// leanSteps plans a lean run of limit l, N per window W at R = N/W: about
// 3.5·N requests, sent one at a time (no bursts, no fine probe):
//
//	under     0.5·R for W/2 (N/4 requests): nothing may be rejected
//	pause     W: the next window opens empty
//	over      M = ⌈1.25·N⌉+3 requests in W/4
//	pause     1.25·W
//	over      M in W/4
//	pause     Recovery/2
//	recovery  0.5·R for W (N/2): requests succeed again
//
// Each over phase drives past the window it starts in when that window has
// half of it or more left: M is more than a bucket of N refilled at R for
// W/4 admits, and all of it lands in that window. The second starts 1.5·W
// after the first, half a window round from it whatever the alignment, so
// one of the two does. Both find the limit fresh (the pause before each
// outlasts every family's memory of the requests before it but the
// sliding-window counter's, which the model replays), and their first
// admission lies anywhere in its window, not at a boundary. That is the
// point: in a continuous over phase every window after the first opens with
// the admission that ends a rejection streak, whose window the timing
// tolerance cannot tell, so only the first window driven past could show
// one request too many (a limiter admitting N+1 went unseen in 3 runs of 10).
//
// A long window (W > 10s) cannot be waited out: under sends min(5, N/2),
// over sends N + max(3, ⌈N/20⌉) within min(W/2, 20s), and recovery is left to
// the pause and min(3, N) requests at 1/s.
func leanSteps(l scenarios.Limit) []step {
	r := l.Rate()
	if l.Window <= shortWindow {
		m := math.Ceil(1.25*float64(l.Requests)) + 3
		burst := l.Window / 4
		over := step{kind: scenarios.PhaseOver, rate: m / burst.Seconds(), duration: burst}
		return []step{
			{kind: scenarios.PhaseUnder, rate: 0.5 * r, duration: l.Window / 2},
			{kind: scenarios.PhasePause, duration: l.Window},
			over,
			{kind: scenarios.PhasePause, duration: l.Window - burst + l.Window/2},
			over,
			{kind: scenarios.PhasePause, duration: l.Recovery / 2},
			{kind: scenarios.PhaseRecovery, rate: 0.5 * r, duration: l.Window},
		}
	}
	n := float64(l.Requests)
	var steps []step
	if under := math.Min(5, math.Floor(n/2)); under >= 1 {
		steps = append(steps, step{kind: scenarios.PhaseUnder, rate: 1, duration: time.Duration(under) * time.Second})
	}
	over := n + math.Max(3, math.Ceil(n/20))
	t := min(l.Window/2, 20*time.Second)
	steps = append(steps,
		step{kind: scenarios.PhaseOver, rate: over / t.Seconds(), duration: t},
		step{kind: scenarios.PhasePause, duration: l.Recovery},
		step{kind: scenarios.PhaseRecovery, rate: 1, duration: time.Duration(min(3, l.Requests)) * time.Second},
	)
	return steps
}
