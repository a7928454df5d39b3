// Package model holds the limiter families a run is judged against, one type
// and one file each (family_window.go, family_log.go, family_counter.go,
// family_bucket.go), behind the Family interface: how it judges a run (with
// the judges of conformance/series), what it predicts for the headers, and
// how it explains its judgements. FamiliesFor is the one place that reads a
// limit's algorithm; an unknown one is an error. Rules are what judging a run
// needs besides its requests, an Evaluation one family's judgement of a run
// and its score; rejection_streaks.go tells early rejections from late
// recoveries.
package model

import (
	"fmt"
	"time"

	"github.com/ratecheck/ratecheck/conformance/series"
	"github.com/ratecheck/ratecheck/scenarios"
)

// A Refitter is a family whose Evaluate may keep a fit that nothing refutes
// while another fit of the family explains more of the run (see
// windowFamily.Refit); the fingerprint asks it for that other fit.
type Refitter interface {
	Refit(a *Rules, all []*series.Series, ev *Evaluation) *Evaluation
}

// A Family is a limiter family the models know: how it judges a run, what it
// predicts for the Remaining header, what it needs observed, and how it
// explains its judgements. Each lives in a file of its own (family_*.go);
// callers never ask which one they hold. The parameters come from the limit
// (rules.p); what a family fits to a run (a window's alignment, a counter's
// phase) is a field of the evaluation it returns.
type Family interface {
	// evaluate judges every series against the family with the parameters
	// a.p, searching what the family fits to the run.
	Evaluate(a *Rules, all []*series.Series) *Evaluation
	// point returns the decisions of s (series x of ev) the point model
	// blames: the model evaluated at the best estimate of each arrival.
	point(s *series.Series, ev *Evaluation, x int, p Params) []bool
	// rescuesOnly reports whether the family is chosen only when it explains
	// the whole run but for late recoveries (see Evaluation.lateOnly), so
	// that a faulty limiter is reported against the others.
	RescuesOnly() bool
	// quiet reports whether a run far under the limit can be judged from its
	// counts with this family (see underlimit_fastpath.go).
	Quiet() bool
	// describe names the model of ev and its parameters: "fixed-window,
	// first-request-aligned".
	Describe(p Params, ev *Evaluation) string

	// name and paramsText are the fingerprint's words for the model of ev:
	// "fixed window", "20 per 1s, first-request-aligned".
	Name(p Params) string
	ParamsText(p Params, ev *Evaluation) string
	// smooths reports whether a bucket of about one request is meant: one
	// that spaces admissions 1/rate apart instead of letting a burst through.
	Smooths(p Params) bool
	// burst is the most the model lets through at once.
	Burst(p Params, l *scenarios.Limit) float64

	// The evidence: what the model allows, and why it blames a request.
	ExpectedAdmissions(l *scenarios.Limit) string
	ExpectedRejections(l *scenarios.Limit) string
	AmbiguityWhere() string
	OverNote(a *Rules, r Ref, d series.Detail) string
	RejectionNote(a *Rules, d series.Detail) string
	WorstText(ev *Evaluation, over []Ref) string
	FrameNote(d series.Detail) string
	// frame lists the requests besides the first of its set that frame an
	// over-admission.
	Frame(a *Rules, over Ref) []Ref

	// MostAdmitted is the most a correct limiter of the family admits of
	// limit l over span, from full: what a quota may have admitted in a run
	// (for a windowed family, within one window).
	MostAdmitted(l *scenarios.Limit, span time.Duration) int64

	// The onset of limiting (timing.onset): episodes are windows, or streaks
	// of rejections.
	Windowed() bool
	EarlyBy(n int64, admitted int, d series.Detail) int
	OnsetNote(a *Rules, c OnsetCtx) string
	OnsetPromise(l *scenarios.Limit) string

	// room is how many more requests the model surely admitted when the
	// request of d was rejected; capacity is the most it ever admits at once.
	room(l *scenarios.Limit, d series.Detail) float64
	Capacity(p Params, l *scenarios.Limit) float64
	// frees is how fast the model frees quota as time passes, in requests a
	// nanosecond; 0 when it frees quota only at window boundaries. It is
	// what an arrival time's uncertainty costs in requests (see
	// cleanEpisodes).
	Frees(p Params) float64
	// ExcessNeedsFresh reports whether one admission too many shows only in
	// an episode that began on a fresh limit: a bucket of N+1 drained to its
	// refill rate admits as one of N does, so only a burst from a full
	// bucket tells them apart. A window opens empty at each boundary, and a
	// log counts the admissions of the last window wherever it stands.
	ExcessNeedsFresh() bool

	// remainingSlack is how much quota the family may give back between two
	// responses d apart within one window; false when it frees quota the
	// headers may not show. resetsWhole reports whether a Remaining of 0
	// stays 0 until the reset.
	RemainingSlack(l *scenarios.Limit, d time.Duration) (int64, bool)
	ResetsWhole() bool
	// MayFreeAll reports whether the family frees every unit at once, the
	// admission just made included (a fixed window's end).
	MayFreeAll() bool
	// Holds is the quota a fresh client of limit l has, and how long an
	// admission counts against it: wholly for whole after it was decided,
	// then less and less (at most linearly) until gone.
	Holds(l *scenarios.Limit) (quota int64, whole, gone time.Duration)
}

