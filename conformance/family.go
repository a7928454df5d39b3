package conformance

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/ratecheck/ratecheck/scenarios"
)

// family is a limiter family the models know.
type family uint8

const (
	familyWindow  family = iota // fixed window, clock- or first-request-aligned
	familyLog                   // sliding log
	familyCounter               // sliding-window counter
	familyBucket                // token bucket, GCRA, leaky bucket as a meter
)

// params is the declared limit in model units.
type params struct {
	n     int64   // requests per window
	w     int64   // window, nanoseconds
	burst float64 // bucket capacity
	rate  float64 // bucket refill, tokens a nanosecond
}

func paramsOf(l *scenarios.Limit) params {
	p := params{n: l.Requests, w: int64(l.Window)}
	p.burst = float64(l.Requests)
	if l.Burst > 0 {
		p.burst = float64(l.Burst)
	}
	p.rate = float64(l.Requests) / float64(l.Window)
	return p
}

// familiesFor lists the families an algorithm is judged against.
func familiesFor(a scenarios.Algorithm) []family {
	switch a {
	case scenarios.AlgoFixedWindow:
		return []family{familyWindow}
	case scenarios.AlgoSlidingWindow:
		return []family{familyLog, familyCounter}
	case scenarios.AlgoTokenBucket, scenarios.AlgoGCRA, scenarios.AlgoLeakyBucket:
		return []family{familyBucket}
	}
	return []family{familyWindow, familyLog, familyCounter, familyBucket} // any, or not declared
}

// evaluate judges the series against the declared algorithm and returns the
// most favourable evaluation (see score), the first family on a tie. The
// sliding-window counter only ever rescues: it is chosen when it explains the
// whole run, so that correct counters pass, but a faulty limiter is reported
// against the other families (for sliding-window, the sliding log).
func (a *rules) evaluate(all []*series) *evaluation {
	fams := familiesFor(a.limit.Algorithm)
	var best *evaluation
	for _, f := range fams {
		ev := a.evaluateFamily(all, f)
		switch {
		case f == familyCounter && ev.score().violations > 0:
			continue
		case best == nil || ev.score().less(best.score()):
			best = ev
		}
		if best.score().violations == 0 {
			break // nothing explains a run better; the first family wins ties
		}
	}
	a.describeBest(best)
	markPoint(all, best, a.p)
	return best
}

// describeBest adds to the description of the evaluation chosen that it was
// the best of several families, when the algorithm has several.
func (a *rules) describeBest(best *evaluation) {
	if len(familiesFor(a.limit.Algorithm)) > 1 {
		of := scenarios.AlgoAny
		if a.limit.Algorithm == scenarios.AlgoSlidingWindow {
			of = scenarios.AlgoSlidingWindow
		}
		best.desc = fmt.Sprintf("%s (best of %s)", best.desc, of)
	}
}

func (a *rules) evaluateFamily(all []*series, f family) *evaluation {
	p := a.p
	var ev *evaluation
	switch f {
	case familyWindow:
		return a.evaluateWindows(all)
	case familyCounter:
		return a.evaluateCounter(all)
	case familyLog:
		ev = &evaluation{family: f, desc: a.logDesc()}
		for _, s := range all {
			st := a.newStateEval(s)
			judgeLog(s, p.w, p.n, &st)
			ev.states = append(ev.states, st)
		}
	default:
		ev = &evaluation{family: f, desc: fmt.Sprintf("token-bucket, burst %s, refill %s/s",
			fmtNum(p.burst), fmtNum(p.rate*float64(time.Second)))}
		for _, s := range all {
			st := a.newStateEval(s)
			judgeBucket(s, p.burst, p.rate, &st)
			ev.states = append(ev.states, st)
		}
	}
	a.classifyAll(all, ev)
	return ev
}

