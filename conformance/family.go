package conformance

import (
	"fmt"
	"time"

	"github.com/ratecheck/ratecheck/conformance/series"
	"github.com/ratecheck/ratecheck/scenarios"
)

// A family is a limiter family the models know: how it judges a run, what it
// predicts for the Remaining header, what it needs observed, and how it
// explains its judgements. Each lives in a file of its own (family_*.go);
// callers never ask which one they hold. The parameters come from the limit
// (rules.p); what a family fits to a run (a window's alignment, a counter's
// phase) is a field of the evaluation it returns.
type family interface {
	// evaluate judges every series against the family with the parameters
	// a.p, searching what the family fits to the run.
	evaluate(a *rules, all []*series.Series) *evaluation
	// point returns the decisions of s (series x of ev) the point model
	// blames: the model evaluated at the best estimate of each arrival.
	point(s *series.Series, ev *evaluation, x int, p params) []bool
	// rescuesOnly reports whether the family is chosen only when it explains
	// the whole run, so that a faulty limiter is reported against the others.
	rescuesOnly() bool
	// quiet reports whether a run far under the limit can be judged from its
	// counts with this family (see underlimit_fastpath.go).
	quiet() bool
	// describe names the model of ev and its parameters: "fixed-window,
	// first-request-aligned".
	describe(p params, ev *evaluation) string

	// name and paramsText are the fingerprint's words for the model of ev:
	// "fixed window", "20 per 1s, first-request-aligned".
	name(p params) string
	paramsText(p params, ev *evaluation) string
	// smooths reports whether a bucket of about one request is meant: one
	// that spaces admissions 1/rate apart instead of letting a burst through.
	smooths(p params) bool
	// burst is the most the model lets through at once.
	burst(p params, l *scenarios.Limit) float64

	// The evidence: what the model allows, and why it blames a request.
	expectedAdmissions(l *scenarios.Limit) string
	expectedRejections(l *scenarios.Limit) string
	ambiguityWhere() string
	overNote(a *analysis, r reqRef, d series.Detail) string
	rejectionNote(a *analysis, d series.Detail) string
	worstText(a *analysis, over []reqRef) string
	frameNote(d series.Detail) string
	// frame lists the requests besides the first of its set that frame an
	// over-admission.
	frame(a *analysis, over reqRef) []reqRef

	// The onset of limiting (timing.onset): episodes are windows, or streaks
	// of rejections.
	windowed() bool
	earlyBy(n int64, admitted int, d series.Detail) int
	onsetNote(a *analysis, c onsetCtx) string
	onsetPromise(l *scenarios.Limit) string

	// room is how many more requests the model surely admitted when the
	// request of d was rejected; capacity is the most it ever admits at once.
	room(l *scenarios.Limit, d series.Detail) float64
	capacity(p params, l *scenarios.Limit) float64
	// frees is how fast the model frees quota as time passes, in requests a
	// nanosecond; 0 when it frees quota only at window boundaries. It is
	// what an arrival time's uncertainty costs in requests (see
	// cleanEpisodes).
	frees(p params) float64

	// remainingSlack is how much quota the family may give back between two
	// responses d apart within one window; false when it frees quota the
	// headers may not show. resetsWhole reports whether a Remaining of 0
	// stays 0 until the reset.
	RemainingSlack(l *scenarios.Limit, d time.Duration) (int64, bool)
	ResetsWhole() bool
}

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

// The families, one value each.
var (
	windows = windowFamily{}
	logs    = logFamily{}
	counter = counterFamily{}
	buckets = bucketFamily{}
)

// familiesFor is the one place that reads a limit's algorithm: the families
// it is judged against, the preferred first. An algorithm no family implements
// is an error, never a default.
func familiesFor(a scenarios.Algorithm) ([]family, error) {
	switch a {
	case scenarios.AlgoFixedWindow:
		return []family{windows}, nil
	case scenarios.AlgoSlidingWindow:
		return []family{logs, counter}, nil
	case scenarios.AlgoTokenBucket, scenarios.AlgoGCRA, scenarios.AlgoLeakyBucket:
		return []family{buckets}, nil
	case scenarios.AlgoAny, "":
		return []family{windows, logs, counter, buckets}, nil
	}
	return nil, fmt.Errorf("no limiter model implements algorithm %q", a)
}

// evaluate judges the series against the families of the declared algorithm
// and returns the most favourable evaluation (see score), the first family on
// a tie. A family that only ever rescues (the sliding-window counter) is
// chosen when it explains the whole run, so that correct counters pass, but a
// faulty limiter is reported against the other families (for
// sliding-window, the sliding log).
func (a *rules) evaluate(all []*series.Series) *evaluation {
	var best *evaluation
	for _, f := range a.families {
		ev := f.evaluate(a, all)
		switch {
		case f.rescuesOnly() && ev.score().violations > 0:
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
	if len(a.families) > 1 {
		of := a.limit.Algorithm
		if of == "" {
			of = scenarios.AlgoAny
		}
		best.desc = fmt.Sprintf("%s (best of %s)", best.desc, of)
	}
}

// markPoint counts the point model's violations for the chosen evaluation.
func markPoint(all []*series.Series, ev *evaluation, p params) {
	for x, s := range all {
		series.CountPoint(s, &ev.states[x], ev.family.point(s, ev, x, p))
	}
}

// judgeEach judges every series with judge and classifies the outcomes: the
// evaluation of a family whose model needs nothing fitted to the run.
func (a *rules) judgeEach(all []*series.Series, f family, judge func(s *series.Series, st *series.StateEval)) *evaluation {
	ev := &evaluation{family: f}
	ev.desc = f.describe(a.p, ev)
	for _, s := range all {
		st := a.newStateEval(s)
		judge(s, &st)
		ev.states = append(ev.states, st)
	}
	a.classifyAll(all, ev)
	return ev
}
