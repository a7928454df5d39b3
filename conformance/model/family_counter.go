package model

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

var (
	_ Family       = counterFamily{}
	_ BlindSpotter = counterFamily{}
)

// Evaluate searches for a phase of the counter's windows that explains the
// whole run: the suggested phases and an even grid, then finer steps around
// the three that went furthest before a violation. Every phase tried stands
// for those within half a fine step of it, so the steps around a grid point
// cover the gap to its neighbours. The counter only ever rescues (see
// Rules.Evaluate), so a phase is dropped at its first violation. When none
// explains the run, the phases that went furthest are judged whole: one whose
// only violations are late recoveries is returned (a counter that rates
// denied requests too, like HAProxy's http_req_rate, admits as a counter does
// and only keeps a retrying client out); otherwise the evaluation returned
// has violations and no details.
func (f counterFamily) Evaluate(a *Rules, all []*series.Series) *Evaluation {
	p := a.P
	judges := make([]*series.CounterJudge, len(all))
	scratch := make([]series.StateEval, len(all))
	for x, s := range all {
		judges[x] = series.NewCounterJudge(s, p.W, p.N)
		scratch[x] = a.newStateEval(s)
	}
	step := max(p.W/(series.CounterGrid*series.CounterRefine), 1)
	delta := (step + 1) / 2
	// tried is a phase judged, and when its first violation came (MaxInt64
	// for none): the phases that went furthest are refined first.
	type tried struct {
		series.CounterPhase
		reached int64
	}
	var ranked []tried
	clean := func(ph series.CounterPhase) (series.CounterPhase, bool) {
		ph.At = records.FloorMod(ph.At, p.W)
		reached := int64(math.MaxInt64)
		for x := range all {
			if at, ok := judges[x].FirstViolation(ph.At, ph.Delta, &scratch[x]); !ok {
				reached = min(reached, at)
			}
		}
		ranked = append(ranked, tried{ph, reached})
		return ph, reached == math.MaxInt64
	}
	furthestFirst := func() {
		slices.SortStableFunc(ranked, func(x, y tried) int { return -cmp.Compare(x.reached, y.reached) })
	}
	var found series.CounterPhase
	ok := false
	for _, ph := range series.CounterPhases(all, a.Origin, p.W, delta) {
		if found, ok = clean(ph); ok {
			break
		}
	}
	if !ok {
		furthestFirst()
	refine:
		for _, t := range slices.Clone(ranked[:min(3, len(ranked))]) {
			for x := int64(1); x <= series.CounterRefine/2; x++ {
				for _, at := range []int64{t.At - x*step, t.At + x*step} {
					if found, ok = clean(series.CounterPhase{At: at, Delta: delta}); ok {
						break refine
					}
				}
			}
		}
	}
	if ok {
		return f.judgeAt(a, all, judges, found)
	}
	furthestFirst()
	var best *Evaluation
	for _, t := range ranked[:min(lateOnlyTries, len(ranked))] {
		if !judgeOverAdmitting && overAdmits(judges, scratch, t.At, t.Delta) {
			continue // an over-admission is never a late recovery: not lateOnly
		}
		ev := f.judgeAt(a, all, judges, t.CounterPhase)
		if ev.lateOnly() && (best == nil || ev.score().less(best.score())) {
			best = ev
		}
	}
	if best != nil {
		return best
	}
	ev := &Evaluation{Family: f, Phase: ranked[0].At,
		Align: &Alignment{Into: time.Duration(records.FloorMod(a.Origin+ranked[0].At, p.W))}}
	ev.Desc = f.Describe(p, ev)
	ev.sc = &score{kinds: 1, episodes: 1, violations: 1}
	return ev
}

// boundaryInShortRun reports whether a window boundary of the counter at
// phase, give or take delta, may fall inside a run that lasts less than two
// windows w: the one place in it where the counter's estimate may drop below
// its limit early, which a search free to put it anywhere fits to the run.
func boundaryInShortRun(all []*series.Series, phase, delta, w int64) bool {
	first, last := int64(math.MaxInt64), int64(math.MinInt64)
	for _, s := range all {
		if n := len(s.Reqs); n > 0 {
			first, last = min(first, s.Lo(0)), max(last, s.Hi(n-1))
		}
	}
	if first > last || last-first >= 2*w {
		return false
	}
	// The first boundary at or after the run's first send, less delta.
	b := phase + (records.FloorDiv(first-delta-phase, w)+1)*w
	return b-delta < last
}

