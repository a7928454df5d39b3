package model

import (
	"sort"

	"github.com/ratecheck/ratecheck/conformance/series"
)

// Evaluation is one model's judgement of a whole run.
type Evaluation struct {
	Family Family
	Desc   string             // the model and its parameters, e.g. "fixed-window, clock-aligned at +0.370 s"
	Phase  int64              // counters: where windows start, ns since the first observation mod W
	Align  *Alignment         // where the windows start on the clock; nil for windows chained from a first request
	States []series.StateEval // one per series
	wins   [][]series.Window  // window families: the windows of each series
	// PhaseFitted says the evaluation puts a window boundary inside a run
	// shorter than two windows where neither the server's answers, the first
	// request nor the wall clock put one: the search placed it where it
	// explains the run. Rival is then the family that blames the server the
	// least, if one does (Rules.Evaluate): the run cannot tell the two apart.
	PhaseFitted bool
	Rival       *Evaluation
	// worst is the largest admitted count the model found in one window
	// (fixed windows only; 0 for the other families).
	Worst int64
	sc    *score // cached by score
	// redo judges the run again as ev did, under other rules: an evaluation
	// only counted (Rules.Counting) is judged again with its details once
	// it is chosen. nil when ev judged nothing.
	redo func(a *Rules) *Evaluation
}

// explained is ev judged under a, with the details a keeps: ev itself when
// it was judged so, else ev judged again (redo; the outcomes are the same,
// counting leaves out only details).
func (ev *Evaluation) explained(a *Rules, counted bool) *Evaluation {
	if !counted || a.Counting || ev.redo == nil {
		return ev
	}
	return ev.redo(a)
}

// counting is a with evaluations only counted: to be judged side by side
// and chosen among, their details left for the one chosen (explained).
func (a *Rules) counting() *Rules {
	if a.Counting {
		return a
	}
	r := *a
	r.Counting = true
	return &r
}

// score ranks the explanations of a run; the most favourable is the least.
// Any explanation without violations beats every other, so a correct limiter
// passes whenever one alignment or family explains it. Among explanations that
// blame the server, the one blaming the fewest kinds of fault (over-admission,
// early rejection, late recovery) comes first, then the fewest episodes (runs of
// consecutive requests breaking the model the same way), then the fewest
// violations: a misplaced window must not pass off a limiter that rejects early
// in every window as a few over-admissions followed by late recoveries.
type score struct{ kinds, episodes, violations int }

func (a score) less(b score) bool {
	if a.kinds != b.kinds {
		return a.kinds < b.kinds
	}
	if a.violations != b.violations {
		return a.violations < b.violations
	}
	return a.episodes < b.episodes
}

func (ev *Evaluation) score() score {
	if ev.sc == nil {
		sc := ev.computeScore()
		ev.sc = &sc
	}
	return *ev.sc
}

func (ev *Evaluation) computeScore() score {
	var sc score
	seen := map[series.Outcome]bool{}
	for i := range ev.States {
		var prev series.Outcome
		for _, o := range ev.States[i].Out {
			if !o.Violation() {
				prev = series.AdmitOK
				continue
			}
			sc.violations++
			if !seen[o] {
				seen[o] = true
				sc.kinds++
			}
			if k := kindOf(o); k != prev {
				sc.episodes++
				prev = k
			}
		}
	}
	return sc
}

// OverAdmissions counts the admissions ev blames as beyond the limit.
func (ev *Evaluation) OverAdmissions() int {
	n := 0
	for i := range ev.States {
		for _, o := range ev.States[i].Out {
			if o == series.AdmitOver {
				n++
			}
		}
	}
	return n
}

// lateOnly reports whether every violation of ev, if any, is a late
// recovery: the model explains every admission and the onset of every
// streak, and the limit only stayed closed past its lift. An evaluation
// without details (a search that found nothing) is not.
func (ev *Evaluation) lateOnly() bool {
	if ev.States == nil {
		return false
	}
	for i := range ev.States {
		for _, o := range ev.States[i].Out {
			if o.Violation() && o != series.RejectRecovery {
				return false
			}
		}
	}
	return true
}

// kindOf maps a violation to its kind: admitOver or rejectWrong.
func kindOf(o series.Outcome) series.Outcome {
	if o == series.AdmitOver {
		return series.AdmitOver
	}
	return series.RejectWrong
}

// newStateEval makes the state of s to judge, counted only (no details of
// admissions) when a is.
func (a *Rules) newStateEval(s *series.Series) series.StateEval {
	e := series.NewStateEval(s)
	e.Counting = a.Counting
	return e
}

// Opener is the request that opened the window of request i of series x in
// a chain of first-request-aligned windows: the last opener sent at or
// before i. ok is false for windows on the clock and families without
// windows.
func (ev *Evaluation) Opener(x, i int) (o int, ok bool) {
	if x >= len(ev.wins) {
		return 0, false
	}
	wins := ev.wins[x]
	k := sort.Search(len(wins), func(k int) bool { return wins[k].Starter() > i }) - 1
	if k < 0 || wins[k].Starter() < 0 {
		return 0, false
	}
	return wins[k].Starter(), true
}

// ClockStart is the earliest and latest start of the clock-aligned window
// of series x that a request arriving by at falls in: the last window that
// may have started by then. ok is false for chains of first-request-aligned
// windows and for families without windows.
func (ev *Evaluation) ClockStart(x int, at int64) (lo, hi int64, ok bool) {
	if ev.Align == nil || x >= len(ev.wins) {
		return 0, 0, false
	}
	wins := ev.wins[x]
	k := sort.Search(len(wins), func(k int) bool {
		lo, _ := wins[k].Start()
		return lo > at
	}) - 1
	if k < 0 {
		return 0, 0, false
	}
	lo, hi = wins[k].Start()
	return lo, hi, true
}
