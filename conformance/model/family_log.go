package model

import (
	"fmt"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/series"
	"github.com/ratecheck/ratecheck/scenarios"
)

// logFamily is the sliding log: at most n admitted in any span of w.
type logFamily struct{}

var _ Family = logFamily{}

func (f logFamily) Evaluate(a *Rules, all []*series.Series) *Evaluation {
	return a.judgeEach(all, f, func(s *series.Series, st *series.StateEval) { series.JudgeLog(s, a.P.W, a.P.N, st) })
}

func (logFamily) point(s *series.Series, _ *Evaluation, _ int, p Params) []bool {
	return series.PointLog(s, p.W, p.N)
}

func (logFamily) RescuesOnly() bool { return false }
func (logFamily) Quiet() bool       { return true }

func (logFamily) Describe(p Params, _ *Evaluation) string {
	return fmt.Sprintf("sliding-window, %d per %s", p.N, check.FormatWindow(time.Duration(p.W)))
}

func (logFamily) Name(Params) string { return "sliding log" }

func (logFamily) ParamsText(p Params, _ *Evaluation) string {
	return fmt.Sprintf("%d per %s", p.N, check.FormatWindow(time.Duration(p.W)))
}

func (logFamily) Smooths(Params) bool { return false }

func (logFamily) Burst(_ Params, l *scenarios.Limit) float64 { return float64(l.Requests) }

func (logFamily) ExpectedAdmissions(l *scenarios.Limit) string {
	return fmt.Sprintf("at most %d admitted in any %s", l.Requests, check.FormatWindow(l.Window))
}

func (logFamily) ExpectedRejections(l *scenarios.Limit) string {
	return fmt.Sprintf("admitted until %d are admitted in the last %s", l.Requests, check.FormatWindow(l.Window))
}

func (logFamily) AmbiguityWhere() string { return "within the timing tolerance" }

func (logFamily) OverNote(a *Rules, r Ref, d series.Detail) string {
	return fmt.Sprintf("admitted #%d within %s, beyond the limit of %d",
		d.Rank, check.FormatSeconds(r.S.Hi(r.I)-d.Start), a.Limit.Requests)
}

func (logFamily) RejectionNote(a *Rules, d series.Detail) string {
	return fmt.Sprintf("rejected with %s admitted in the %s before it (limit %d)",
		check.FormatNum(d.Level), check.FormatWindow(a.Limit.Window), a.Limit.Requests)
}

func (logFamily) WorstText(_ *Evaluation, over []Ref) string {
	w := worstOver(over)
	d := w.Ev.DetOf(w.I)
	return fmt.Sprintf("worst: %d admitted within %s", d.Rank, check.FormatSeconds(w.S.Hi(w.I)-d.Start))
}

func (logFamily) FrameNote(series.Detail) string { return "first admitted request of the crowded span" }

func (logFamily) Frame(*Rules, Ref) []Ref { return nil }

func (logFamily) Windowed() bool { return false }

// Frees is the limit's rate: a log's oldest requests leave its window at it.
func (logFamily) Frees(p Params) float64 { return float64(p.N) / float64(p.W) }

func (logFamily) ExcessNeedsFresh() bool { return false }

// EarlyBy is the room the log surely had left.
func (logFamily) EarlyBy(n int64, _ int, d series.Detail) int { return countedEarlyBy(n, d) }

func (logFamily) OnsetNote(a *Rules, c OnsetCtx) string {
	return a.streakOnsetNote(c, countedEarlyNote(c))
}

func (logFamily) OnsetPromise(l *scenarios.Limit) string { return countedOnsetPromise(l) }

func (logFamily) room(l *scenarios.Limit, d series.Detail) float64 {
	return float64(l.Requests) - d.Level
}

func (logFamily) Capacity(_ Params, l *scenarios.Limit) float64 { return float64(l.Requests) }

// RemainingSlack: a log frees quota continuously, which the headers may not show.
func (logFamily) RemainingSlack(*scenarios.Limit, time.Duration) (int64, bool) { return 0, false }

func (logFamily) ResetsWhole() bool { return false }

// MayFreeAll: an admission counts for a whole window after it.
func (logFamily) MayFreeAll() bool { return false }

// MostAdmitted is the limit: the family admits n per window.
func (logFamily) MostAdmitted(l *scenarios.Limit, _ time.Duration) int64 { return l.Requests }

// Holds: the log counts an admission for exactly a window.
func (logFamily) Holds(l *scenarios.Limit) (int64, time.Duration, time.Duration) {
	return l.Requests, l.Window, l.Window
}
