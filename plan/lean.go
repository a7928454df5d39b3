package plan

import (
	"math"
	"time"

	"github.com/ratecheck/ratecheck/scenarios"
)

// leanSteps plans a lean run of limit l, N per window W at R = N/W, sent one
// request at a time (no bursts, no fine probe). A short window (W ≤ 10s)
// gets about 3.5·N requests:
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
// A long window (W > 10s) gets about N + 8 requests (leanLongSteps), and is
// waited out twice, not four times: one over phase, on a fresh limit, sent so
// fast that every family admits exactly N of it.
func leanSteps(l scenarios.Limit, maxDuration time.Duration) []step {
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
	return leanLongSteps(l, maxDuration)
}

// leanLongSteps plans the lean run of a long window, N per W at R = N/W,
// about N plus a few requests:
//
//	under     1 request
//	pause     W: the next window opens empty
//	over      M = N + ⌈R·T⌉ + c requests in T = W/2N, c = max(3, ⌈N/20⌉)
//	pause     Recovery
//	recovery  min(3, N) requests at 1/s
//
// In T a bucket refills half a request, so every family admits N of the
// over phase, N+1 with an off-by-one and N−2 rejecting early, and rejects
// the rest, c requests or more: the bucket families engage as the windows
// do (N + 3 requests within W/2, as this plan sent before, a bucket
// refilled at R admits every one of). A clock-aligned window boundary falls
// inside the phase in T/W of runs, 1 in 2N; only then can it split the
// phase into two windows under the limit (the run is then INCONCLUSIVE,
// never a pass).
//
// The under request and the pause keep the over phase's window from
// starting with the run's first request: a clock alignment fitted to it
// would put the window's first admission in the window before, and explain
// one admission too many (a first-request-aligned window admitting N+1
// passed limit.enforced). The pause outlasts every family's memory of that
// request but the sliding-window counter's, which weighs it at less than
// one: it explains no early rejection, as five requests at 1/s did.
//
// The requests of the over phase are at least leanSpacing apart, and T is
// at most W/10 and 20s, so for a large N (or a tiny one) R·T grows. Recovery
// is left to the pause, as in the full plan; the pause before the over
// phase is left out when the run would then outlast maxDuration.
func leanLongSteps(l scenarios.Limit, maxDuration time.Duration) []step {
	n := float64(l.Requests)
	c := math.Max(3, math.Ceil(n/20))
	t := max(l.Window/time.Duration(2*l.Requests), time.Duration(n+1+c)*leanSpacing)
	over := n + math.Ceil(l.Rate()*t.Seconds()) + c
	t = min(max(t, time.Duration(over)*leanSpacing), l.Window/10, 20*time.Second)
	over = n + math.Ceil(l.Rate()*t.Seconds()) + c
	recovery := time.Duration(min(3, l.Requests)) * time.Second
	steps := []step{{kind: scenarios.PhaseUnder, rate: 1, duration: time.Second}}
	if maxDuration <= 0 || time.Second+l.Window+t+l.Recovery+recovery <= maxDuration {
		steps = append(steps, step{kind: scenarios.PhasePause, duration: l.Window})
	}
	return append(steps,
		step{kind: scenarios.PhaseOver, rate: over / t.Seconds(), duration: t},
		step{kind: scenarios.PhasePause, duration: l.Recovery},
		step{kind: scenarios.PhaseRecovery, rate: 1, duration: recovery},
	)
}

// leanSpacing is the least time between two requests of a long window's
// over phase (200/s): closer than that, the arrival intervals of
// neighbours (each ±2 ms and its latency) overlap.
const leanSpacing = 5 * time.Millisecond
