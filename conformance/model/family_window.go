package model

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

var _ Family = windowFamily{}

// Alignment is where a model's windows start on the clock, fitted to the run.
type Alignment struct {
	Into time.Duration // the windows start this far past each multiple of the window
	How  string        // how the alignment was found; "" when that goes unsaid
	// Assumed says the windows were put to start at the run's first
	// request, not found in the server's answers or on the wall clock.
	Assumed bool
}

// firstRequestDesc describes the first window model tried.
const firstRequestDesc = "fixed-window, first-request-aligned"

// Evaluate tries first-request-aligned chains and the clock alignments and
// keeps the best-scoring evaluation. The alignments are only counted (and
// may be judged side by side); the one chosen is judged again with its
// details (explained).
func (f windowFamily) Evaluate(a *Rules, all []*series.Series) *Evaluation {
	chains := f.chains(a, all)
	if a.Capped && f.beyondCeiling(a, all, chains) {
		return &Evaluation{Family: f}
	}
	first := f.judge(a, all, nil, chains)
	if first.score().violations == 0 {
		return first
	}
	best := first
	if c := f.bestClock(a, all, first.score()); c != nil {
		best = c
	}
	return best.explained(a, best != first)
}

// Refit returns the best clock alignment when ev is a chain of
// first-request-aligned windows that nothing refutes, and ev otherwise.
// Judging keeps such a chain (a correct limiter passes whenever one model
// explains it), but under load a chain may stay unrefuted only because
// hundreds of its decisions are ambiguous, where a clock alignment explains
// them: the fingerprint, which ranks fits by what they explain, asks for
// both.
func (f windowFamily) Refit(a *Rules, all []*series.Series, ev *Evaluation) *Evaluation {
	if ev.Align != nil || ev.score().violations > 0 {
		return ev
	}
	if c := f.bestClock(a, all, score{kinds: 1 << 30}); c != nil {
		return c.explained(a, true)
	}
	return ev
}

// chains is every series' first-request-aligned windows and their judge.
func (f windowFamily) chains(a *Rules, all []*series.Series) []windowJudge {
	js := make([]windowJudge, len(all))
	for x, s := range all {
		js[x].wins, js[x].j = series.FirstRequestWindows(s, a.P.W, a.P.N)
	}
	return js
}

// beyondCeiling reports whether every alignment the family could choose
// (the chains, each clock alignment) surely has more than a.Ceiling
// violations: more over-admissions alone, which its judgement finds first
// (series.WindowJudge.Overs) and classifying never changes. It stops at
// the first alignment that may not.
func (f windowFamily) beyondCeiling(a *Rules, all []*series.Series, chains []windowJudge) bool {
	if !overCeiling(chains, a.Ceiling) {
		return false
	}
	for _, ph := range series.ClockPhases(all, a.Origin, a.P.W) {
		if !overCeiling(f.clockJudges(all, ph, a.P.W, a.P.N), a.Ceiling) {
			return false
		}
	}
	return true
}

// overCeiling reports whether the series judged by js have more than
// ceiling over-admissions between them. The admissions each window surely
// holds beyond its limit (series.WindowJudge.SureOvers, a lower bound)
// often say so already; the matching (Overs) counts the rest only when
// they do not.
func overCeiling(js []windowJudge, ceiling int) bool {
	n := 0
	for _, j := range js {
		if n += j.j.SureOvers(); n > ceiling {
			return true
		}
	}
	n = 0
	for _, j := range js {
		n += j.j.Overs()
	}
	return n > ceiling
}

// clockJudges is every series' windows of clock alignment ph and their judge.
func (windowFamily) clockJudges(all []*series.Series, ph series.ClockPhase, w, n int64) []windowJudge {
	js := make([]windowJudge, len(all))
	for x, s := range all {
		js[x].wins = series.ClockWindows(s, ph, w)
		js[x].j = series.NewWindowJudge(s, js[x].wins, w, n)
	}
	return js
}

// bestClock judges the clock alignments in order, counted only, and returns
// the first that scores least and below than, stopping at one without
// violations; nil when none scores below than.
func (f windowFamily) bestClock(a *Rules, all []*series.Series, than score) *Evaluation {
	p := a.P
	// The alignments are ranked in their order however they are judged.
	a.Share(all)
	counted := a.counting()
	phases := series.ClockPhases(all, a.Origin, p.W)
	var best *Evaluation
	InOrder(len(phases), a.Workers, func(k int) *Evaluation {
		ph := phases[k]
		into := time.Duration(records.FloorMod(a.Origin+(ph.Lo+ph.Hi)/2, p.W))
		js := f.clockJudges(all, ph, p.W, p.N)
		return f.judge(counted, all, &Alignment{Into: into, How: ph.Name, Assumed: ph.Assumed}, js)
	}, func(_ int, ev *Evaluation) bool {
		if sc := ev.score(); sc.less(than) {
			if best != nil {
				best.forget() // its lists go to the alignments still to judge
			}
			best, than = ev, sc
		} else {
			ev.forget()
		}
		return than.violations > 0
	})
	return best
}

// windowJudge is one series' windows and their judge.
type windowJudge struct {
	wins []series.Window
	j    *series.WindowJudge
}