// A BlindSpotter is a family with an over-admission no run can show: a pass
// against it says so.
type BlindSpotter interface {
	BlindSpot(p Params) string
}

// Params is the declared limit in model units.
type Params struct {
	N     int64   // requests per window
	W     int64   // window, nanoseconds
	Burst float64 // bucket capacity
	Rate  float64 // bucket refill, tokens a nanosecond
}

// ParamsOf is limit l in model units.
func ParamsOf(l *scenarios.Limit) Params {
	p := Params{N: l.Requests, W: int64(l.Window)}
	p.Burst = float64(l.Requests)
	if l.Burst > 0 {
		p.Burst = float64(l.Burst)
	}
	p.Rate = float64(l.Requests) / float64(l.Window)
	return p
}

// The families, one value each.
var (
	Windows = windowFamily{}
	Logs    = logFamily{}
	Counter = counterFamily{}
	Buckets = bucketFamily{}
)

// FamiliesFor is the one place that reads a limit's algorithm: the families
// it is judged against, the preferred first. An algorithm no family implements
// is an error, never a default. A limit that leaves the algorithm open but
// declares a burst is some bucket (scenarios.Limit.IsBucket): a window or a
// log admits no burst beyond its limit, so only the buckets can keep that
// promise.
func FamiliesFor(l *scenarios.Limit) ([]Family, error) {
	if l.IsBucket() {
		return []Family{Buckets}, nil
	}
	switch l.Algorithm {
	case scenarios.AlgoFixedWindow:
		return []Family{Windows}, nil
	case scenarios.AlgoSlidingWindow:
		return []Family{Logs, Counter}, nil
	case scenarios.AlgoAny, "":
		return []Family{Windows, Logs, Counter, Buckets}, nil
	}
	return nil, fmt.Errorf("no limiter model implements algorithm %q", l.Algorithm)
}

