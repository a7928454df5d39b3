package conformance

import (
	"fmt"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/series"
	"github.com/ratecheck/ratecheck/scenarios"
)

// logFamily is the sliding log: at most n admitted in any span of w.
type logFamily struct{}

var _ family = logFamily{}

func (f logFamily) evaluate(a *rules, all []*series.Series) *evaluation {
	return a.judgeEach(all, f, func(s *series.Series, st *series.StateEval) { series.JudgeLog(s, a.p.w, a.p.n, st) })
}

func (logFamily) point(s *series.Series, _ *evaluation, _ int, p params) []bool {
	return series.PointLog(s, p.w, p.n)
}

func (logFamily) rescuesOnly() bool { return false }
func (logFamily) quiet() bool       { return true }

func (logFamily) describe(p params, _ *evaluation) string {
	return fmt.Sprintf("sliding-window, %d per %s", p.n, check.FormatWindow(time.Duration(p.w)))
}

func (logFamily) name(params) string { return "sliding log" }

func (logFamily) paramsText(p params, _ *evaluation) string {
	return fmt.Sprintf("%d per %s", p.n, check.FormatWindow(time.Duration(p.w)))
}

func (logFamily) smooths(params) bool { return false }

func (logFamily) burst(_ params, l *scenarios.Limit) float64 { return float64(l.Requests) }

func (logFamily) expectedAdmissions(l *scenarios.Limit) string {
	return fmt.Sprintf("at most %d admitted in any %s", l.Requests, check.FormatWindow(l.Window))
}

func (logFamily) expectedRejections(l *scenarios.Limit) string {
	return fmt.Sprintf("admitted until %d are admitted in the last %s", l.Requests, check.FormatWindow(l.Window))
}

func (logFamily) ambiguityWhere() string { return "within the timing tolerance" }

func (logFamily) overNote(a *analysis, r reqRef, d series.Detail) string {
	return fmt.Sprintf("admitted #%d within %s, beyond the limit of %d",
		d.Rank, check.FormatSeconds(r.s.Hi(r.i)-d.Start), a.limit.Requests)
}

func (logFamily) rejectionNote(a *analysis, d series.Detail) string {
	return fmt.Sprintf("rejected with %s admitted in the %s before it (limit %d)",
		check.FormatNum(d.Level), check.FormatWindow(a.limit.Window), a.limit.Requests)
}

func (logFamily) worstText(_ *analysis, over []reqRef) string {
	w := worstOver(over)
	d := w.ev.DetOf(w.i)
	return fmt.Sprintf("worst: %d admitted within %s", d.Rank, check.FormatSeconds(w.s.Hi(w.i)-d.Start))
}

func (logFamily) frameNote(series.Detail) string { return "first admitted request of the crowded span" }

func (logFamily) frame(*analysis, reqRef) []reqRef { return nil }

func (logFamily) windowed() bool { return false }

// frees is the limit's rate: a log's oldest requests leave its window at it.
func (logFamily) frees(p params) float64 { return float64(p.n) / float64(p.w) }

// earlyBy is the room the log surely had left.
func (logFamily) earlyBy(n int64, _ int, d series.Detail) int { return countedEarlyBy(n, d) }

func (logFamily) onsetNote(a *analysis, c onsetCtx) string {
	return a.streakOnsetNote(c, countedEarlyNote(c))
}

func (logFamily) onsetPromise(l *scenarios.Limit) string { return countedOnsetPromise(l) }

func (logFamily) room(l *scenarios.Limit, d series.Detail) float64 {
	return float64(l.Requests) - d.Level
}

func (logFamily) capacity(_ params, l *scenarios.Limit) float64 { return float64(l.Requests) }

// remainingSlack: a log frees quota continuously, which the headers may not show.
func (logFamily) RemainingSlack(*scenarios.Limit, time.Duration) (int64, bool) { return 0, false }

func (logFamily) ResetsWhole() bool { return false }