// evaluateWindows tries first-request-aligned chains and the clock alignments and
// keeps the best-scoring evaluation.
func (a *rules) evaluateWindows(all []*series) *evaluation {
	p := a.p
	judge := func(desc string, winsOf func(s *series) ([]window, *windowJudge)) *evaluation {
		ev := &evaluation{family: familyWindow, desc: desc}
		for _, s := range all {
			wins, j := winsOf(s)
			st := a.newStateEval(s)
			ev.worst = max(ev.worst, j.judge(&st))
			ev.states = append(ev.states, st)
			ev.wins = append(ev.wins, wins)
		}
		a.classifyAll(all, ev)
		return ev
	}
	best := judge(firstRequestDesc, func(s *series) ([]window, *windowJudge) {
		return firstRequestWindows(s, p.w, p.n)
	})
	for _, ph := range clockPhases(all, a.origin, p.w) {
		if best.score().violations == 0 {
			break
		}
		into := time.Duration(floorMod(a.origin+(ph.lo+ph.hi)/2, p.w))
		desc := fmt.Sprintf("fixed-window, clock-aligned %s (%s)", fmtAlignment(into, time.Duration(p.w)), ph.name)
		if ev := judge(desc, func(s *series) ([]window, *windowJudge) {
			wins := clockWindows(s, ph, p.w)
			return wins, newWindowJudge(s, wins, p.w, p.n)
		}); ev.score().less(best.score()) {
			best = ev
		}
	}
	return best
}

// markPoint counts the point model's violations for the chosen evaluation.
func markPoint(all []*series, ev *evaluation, p params) {
	for x, s := range all {
		var blamed []bool
		switch ev.family {
		case familyWindow:
			blamed = pointWindows(s, ev.wins[x], p.w, p.n)
		case familyLog:
			blamed = pointLog(s, p.w, p.n)
		case familyCounter:
			blamed = pointCounter(s, ev.phase, p.w, p.n)
		default:
			blamed = pointBucket(s, p.burst, p.rate)
		}
		countPoint(s, &ev.states[x], blamed)
	}
}

// evaluateCounter searches for a phase of a sliding-window counter's windows
// that explains the whole run: the suggested phases and an even grid, then finer
// steps around the three that went furthest before a violation. Every phase
// tried stands for those within half a fine step of it, so the steps around a
// grid point cover the gap to its neighbours. The counter only ever rescues (see
// evaluate), so a phase is dropped at its first violation; when none explains
// the run the evaluation returned has violations and no details.
func (a *rules) evaluateCounter(all []*series) *evaluation {
	p := a.p
	judges := make([]*counterJudge, len(all))
	scratch := make([]stateEval, len(all))
	for x, s := range all {
		judges[x] = newCounterJudge(s, p.w, p.n)
		scratch[x] = a.newStateEval(s)
	}
	step := max(p.w/(counterGrid*counterRefine), 1)
	delta := (step + 1) / 2
	type tried struct{ phase, reached int64 }
	var ranked []tried
	clean := func(phase int64) bool {
		reached := int64(math.MaxInt64)
		for x := range all {
			at, ok := judges[x].firstViolation(phase, delta, &scratch[x])
			if !ok {
				reached = min(reached, at)
			}
		}
		ranked = append(ranked, tried{phase, reached})
		return reached == math.MaxInt64
	}
	found, ok := int64(0), false
	for _, phase := range counterPhases(all, a.origin, p.w) {
		if found, ok = floorMod(phase, p.w), clean(floorMod(phase, p.w)); ok {
			break
		}
	}
	if !ok {
		slices.SortStableFunc(ranked, func(x, y tried) int { return -cmp.Compare(x.reached, y.reached) })
	refine:
		for _, t := range slices.Clone(ranked[:min(3, len(ranked))]) {
			for x := int64(1); x <= counterRefine/2; x++ {
				for _, phase := range []int64{t.phase - x*step, t.phase + x*step} {
					if found, ok = floorMod(phase, p.w), clean(floorMod(phase, p.w)); ok {
						break refine
					}
				}
			}
		}
	}
	into := time.Duration(floorMod(a.origin+found, p.w))
	ev := &evaluation{family: familyCounter, phase: found, desc: fmt.Sprintf(
		"sliding-window counter, %d per %s, windows starting %s",
		p.n, fmtWindow(time.Duration(p.w)), fmtAlignment(into, time.Duration(p.w)))}
	if !ok {
		ev.sc = &score{kinds: 1, episodes: 1, violations: 1}
		return ev
	}
	for x, s := range all {
		st := a.newStateEval(s)
		judges[x].judge(found, delta, &st)
		ev.states = append(ev.states, st)
	}
	a.classifyAll(all, ev)
	return ev
}
