package conformance

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

var _ family = bucketFamily{}

func (f bucketFamily) evaluate(a *rules, all []*series.Series) *evaluation {
	return a.judgeEach(all, f, func(s *series.Series, st *series.StateEval) { series.JudgeBucket(s, a.p.burst, a.p.rate, st) })
}

func (bucketFamily) point(s *series.Series, _ *evaluation, _ int, p params) []bool {
	return series.PointBucket(s, p.burst, p.rate)
}

func (bucketFamily) rescuesOnly() bool { return false }

// quiet is false: a bucket's burst may be under the limit, so a run under the
// limit may still have emptied it.
func (bucketFamily) quiet() bool { return false }

func (bucketFamily) describe(p params, _ *evaluation) string {
	return fmt.Sprintf("token-bucket, burst %s, refill %s/s", check.FormatNum(p.burst), check.FormatNum(p.rate*float64(time.Second)))
}

func (f bucketFamily) name(p params) string {
	if f.smooths(p) {
		return "leaky bucket"
	}
	return "token bucket"
}

// paramsText writes "burst 20, refill 20/s", or "1 per 50 ms (smoothing,
// burst 1)".
func (f bucketFamily) paramsText(p params, _ *evaluation) string {
	if f.smooths(p) {
		return fmt.Sprintf("1 per %s (smoothing, burst %s)", check.FormatInterval(1/p.rate), check.FormatNum(p.burst))
	}
	return fmt.Sprintf("burst %s, refill %s/s", check.FormatNum(p.burst), check.FormatNum(p.rate*float64(time.Second)))
}

func (bucketFamily) smooths(p params) bool { return p.burst < 2 }

func (bucketFamily) burst(p params, _ *scenarios.Limit) float64 { return p.burst }

func (bucketFamily) expectedAdmissions(l *scenarios.Limit) string {
	p := paramsOf(l)
	return fmt.Sprintf("at most %s + %s/s × elapsed admitted (token bucket of %s)",
		check.FormatNum(p.burst), check.FormatNum(float64(l.Requests)/l.Window.Seconds()), check.FormatNum(p.burst))
}

func (bucketFamily) expectedRejections(*scenarios.Limit) string {
	return "admitted while the token bucket holds at least one token"
}

func (bucketFamily) ambiguityWhere() string { return "within the timing tolerance" }

func (bucketFamily) overNote(_ *analysis, r reqRef, d series.Detail) string {
	return fmt.Sprintf("admitted #%d within %s, where the bucket allows %s",
		d.Rank, check.FormatSeconds(r.s.Hi(r.i)-d.Start), check.FormatNum(d.Level))
}

func (bucketFamily) rejectionNote(_ *analysis, d series.Detail) string {
	return fmt.Sprintf("rejected with at least %s tokens left", check.FormatNum(d.Level))
}

func (bucketFamily) worstText(_ *analysis, over []reqRef) string {
	w := worstOver(over)
	d := w.ev.DetOf(w.i)
	return fmt.Sprintf("worst: %d admitted within %s where the bucket allows %s",
		d.Rank, check.FormatSeconds(w.s.Hi(w.i)-d.Start), check.FormatNum(d.Level))
}

func (bucketFamily) frameNote(series.Detail) string {
	return "first admitted request of the crowded span (bucket assumed full here)"
}

func (bucketFamily) frame(*analysis, reqRef) []reqRef { return nil }

func (bucketFamily) windowed() bool { return false }

// earlyBy is the tokens the bucket surely had left, at least one.
func (bucketFamily) earlyBy(_ int64, _ int, d series.Detail) int {
	return max(1, int(math.Floor(d.Level)))
}

// onsetNote explains an early first rejection by the tokens left: "first 429
// came with at least 3 tokens left (3 early, 150 ms of refill)".
func (bucketFamily) onsetNote(a *analysis, c onsetCtx) string {
	d := c.r.ev.DetOf(c.r.i)
	return a.streakOnsetNote(c, fmt.Sprintf("first %d came with at least %s tokens left (%s, %s of refill)",
		c.r.rec().Status, check.FormatNum(d.Level), c.off, check.FormatInterval(d.Level/a.p.rate)))
}

func (bucketFamily) onsetPromise(*scenarios.Limit) string {
	return "the first rejection came once the bucket had no token left"
}

// room is the tokens left, a lower bound.
func (bucketFamily) room(_ *scenarios.Limit, d series.Detail) float64 { return d.Level }

func (bucketFamily) capacity(p params, _ *scenarios.Limit) float64 { return p.burst }

// frees is the refill rate.
func (bucketFamily) frees(p params) float64 { return p.rate }

// remainingSlack is the tokens a refill at the limit's rate brings in d.
func (bucketFamily) RemainingSlack(l *scenarios.Limit, d time.Duration) (int64, bool) {
	return int64(math.Ceil(l.Rate() * d.Seconds())), true
}

func (bucketFamily) ResetsWhole() bool { return false }