// judgeOverAdmitting makes Evaluate judge whole the phases it tries for
// late recoveries only even when they over-admit, as it did before it
// skipped them; for the tests.
var judgeOverAdmitting = false

// overAdmits reports whether the counter with this phase over-admits a
// request of any series (scratch holds their judgements).
func overAdmits(judges []*series.CounterJudge, scratch []series.StateEval, phase, delta int64) bool {
	for x, j := range judges {
		if j.OverAdmits(phase, delta, &scratch[x]) {
			return true
		}
	}
	return false
}

// lateOnlyTries is how many of the phases that went furthest the counter
// judges whole when none explains the run, looking for one whose only
// violations are late recoveries (see Evaluation.lateOnly).
const lateOnlyTries = 3

// judgeAt judges every series with the counter's windows at phase ph,
// marking the evaluation PhaseFitted when the search, not a suggestion, put
// a boundary inside a short run.
func (f counterFamily) judgeAt(a *Rules, all []*series.Series, judges []*series.CounterJudge, ph series.CounterPhase) *Evaluation {
	ev := &Evaluation{Family: f, Phase: ph.At,
		Align:       &Alignment{Into: time.Duration(records.FloorMod(a.Origin+ph.At, a.P.W))},
		PhaseFitted: !ph.Suggested && boundaryInShortRun(all, ph.At, ph.Delta, a.P.W)}
	ev.Desc = f.Describe(a.P, ev)
	ev.redo = func(r *Rules) *Evaluation { return f.judgeAt(r, all, judges, ph) }
	for x, s := range all {
		st := a.newStateEval(s)
		judges[x].Judge(ph.At, ph.Delta, &st)
		ev.States = append(ev.States, st)
	}
	a.classifyAll(all, ev)
	return ev
}

func (counterFamily) point(s *series.Series, ev *Evaluation, _ int, p Params) []bool {
	return series.PointCounter(s, ev.Phase, p.W, p.N)
}

func (counterFamily) RescuesOnly() bool { return true }
func (counterFamily) Quiet() bool       { return false }

func (counterFamily) Describe(p Params, ev *Evaluation) string {
	return fmt.Sprintf("sliding-window counter, %d per %s, windows starting %s",
		p.N, check.FormatWindow(time.Duration(p.W)), check.FormatAlignment(ev.Align.Into, time.Duration(p.W)))
}

func (counterFamily) Name(Params) string { return "sliding-window counter" }

func (counterFamily) ParamsText(p Params, ev *Evaluation) string {
	return fmt.Sprintf("%d per %s, windows starting %s",
		p.N, check.FormatWindow(time.Duration(p.W)), check.FormatAlignment(ev.Align.Into, time.Duration(p.W)))
}

func (counterFamily) Smooths(Params) bool { return false }

func (counterFamily) Burst(_ Params, l *scenarios.Limit) float64 { return float64(l.Requests) }

func (counterFamily) ExpectedAdmissions(l *scenarios.Limit) string {
	return fmt.Sprintf("admitted only while prev·(1−f) + curr < %d (sliding-window counter over %s windows)", l.Requests, check.FormatWindow(l.Window))
}

func (counterFamily) ExpectedRejections(l *scenarios.Limit) string {
	return fmt.Sprintf("admitted while prev·(1−f) + curr ≤ %d (sliding-window counter over %s windows)", l.Requests-1, check.FormatWindow(l.Window))
}

func (counterFamily) AmbiguityWhere() string { return "within the timing tolerance" }

func (counterFamily) OverNote(a *Rules, _ Ref, d series.Detail) string {
	return fmt.Sprintf("admitted with an estimate of at least %s for the %s before it (limit %d)",
		check.FormatNum(d.Level), check.FormatWindow(a.Limit.Window), a.Limit.Requests)
}

