package model

import (
	"fmt"
	"math"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/series"
	"github.com/ratecheck/ratecheck/scenarios"
)

// bucketFamily is the token bucket (GCRA, and the leaky bucket as a meter):
// capacity burst, refilled at rate. A bucket of about one request smooths
// traffic (a leaky bucket): it spaces admissions 1/rate apart.
type bucketFamily struct{}

var _ Family = bucketFamily{}

func (f bucketFamily) Evaluate(a *Rules, all []*series.Series) *Evaluation {
	if a.Capped {
		return f.evaluateCapped(a, all)
	}
	ev := a.judgeEach(all, f, f.judge(a.P))
	if a.Counting && explainCounted {
		ev.redo = func(r *Rules) *Evaluation { return f.explain(r, all, a.P, ev) }
	}
	return ev
}

// explainCounted lets a counted bucket evaluation chosen be explained from
// what it counted (explain) instead of judged again; tests turn it off to
// compare with judging again.
var explainCounted = true

// explain is counted, a counted evaluation of the bucket of p, as judging
// again under r (judgeEach) would give it with details: series.BucketExplained
// of each series, the outcomes as counted and classified. The outcomes do
// not depend on counting (a rejection's level is kept either way, and
// classifying reads nothing else), so they are the same; counted is not
// to be read again.
func (f bucketFamily) explain(r *Rules, all []*series.Series, p Params, counted *Evaluation) *Evaluation {
	if r.Counting || r.P != p {
		return r.judgeEach(all, f, f.judge(p))
	}
	ev := &Evaluation{Family: f}
	ev.Desc = f.Describe(p, ev)
	ev.redo = func(r *Rules) *Evaluation { return r.judgeEach(all, f, f.judge(p)) }
	for x, s := range all {
		ev.States = append(ev.States, series.BucketExplained(s, p.Burst, p.Rate, counted.States[x]))
	}
	return ev
}

// judge judges a series against the bucket of p.
func (bucketFamily) judge(p Params) func(s *series.Series, st *series.StateEval) {
	return func(s *series.Series, st *series.StateEval) { series.JudgeBucket(s, p.Burst, p.Rate, st) }
}

// evaluateCapped is Evaluate under a.Ceiling: the over-admissions of every
// series first (series.BucketOverAtMost, which stops once they pass the
// ceiling), which classifying never changes, and the rest of the judgement
// only when they leave the ceiling within reach; else an evaluation
// without States.
func (f bucketFamily) evaluateCapped(a *Rules, all []*series.Series) *Evaluation {
	states := make([]series.StateEval, len(all))
	over := 0
	for x, s := range all {
		states[x] = a.newStateEval(s)
		n, ok := series.BucketOverAtMost(s, a.P.Burst, a.P.Rate, &states[x], a.Ceiling-over)
		if over += n; !ok {
			return &Evaluation{Family: f} // past the ceiling: the series after need not be judged
		}
	}
	x := 0
	ev := a.judgeEach(all, f, func(s *series.Series, st *series.StateEval) {
		*st = states[x] // judgeEach takes the series in order
		x++
		series.BucketRest(s, a.P.Burst, a.P.Rate, st)
	})
	ev.redo = func(r *Rules) *Evaluation { return r.judgeEach(all, f, f.judge(a.P)) } // as uncapped
	return ev
}

func (bucketFamily) point(s *series.Series, _ *Evaluation, _ int, p Params) []bool {
	return series.PointBucket(s, p.Burst, p.Rate)
}

func (bucketFamily) RescuesOnly() bool { return false }

// Quiet is false: a bucket's burst may be under the limit, so a run under the
// limit may still have emptied it.
func (bucketFamily) Quiet() bool { return false }

func (bucketFamily) Describe(p Params, _ *Evaluation) string {
	return fmt.Sprintf("token-bucket, burst %s, refill %s/s", check.FormatNum(p.Burst), check.FormatNum(p.Rate*float64(time.Second)))
}

func (f bucketFamily) Name(p Params) string {
	if f.Smooths(p) {
		return "leaky bucket"
	}
	return "token bucket"
}

// ParamsText writes "burst 20, refill 20/s", or "1 per 50 ms (smoothing,
// burst 1)".
func (f bucketFamily) ParamsText(p Params, _ *Evaluation) string {
	if f.Smooths(p) {
		return fmt.Sprintf("1 per %s (smoothing, burst %s)", check.FormatInterval(1/p.Rate), check.FormatNum(p.Burst))
	}
	return fmt.Sprintf("burst %s, refill %s/s", check.FormatNum(p.Burst), check.FormatNum(p.Rate*float64(time.Second)))
}

