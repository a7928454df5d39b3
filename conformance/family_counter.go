package conformance

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/conformance/series"
	"github.com/ratecheck/ratecheck/scenarios"
)

// counterFamily is the sliding-window counter (see counter_judge.go): windows of w
// on a phase fitted to the run, the last w estimated from the previous
// window's count and the current one's. Its evaluation holds the phase and
// the alignment it makes on the clock.
type counterFamily struct{}

var _ family = counterFamily{}

// evaluate searches for a phase of the counter's windows that explains the
// whole run: the suggested phases and an even grid, then finer steps around
// the three that went furthest before a violation. Every phase tried stands
// for those within half a fine step of it, so the steps around a grid point
// cover the gap to its neighbours. The counter only ever rescues (see
// rules.evaluate), so a phase is dropped at its first violation; when none
// explains the run the evaluation returned has violations and no details.
func (f counterFamily) evaluate(a *rules, all []*series.Series) *evaluation {
	p := a.p
	judges := make([]*series.CounterJudge, len(all))
	scratch := make([]series.StateEval, len(all))
	for x, s := range all {
		judges[x] = series.NewCounterJudge(s, p.w, p.n)
		scratch[x] = a.newStateEval(s)
	}
	step := max(p.w/(series.CounterGrid*series.CounterRefine), 1)
	delta := (step + 1) / 2
	type tried struct{ ClockPhase, reached int64 }
	var ranked []tried
	clean := func(phase int64) bool {
		reached := int64(math.MaxInt64)
		for x := range all {
			at, ok := judges[x].FirstViolation(phase, delta, &scratch[x])
			if !ok {
				reached = min(reached, at)
			}
		}
		ranked = append(ranked, tried{phase, reached})
		return reached == math.MaxInt64
	}
	found, ok := int64(0), false
	for _, phase := range series.CounterPhases(all, a.origin, p.w) {
		if found, ok = records.FloorMod(phase, p.w), clean(records.FloorMod(phase, p.w)); ok {
			break
		}
	}
	if !ok {
		slices.SortStableFunc(ranked, func(x, y tried) int { return -cmp.Compare(x.reached, y.reached) })
	refine:
		for _, t := range slices.Clone(ranked[:min(3, len(ranked))]) {
			for x := int64(1); x <= series.CounterRefine/2; x++ {
				for _, phase := range []int64{t.ClockPhase - x*step, t.ClockPhase + x*step} {
					if found, ok = records.FloorMod(phase, p.w), clean(records.FloorMod(phase, p.w)); ok {
						break refine
					}
				}
			}
		}
	}
	ev := &evaluation{family: f, phase: found,
		align: &alignment{into: time.Duration(records.FloorMod(a.origin+found, p.w))}}
	ev.desc = f.describe(p, ev)
	if !ok {
		ev.sc = &score{kinds: 1, episodes: 1, violations: 1}
		return ev
	}
	for x, s := range all {
		st := a.newStateEval(s)
		judges[x].Judge(found, delta, &st)
		ev.states = append(ev.states, st)
	}
	a.classifyAll(all, ev)
	return ev
}

func (counterFamily) point(s *series.Series, ev *evaluation, _ int, p params) []bool {
	return series.PointCounter(s, ev.phase, p.w, p.n)
}

func (counterFamily) rescuesOnly() bool { return true }
func (counterFamily) quiet() bool       { return false }

func (counterFamily) describe(p params, ev *evaluation) string {
	return fmt.Sprintf("sliding-window counter, %d per %s, windows starting %s",
		p.n, check.FormatWindow(time.Duration(p.w)), check.FormatAlignment(ev.align.into, time.Duration(p.w)))
}

func (counterFamily) name(params) string { return "sliding-window counter" }

func (counterFamily) paramsText(p params, ev *evaluation) string {
	return fmt.Sprintf("%d per %s, windows starting %s",
		p.n, check.FormatWindow(time.Duration(p.w)), check.FormatAlignment(ev.align.into, time.Duration(p.w)))
}

func (counterFamily) smooths(params) bool { return false }

func (counterFamily) burst(_ params, l *scenarios.Limit) float64 { return float64(l.Requests) }