// Evaluate judges the series against the families of the declared algorithm
// and returns the most favourable evaluation (see score), the first family on
// a tie. A family that only ever rescues (the sliding-window counter) is
// chosen when it explains the whole run, so that correct counters pass, or
// every admission and every onset of a streak, the limit only lifting late
// (see Evaluation.lateOnly), so that a counter that keeps a retrying client
// out fails recovery alone; any other faulty limiter is reported against the
// other families (for sliding-window, the sliding log).
//
// The other families' evaluations it made are returned in tried, their
// details forgotten: only their outcomes are read again (the fingerprint
// counts them instead of judging the run once more with the same model).
func (a *Rules) Evaluate(all []*series.Series) (best *Evaluation, tried []*Evaluation) {
	keep := func(ev *Evaluation) bool {
		switch {
		case ev.Family.RescuesOnly() && !ev.lateOnly():
		case best == nil || ev.score().less(best.score()) ||
			best.PhaseFitted && !ev.PhaseFitted && ev.score() == best.score():
			if best != nil {
				tried = append(tried, best.forget())
			}
			best = ev
			// Nothing explains a run better, and the first family wins
			// ties, except that one explaining it without a fitted phase
			// wins over one with (Evaluation.PhaseFitted).
			return best.score().violations > 0 || best.PhaseFitted
		}
		tried = append(tried, ev.forget())
		return true
	}
	// The first family first: a correct limiter is most often explained by
	// it, and then the others are not judged at all. The others are
	// counted only: the one chosen is judged again with its details
	// (explained). When evaluations may run side by side (Workers), the
	// first runs beside the others, one worker each, rather than alone with
	// its alignments side by side: its steps are mostly one after the other
	// (a window's chains, then its alignments), and the others need not
	// wait for them. They are kept in the same order, so the verdict is the
	// same; a limiter the first family explains then has one or two of the
	// others judged for nothing.
	var first *Evaluation
	judge := func(k int, r *Rules) *Evaluation {
		if k == 0 {
			first = a.Families[0].Evaluate(r, all)
			return first
		}
		return a.Families[k].Evaluate(r.counting(), all)
	}
	switch {
	case len(a.Families) == 1:
		keep(judge(0, a))
	case a.Workers > 1:
		a.Share(all)
		inner := a.Inner(len(a.Families))
		InOrder(len(a.Families), a.Workers,
			func(k int) *Evaluation { return judge(k, inner) },
			func(_ int, ev *Evaluation) bool { return keep(ev) })
	case keep(judge(0, a)):
		a.Share(all)
		for k := 1; k < len(a.Families); k++ {
			if !keep(judge(k, a)) {
				break
			}
		}
	}
	best = best.explained(a, best != first)
	best.redo = nil // the judges it holds are done with
	if best.PhaseFitted && best.score().violations == 0 {
		for _, ev := range tried {
			if best.Rival == nil || ev.score().less(best.Rival.score()) {
				best.Rival = ev
			}
		}
	}
	a.DescribeBest(best)
	MarkPoint(all, best, a.P)
	return best, tried
}

// forget drops the details of ev's judgements, which only the evaluation
// chosen explains, and returns it.
func (ev *Evaluation) forget() *Evaluation {
	for x := range ev.States {
		ev.States[x].Forget()
	}
	ev.redo = nil
	return ev
}

// DescribeBest adds to the description of the evaluation chosen that it was
// the best of several families, when the algorithm has several.
func (a *Rules) DescribeBest(best *Evaluation) {
	if len(a.Families) > 1 {
		of := a.Limit.Algorithm
		if of == "" {
			of = scenarios.AlgoAny
		}
		best.Desc = fmt.Sprintf("%s (best of %s)", best.Desc, of)
	}
}

// MarkPoint counts the point model's violations for the chosen evaluation.
func MarkPoint(all []*series.Series, ev *Evaluation, p Params) {
	for x, s := range all {
		series.CountPoint(s, &ev.States[x], ev.Family.point(s, ev, x, p))
	}
}

// judgeEach judges every series with judge and classifies the outcomes: the
// evaluation of a family whose model needs nothing fitted to the run.
func (a *Rules) judgeEach(all []*series.Series, f Family, judge func(s *series.Series, st *series.StateEval)) *Evaluation {
	ev := &Evaluation{Family: f}
	ev.redo = func(r *Rules) *Evaluation { return r.judgeEach(all, f, judge) }
	ev.Desc = f.Describe(a.P, ev)
	for _, s := range all {
		st := a.newStateEval(s)
		judge(s, &st)
		ev.States = append(ev.States, st)
	}
	a.classifyAll(all, ev)
	return ev
}