// judge judges every series against its windows.
func (f windowFamily) judge(a *Rules, all []*series.Series, align *Alignment, js []windowJudge) *Evaluation {
	ev := &Evaluation{Family: f, Align: align}
	ev.Desc = f.Describe(a.P, ev)
	ev.redo = func(r *Rules) *Evaluation { return f.judge(r, all, align, js) }
	for x, s := range all {
		st := a.newStateEval(s)
		ev.Worst = max(ev.Worst, js[x].j.Judge(&st))
		ev.States = append(ev.States, st)
		ev.wins = append(ev.wins, js[x].wins)
	}
	a.classifyAll(all, ev)
	return ev
}

func (windowFamily) point(s *series.Series, ev *Evaluation, x int, p Params) []bool {
	return series.PointWindows(s, ev.wins[x], p.W, p.N)
}

func (windowFamily) RescuesOnly() bool { return false }
func (windowFamily) Quiet() bool       { return true }

func (windowFamily) Describe(p Params, ev *Evaluation) string {
	if ev.Align == nil {
		return firstRequestDesc
	}
	return fmt.Sprintf("fixed-window, clock-aligned %s (%s)", check.FormatAlignment(ev.Align.Into, time.Duration(p.W)), ev.Align.How)
}

func (windowFamily) Name(Params) string { return "fixed window" }

func (windowFamily) ParamsText(p Params, ev *Evaluation) string {
	per := fmt.Sprintf("%d per %s", p.N, check.FormatWindow(time.Duration(p.W)))
	if ev.Align == nil {
		return per + ", first-request-aligned"
	}
	return per + ", clock-aligned " + check.FormatAlignment(ev.Align.Into, time.Duration(p.W))
}

func (windowFamily) Smooths(Params) bool { return false }

func (windowFamily) Burst(_ Params, l *scenarios.Limit) float64 { return float64(l.Requests) }

func (windowFamily) ExpectedAdmissions(l *scenarios.Limit) string {
	return fmt.Sprintf("at most %d admitted per %s window", l.Requests, check.FormatWindow(l.Window))
}

func (windowFamily) ExpectedRejections(l *scenarios.Limit) string {
	return fmt.Sprintf("admitted until %d are admitted in the current %s window", l.Requests, check.FormatWindow(l.Window))
}

func (windowFamily) AmbiguityWhere() string { return "near window boundaries" }

func (windowFamily) OverNote(a *Rules, _ Ref, d series.Detail) string {
	return fmt.Sprintf("admitted #%d in the window starting %s, beyond the limit of %d",
		d.Rank, check.FormatOffset(d.Start), a.Limit.Requests)
}

func (windowFamily) RejectionNote(a *Rules, d series.Detail) string {
	if d.Start == series.NoWindow {
		return fmt.Sprintf("rejected with no window open: the last had expired, so it would have opened one with room for %d", a.Limit.Requests)
	}
	return fmt.Sprintf("rejected with %s admitted in the window starting %s (limit %d)",
		check.FormatNum(d.Level), check.FormatOffset(d.Start), a.Limit.Requests)
}

func (windowFamily) WorstText(ev *Evaluation, _ []Ref) string {
	return fmt.Sprintf("worst window: %d admitted", ev.Worst)
}

func (windowFamily) FrameNote(d series.Detail) string {
	return fmt.Sprintf("admitted #%d in the window starting %s", d.Rank, check.FormatOffset(d.Start))
}

// Frame adds the last admitted request that fit in over's window.
func (windowFamily) Frame(a *Rules, over Ref) []Ref { return a.lastFitting(over) }

func (windowFamily) Windowed() bool { return true }

// Frees is 0: a fixed window frees its quota at once, at its boundary.
func (windowFamily) Frees(Params) float64 { return 0 }

func (windowFamily) ExcessNeedsFresh() bool { return false }

// EarlyBy places a wrongful first rejection in its window: at least one early.
func (windowFamily) EarlyBy(n int64, admitted int, d series.Detail) int {
	return int(max(1, n-min(int64(admitted), int64(d.Level))))
}

func (windowFamily) OnsetNote(a *Rules, c OnsetCtx) string { return a.windowOnsetNote(c) }

func (windowFamily) OnsetPromise(l *scenarios.Limit) string {
	return fmt.Sprintf("the first rejection came at request %d of the window", l.Requests+1)
}

// room is the count's upper bound subtracted from the limit.
func (windowFamily) room(l *scenarios.Limit, d series.Detail) float64 {
	return float64(l.Requests) - d.Level
}

func (windowFamily) Capacity(_ Params, l *scenarios.Limit) float64 { return float64(l.Requests) }

// RemainingSlack: a window gives nothing back before it ends.
func (windowFamily) RemainingSlack(*scenarios.Limit, time.Duration) (int64, bool) { return 0, true }

func (windowFamily) ResetsWhole() bool { return true }

// MayFreeAll: a window's end frees every unit, the last admission's too.
func (windowFamily) MayFreeAll() bool { return true }

// MostAdmitted is the limit: the family admits n per window.
func (windowFamily) MostAdmitted(l *scenarios.Limit, _ time.Duration) int64 { return l.Requests }

// Holds: an admission counts until its window ends, at most a window later.
func (windowFamily) Holds(l *scenarios.Limit) (int64, time.Duration, time.Duration) {
	return l.Requests, l.Window, l.Window
}
