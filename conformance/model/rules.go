package model

import (
	"fmt"
	"slices"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/conformance/series"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/scenarios"
)

// Rules is what judging a run needs besides its requests.
type Rules struct {
	Plan  *plan.Plan
	Limit *scenarios.Limit
	P     Params // the limit in model units
	// families are those the limit's algorithm is judged against, the
	// preferred first (see familiesFor).
	Families []Family
	Origin   int64  // Sent of the first observation, Unix nanoseconds
	Seq0     uint64 // records keep their Seq relative to it (see records.Collector.SeqOf)
	// counting marks evaluations whose outcomes are only counted, never
	// explained: those of the fingerprint's candidate models.
	Counting bool
	// Workers is how many evaluations may run at once (see InOrder); ≤ 1
	// runs them one after the other.
	Workers int
	// Ceiling, when Capped, is the most violations an evaluation may have
	// and still be of use: a fingerprint candidate with more cannot beat
	// the fit in hand. A family may then stop judging once it is sure that
	// whatever it would choose has more, and give an evaluation without
	// States.
	Ceiling int
	Capped  bool
}

// SeqOf is r's Seq.
func (a *Rules) SeqOf(r *records.Record) uint64 { return a.Seq0 + uint64(int64(r.Seq)) }

// Recovery is the promised time after which requests succeed again.
func (a *Rules) Recovery() time.Duration {
	if a.Limit.Recovery > 0 {
		return a.Limit.Recovery
	}
	return a.Limit.Window
}

// PlannedPastLimit reports whether the plan meant to drive traffic past the
// limit (a phase over it): then a run that never got there could not decide
// what the limit checks look for (the rate was not reached); a plan that
// stays under the limit never meant to judge enforcement.
func (a *Rules) PlannedPastLimit() bool {
	_, ok := a.firstPastLimit()
	return ok
}

// PlannedPastRecovery reports whether the plan, once it first drove traffic
// past the limit, went on for at least the promised recovery: then a run
// that never saw the limit lift could not decide recovery.after-window. A
// plan shorter than the promise (an hour's window in a half-minute run)
// never meant to see it lift.
func (a *Rules) PlannedPastRecovery() bool {
	start, ok := a.firstPastLimit()
	return ok && a.Plan.Duration()-start >= a.Recovery()
}

// firstPastLimit is when the plan's first phase over the limit (an over or
// probe phase) starts; false when it has none.
func (a *Rules) firstPastLimit() (time.Duration, bool) {
	if a.Plan == nil {
		return 0, false
	}
	for _, ph := range a.Plan.Phases {
		if ph.Kind == scenarios.PhaseOver || ph.Kind == scenarios.PhaseProbe {
			return ph.Start, true
		}
	}
	return 0, false
}

// PhaseKind returns the kind of plan phase i, or "" when there is none.
func (a *Rules) PhaseKind(i int32) scenarios.PhaseKind {
	if a.Plan == nil || i < 0 || int(i) >= len(a.Plan.Phases) {
		return ""
	}
	return a.Plan.Phases[i].Kind
}

// PhaseName returns the name of plan phase i, or "" when there is none.
func (a *Rules) PhaseName(i int32) string {
	if a.Plan == nil || i < 0 || int(i) >= len(a.Plan.Phases) {
		return ""
	}
	return a.Plan.Phases[i].Name
}

// reqRef names one judged request.
type Ref struct {
	S  *series.Series
	Ev *series.StateEval
	I  int
}

// Rec is the record of the request r names.
func (r Ref) Rec() records.Record { return r.S.Reqs[r.I] }

// OnsetCtx is what the note of one onset reads: its first rejection, the
// admissions of its episode before it, its streak, the admissions of the
// episode in all, how many requests early or late it was, and that in words
// ("2 early").
type OnsetCtx struct {
	R           Ref
	Adm, Streak []int
	Total       int
	Early, Late int // requests too early or too late (see onset)
	Off         string
}

// windowOnsetNote explains an onset in a window by the first rejection's
// place in it.
func (a *Rules) windowOnsetNote(c OnsetCtx) string {
	r, adm, off := c.R, c.Adm, c.Off
	status := r.Rec().Status
	pos := len(adm) + 1
	if c.Early > 0 {
		pos = min(pos, int(a.Limit.Requests)+1-c.Early)
	}
	note := fmt.Sprintf("first %d came at request %d of the window", status, pos)
	switch {
	case off == "":
		return note
	case c.Late > 0 && pos <= int(a.Limit.Requests)+c.Late:
		// Some of the window's excess came after the streak began.
		return fmt.Sprintf("%s, which admitted %d (%s)", note, c.Total, off)
	}
	// The request that should have been the first rejection, in send order.
	items := append(slices.Clone(adm), c.Streak...)
	if n := int(a.Limit.Requests); n < len(items) {
		off += ", " + FormatMillis(series.Abs(r.S.Reqs[items[n]].Sent-r.Rec().Sent))
	}
	return note + " (" + off + ")"
}

// streakOnsetNote explains an onset of a streak (the families that are not
// windows); early is the family's note for a first rejection that came early.
func (a *Rules) streakOnsetNote(c OnsetCtx, early string) string {
	r := c.R
	status := r.Rec().Status
	switch {
	case c.Early > 0:
		return early
	case c.Late > 0:
		var firstOver int64
		for _, i := range c.Adm {
			if r.Ev.Out[i] == series.AdmitOver {
				firstOver = r.S.Reqs[i].Sent
				break
			}
		}
		return fmt.Sprintf("first %d came after %s beyond the limit (%s, %s)",
			status, check.Plural(c.Late, "admission", "admissions"), c.Off, FormatMillis(r.Rec().Sent-firstOver))
	}
	return fmt.Sprintf("first %d came after %d admissions", status, len(c.Adm))
}

// fmtMillis writes a duration in whole milliseconds: 50 ms.
func FormatMillis(ns int64) string {
	return fmt.Sprintf("%d ms", (ns+500_000)/1_000_000)
}

// worstOver is the over-admission with the largest excess, the earliest on a tie.
func worstOver(over []Ref) Ref {
	w := over[0]
	excess := func(r Ref) float64 {
		d := r.Ev.DetOf(r.I)
		return float64(d.Rank) - d.Level
	}
	for _, r := range over[1:] {
		if r.Ev.DetOf(r.I).Rank > w.Ev.DetOf(w.I).Rank || excess(r) > excess(w) {
			w = r
		}
	}
	return w
}

// lastFitting returns the admitted request ranked at the limit in over's window,
// when it is not the window's first.
func (a *Rules) lastFitting(over Ref) []Ref {
	d := over.Ev.DetOf(over.I)
	for i := range over.S.Reqs {
		o := over.Ev.DetOf(i)
		if over.S.Adm[i] && o.Ref == d.Ref && int64(o.Rank) == a.Limit.Requests && i != int(d.Ref) {
			return []Ref{{over.S, over.Ev, i}}
		}
	}
	return nil
}

// QuietEvaluation is the evaluation the models reach for a quiet run: the
// first family of the algorithm, explaining every decision.
func (a *Rules) QuietEvaluation() *Evaluation {
	f := a.Families[0]
	ev := &Evaluation{Family: f}
	ev.Desc = f.Describe(a.P, ev)
	a.DescribeBest(ev)
	return ev
}