func (bucketFamily) Smooths(p Params) bool { return p.Burst < 2 }

func (bucketFamily) Burst(p Params, _ *scenarios.Limit) float64 { return p.Burst }

func (bucketFamily) ExpectedAdmissions(l *scenarios.Limit) string {
	p := ParamsOf(l)
	return fmt.Sprintf("at most %s + %s/s × elapsed admitted (token bucket of %s)",
		check.FormatNum(p.Burst), check.FormatNum(float64(l.Requests)/l.Window.Seconds()), check.FormatNum(p.Burst))
}

func (bucketFamily) ExpectedRejections(*scenarios.Limit) string {
	return "admitted while the token bucket holds at least one token"
}

func (bucketFamily) AmbiguityWhere() string { return "within the timing tolerance" }

func (bucketFamily) OverNote(_ *Rules, r Ref, d series.Detail) string {
	return fmt.Sprintf("admitted #%d within %s, where the bucket allows %s",
		d.Rank, check.FormatSeconds(r.S.Hi(r.I)-d.Start), check.FormatNum(d.Level))
}

func (bucketFamily) RejectionNote(_ *Rules, d series.Detail) string {
	return fmt.Sprintf("rejected with at least %s tokens left", check.FormatNum(d.Level))
}

func (bucketFamily) WorstText(_ *Evaluation, over []Ref) string {
	w := worstOver(over)
	d := w.Ev.DetOf(w.I)
	return fmt.Sprintf("worst: %d admitted within %s where the bucket allows %s",
		d.Rank, check.FormatSeconds(w.S.Hi(w.I)-d.Start), check.FormatNum(d.Level))
}

func (bucketFamily) FrameNote(series.Detail) string {
	return "first admitted request of the crowded span (bucket assumed full here)"
}

func (bucketFamily) Frame(*Rules, Ref) []Ref { return nil }

func (bucketFamily) Windowed() bool { return false }

// EarlyBy is the tokens the bucket surely had left, at least one.
func (bucketFamily) EarlyBy(_ int64, _ int, d series.Detail) int {
	return max(1, int(math.Floor(d.Level)))
}

// OnsetNote explains an early first rejection by the tokens left: "first 429
// came with at least 3 tokens left (3 early, 150 ms of refill)".
func (bucketFamily) OnsetNote(a *Rules, c OnsetCtx) string {
	d := c.R.Ev.DetOf(c.R.I)
	return a.streakOnsetNote(c, fmt.Sprintf("first %d came with at least %s tokens left (%s, %s of refill)",
		c.R.Rec().Status, check.FormatNum(d.Level), c.Off, check.FormatInterval(d.Level/a.P.Rate)))
}

func (bucketFamily) OnsetPromise(*scenarios.Limit) string {
	return "the first rejection came once the bucket had no token left"
}

// room is the tokens left, a lower bound.
func (bucketFamily) room(_ *scenarios.Limit, d series.Detail) float64 { return d.Level }

func (bucketFamily) Capacity(p Params, _ *scenarios.Limit) float64 { return p.Burst }

// Frees is the refill rate.
func (bucketFamily) Frees(p Params) float64 { return p.Rate }

func (bucketFamily) ExcessNeedsFresh() bool { return true }

// RemainingSlack is the tokens a refill at the limit's rate brings in d.
func (bucketFamily) RemainingSlack(l *scenarios.Limit, d time.Duration) (int64, bool) {
	return int64(math.Ceil(l.Rate() * d.Seconds())), true
}

func (bucketFamily) ResetsWhole() bool { return false }

// MayFreeAll: a bucket refills a unit at a time.
func (bucketFamily) MayFreeAll() bool { return false }

// MostAdmitted is the limit plus what the bucket refills at its rate over
// span: N + ⌈N·span/W⌉.
func (bucketFamily) MostAdmitted(l *scenarios.Limit, span time.Duration) int64 {
	refill := math.Ceil(float64(l.Requests) * span.Seconds() / l.Window.Seconds())
	return l.Requests + int64(refill)
}

// Holds: a bucket refills from empty in burst/rate, so the tokens are never
// fewer than the burst less the admissions of that long.
func (bucketFamily) Holds(l *scenarios.Limit) (int64, time.Duration, time.Duration) {
	p := ParamsOf(l)
	refill := time.Duration(math.Ceil(p.Burst / p.Rate))
	return int64(p.Burst), refill, refill
}
