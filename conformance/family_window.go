package conformance

import (
	"fmt"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/conformance/series"
	"github.com/ratecheck/ratecheck/scenarios"
)

// windowFamily is the fixed window: at most n admitted per window of w,
// the windows either chained from the first request after the previous one
// ended (first-request-aligned) or fixed on the clock (clock-aligned). Its
// evaluation holds the windows of each series and, when clock-aligned, the
// alignment.
type windowFamily struct{}

var _ family = windowFamily{}

// alignment is where a model's windows start on the clock, fitted to the run.
type alignment struct {
	into time.Duration // the windows start this far past each multiple of the window
	how  string        // how the alignment was found; "" when that goes unsaid
}

// firstRequestDesc describes the first window model tried.
const firstRequestDesc = "fixed-window, first-request-aligned"

// evaluate tries first-request-aligned chains and the clock alignments and
// keeps the best-scoring evaluation.
func (f windowFamily) evaluate(a *rules, all []*series.Series) *evaluation {
	p := a.p
	judge := func(align *alignment, winsOf func(s *series.Series) ([]series.Window, *series.WindowJudge)) *evaluation {
		ev := &evaluation{family: f, align: align}
		ev.desc = f.describe(p, ev)
		for _, s := range all {
			wins, j := winsOf(s)
			st := a.newStateEval(s)
			ev.worst = max(ev.worst, j.Judge(&st))
			ev.states = append(ev.states, st)
			ev.wins = append(ev.wins, wins)
		}
		a.classifyAll(all, ev)
		return ev
	}
	best := judge(nil, func(s *series.Series) ([]series.Window, *series.WindowJudge) {
		return series.FirstRequestWindows(s, p.w, p.n)
	})
	for _, ph := range series.ClockPhases(all, a.origin, p.w) {
		if best.score().violations == 0 {
			break
		}
		into := time.Duration(records.FloorMod(a.origin+(ph.Lo+ph.Hi)/2, p.w))
		if ev := judge(&alignment{into: into, how: ph.Name}, func(s *series.Series) ([]series.Window, *series.WindowJudge) {
			wins := series.ClockWindows(s, ph, p.w)
			return wins, series.NewWindowJudge(s, wins, p.w, p.n)
		}); ev.score().less(best.score()) {
			best = ev
		}
	}
	return best
}

func (windowFamily) point(s *series.Series, ev *evaluation, x int, p params) []bool {
	return series.PointWindows(s, ev.wins[x], p.w, p.n)
}

func (windowFamily) rescuesOnly() bool { return false }
func (windowFamily) quiet() bool       { return true }

func (windowFamily) describe(p params, ev *evaluation) string {
	if ev.align == nil {
		return firstRequestDesc
	}
	return fmt.Sprintf("fixed-window, clock-aligned %s (%s)", check.FormatAlignment(ev.align.into, time.Duration(p.w)), ev.align.how)
}

func (windowFamily) name(params) string { return "fixed window" }

func (windowFamily) paramsText(p params, ev *evaluation) string {
	per := fmt.Sprintf("%d per %s", p.n, check.FormatWindow(time.Duration(p.w)))
	if ev.align == nil {
		return per + ", first-request-aligned"
	}
	return per + ", clock-aligned " + check.FormatAlignment(ev.align.into, time.Duration(p.w))
}

func (windowFamily) smooths(params) bool { return false }

func (windowFamily) burst(_ params, l *scenarios.Limit) float64 { return float64(l.Requests) }

func (windowFamily) expectedAdmissions(l *scenarios.Limit) string {
	return fmt.Sprintf("at most %d admitted per %s window", l.Requests, check.FormatWindow(l.Window))
}

func (windowFamily) expectedRejections(l *scenarios.Limit) string {
	return fmt.Sprintf("admitted until %d are admitted in the current %s window", l.Requests, check.FormatWindow(l.Window))
}

func (windowFamily) ambiguityWhere() string { return "near window boundaries" }

func (windowFamily) overNote(a *analysis, _ reqRef, d series.Detail) string {
	return fmt.Sprintf("admitted #%d in the window starting %s, beyond the limit of %d",
		d.Rank, check.FormatOffset(d.Start), a.limit.Requests)
}

func (windowFamily) rejectionNote(a *analysis, d series.Detail) string {
	return fmt.Sprintf("rejected with %s admitted in the window starting %s (limit %d)",
		check.FormatNum(d.Level), check.FormatOffset(d.Start), a.limit.Requests)
}

func (windowFamily) worstText(a *analysis, _ []reqRef) string {
	return fmt.Sprintf("worst window: %d admitted", a.eval.worst)
}

func (windowFamily) frameNote(d series.Detail) string {
	return fmt.Sprintf("admitted #%d in the window starting %s", d.Rank, check.FormatOffset(d.Start))
}

// frame adds the last admitted request that fit in over's window.
func (windowFamily) frame(a *analysis, over reqRef) []reqRef { return a.lastFitting(over) }

func (windowFamily) windowed() bool { return true }

// frees is 0: a fixed window frees its quota at once, at its boundary.
func (windowFamily) frees(params) float64 { return 0 }

// earlyBy places a wrongful first rejection in its window: at least one early.
func (windowFamily) earlyBy(n int64, admitted int, d series.Detail) int {
	return int(max(1, n-min(int64(admitted), int64(d.Level))))
}

func (windowFamily) onsetNote(a *analysis, c onsetCtx) string { return a.windowOnsetNote(c) }

func (windowFamily) onsetPromise(l *scenarios.Limit) string {
	return fmt.Sprintf("the first rejection came at request %d of the window", l.Requests+1)
}

// room is the count's upper bound subtracted from the limit.
func (windowFamily) room(l *scenarios.Limit, d series.Detail) float64 {
	return float64(l.Requests) - d.Level
}

func (windowFamily) capacity(_ params, l *scenarios.Limit) float64 { return float64(l.Requests) }

// remainingSlack: a window gives nothing back before it ends.
func (windowFamily) RemainingSlack(*scenarios.Limit, time.Duration) (int64, bool) { return 0, true }

func (windowFamily) ResetsWhole() bool { return true }