func (counterFamily) expectedAdmissions(l *scenarios.Limit) string {
	return fmt.Sprintf("admitted only while prev·(1−f) + curr < %d (sliding-window counter over %s windows)", l.Requests, check.FormatWindow(l.Window))
}

func (counterFamily) expectedRejections(l *scenarios.Limit) string {
	return fmt.Sprintf("admitted while prev·(1−f) + curr ≤ %d (sliding-window counter over %s windows)", l.Requests-1, check.FormatWindow(l.Window))
}

func (counterFamily) ambiguityWhere() string { return "within the timing tolerance" }

func (counterFamily) overNote(a *analysis, _ reqRef, d series.Detail) string {
	return fmt.Sprintf("admitted with an estimate of at least %s for the %s before it (limit %d)",
		check.FormatNum(d.Level), check.FormatWindow(a.limit.Window), a.limit.Requests)
}

func (counterFamily) rejectionNote(a *analysis, d series.Detail) string {
	return fmt.Sprintf("rejected with an estimate of at most %s for the %s before it (limit %d)",
		check.FormatNum(d.Level), check.FormatWindow(a.limit.Window), a.limit.Requests)
}

func (counterFamily) worstText(_ *analysis, over []reqRef) string {
	w := worstOver(over)
	return fmt.Sprintf("worst estimate: %s", check.FormatNum(w.ev.DetOf(w.i).Level))
}

func (counterFamily) frameNote(d series.Detail) string {
	return fmt.Sprintf("first admitted request surely in the window starting %s", check.FormatOffset(d.Start))
}

func (counterFamily) frame(*analysis, reqRef) []reqRef { return nil }

func (counterFamily) windowed() bool { return false }

// frees is the limit's rate: the previous window's weight falls at it.
func (counterFamily) frees(p params) float64 { return float64(p.n) / float64(p.w) }

// earlyBy is the room the estimate surely left.
func (counterFamily) earlyBy(n int64, _ int, d series.Detail) int { return countedEarlyBy(n, d) }

func (counterFamily) onsetNote(a *analysis, c onsetCtx) string {
	return a.streakOnsetNote(c, countedEarlyNote(c))
}

func (counterFamily) onsetPromise(l *scenarios.Limit) string { return countedOnsetPromise(l) }

func (counterFamily) room(l *scenarios.Limit, d series.Detail) float64 {
	return float64(l.Requests) - d.Level
}

func (counterFamily) capacity(_ params, l *scenarios.Limit) float64 { return float64(l.Requests) }

// remainingSlack: the estimate frees quota as the window slides, which the
// headers may not show.
func (counterFamily) RemainingSlack(*scenarios.Limit, time.Duration) (int64, bool) { return 0, false }

func (counterFamily) ResetsWhole() bool { return false }

// countedEarlyBy is how many requests too early a first rejection came under
// a family that counts up to n: the room it surely had left, at least one.
func countedEarlyBy(n int64, d series.Detail) int {
	return max(1, int(math.Floor(float64(n)-d.Level)))
}

// countedEarlyNote explains an early first rejection under a family that
// counts: "first 429 came with at most 17 counted (3 early)".
func countedEarlyNote(c onsetCtx) string {
	return fmt.Sprintf("first %d came with at most %s counted (%s)", c.r.rec().Status, check.FormatNum(c.r.ev.DetOf(c.r.i).Level), c.off)
}

// countedOnsetPromise is when the first rejection must come under a family
// that counts the last window.
func countedOnsetPromise(l *scenarios.Limit) string {
	return fmt.Sprintf("the first rejection came once %d were counted in the last %s", l.Requests, check.FormatWindow(l.Window))
}

// blindSpot says which over-admission no run can show against a counter. A
// correct counter admits while its estimate prev·(1−f) + curr stays under N,
// by one of several thresholds (est+1 ≤ N, round(est)+1 ≤ N, est < N), and
// the model accepts each. One that admits one too many (est ≤ N) decides like
// the est < N variant except where the estimate is exactly N, a whole number
// that continuous arrival times almost never give.
func (counterFamily) blindSpot(p params) string {
	return fmt.Sprintf("a counter admitting one too many (estimate ≤ %d) decides like a correct one (estimate < %d) except where the estimate is exactly %d, so no run can show it", p.n, p.n, p.n)
}