func (counterFamily) RejectionNote(a *Rules, d series.Detail) string {
	return fmt.Sprintf("rejected with an estimate of at most %s for the %s before it (limit %d)",
		check.FormatNum(d.Level), check.FormatWindow(a.Limit.Window), a.Limit.Requests)
}

func (counterFamily) WorstText(_ *Evaluation, over []Ref) string {
	w := worstOver(over)
	return fmt.Sprintf("worst estimate: %s", check.FormatNum(w.Ev.DetOf(w.I).Level))
}

func (counterFamily) FrameNote(d series.Detail) string {
	return fmt.Sprintf("first admitted request surely in the window starting %s", check.FormatOffset(d.Start))
}

func (counterFamily) Frame(*Rules, Ref) []Ref { return nil }

func (counterFamily) Windowed() bool { return false }

// Frees is the limit's rate: the previous window's weight falls at it.
func (counterFamily) Frees(p Params) float64 { return float64(p.N) / float64(p.W) }

func (counterFamily) ExcessNeedsFresh() bool { return false }

// EarlyBy is the room the estimate surely left.
func (counterFamily) EarlyBy(n int64, _ int, d series.Detail) int { return countedEarlyBy(n, d) }

func (counterFamily) OnsetNote(a *Rules, c OnsetCtx) string {
	return a.streakOnsetNote(c, countedEarlyNote(c))
}

func (counterFamily) OnsetPromise(l *scenarios.Limit) string { return countedOnsetPromise(l) }

func (counterFamily) room(l *scenarios.Limit, d series.Detail) float64 {
	return float64(l.Requests) - d.Level
}

func (counterFamily) Capacity(_ Params, l *scenarios.Limit) float64 { return float64(l.Requests) }

// RemainingSlack: the estimate frees quota as the window slides, which the
// headers may not show.
func (counterFamily) RemainingSlack(*scenarios.Limit, time.Duration) (int64, bool) { return 0, false }

func (counterFamily) ResetsWhole() bool { return false }

// MayFreeAll: the current window's admissions still weigh in the next.
func (counterFamily) MayFreeAll() bool { return false }

// countedEarlyBy is how many requests too early a first rejection came under
// a family that counts up to n: the room it surely had left, at least one.
func countedEarlyBy(n int64, d series.Detail) int {
	return max(1, int(math.Floor(float64(n)-d.Level)))
}

// countedEarlyNote explains an early first rejection under a family that
// counts: "first 429 came with at most 17 counted (3 early)".
func countedEarlyNote(c OnsetCtx) string {
	return fmt.Sprintf("first %d came with at most %s counted (%s)", c.R.Rec().Status, check.FormatNum(c.R.Ev.DetOf(c.R.I).Level), c.Off)
}

// countedOnsetPromise is when the first rejection must come under a family
// that counts the last window.
func countedOnsetPromise(l *scenarios.Limit) string {
	return fmt.Sprintf("the first rejection came once %d were counted in the last %s", l.Requests, check.FormatWindow(l.Window))
}

// BlindSpot says which over-admission no run can show against a counter. A
// correct counter admits while its estimate prev·(1−f) + curr stays under N,
// by one of several thresholds (est+1 ≤ N, round(est)+1 ≤ N, est < N), and
// the model accepts each. One that admits one too many (est ≤ N) decides like
// the est < N variant except where the estimate is exactly N, a whole number
// that continuous arrival times almost never give.
func (counterFamily) BlindSpot(p Params) string {
	return fmt.Sprintf("a counter admitting one too many (estimate ≤ %d) decides like a correct one (estimate < %d) except where the estimate is exactly %d, so no run can show it", p.N, p.N, p.N)
}

// MostAdmitted is the limit: the family admits n per window.
func (counterFamily) MostAdmitted(l *scenarios.Limit, _ time.Duration) int64 { return l.Requests }

// Holds: an admission counts wholly while in the current window (at most a
// window), then weighs in the previous window's count by the share of the
// window still to go: at age a past one window, at most (2w − a)/w.
func (counterFamily) Holds(l *scenarios.Limit) (int64, time.Duration, time.Duration) {
	return l.Requests, l.Window, 2 * l.Window
}
