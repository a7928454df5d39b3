package conformance

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/model"
	"github.com/ratecheck/ratecheck/scenarios"
)

// The fingerprint answers "which limiter is this?" whatever the scenario
// promised: it replays the run through a few models with free parameters (the
// declared ones, and those the decisions suggest: the admitted rate once
// limited, the burst admitted before the first rejection, the most admitted in
// one window, a window twice as long) and keeps the one that explains the most
// decisions. A decision is explained when the model agrees with it at every
// possible arrival time, ambiguous when the model blames it only at the best
// estimate of the arrival, and unexplained when the model is sure it is wrong.
// The search stops at the first model that leaves nothing unexplained (so a
// correct limiter is fingerprinted as what it promised, at the cost of one
// evaluation); otherwise the fewest unexplained wins (a model sure of one
// wrong decision is refuted, one that leaves it ambiguous is not), then the
// most explained, then the fewest ambiguous, then the declared model and the
// earlier candidate.

// fit is one candidate explanation of a run.
type fit struct {
	family    model.Family
	p         model.Params
	ev        *model.Evaluation
	explained int
	ambiguous int
	judged    int
}

// fingerprint returns the best explanation of the run, or nil when the model
// checks skip. It is computed once per analysis.
func (a *analysis) fingerprint() *fit {
	if a.skip != "" || a.eval == nil {
		return nil
	}
	if a.best == nil {
		a.best = a.fitBest()
	}
	return a.best
}

// fitBest evaluates the candidates and keeps the one explaining the most.
// Candidates may be evaluated side by side (Rules.Workers); they are ranked
// in order all the same.
func (a *analysis) fitBest() *fit {
	best := a.refit(a.fitOf(a.eval.Family, a.P, a.eval))
	explainsAll := func() bool { return best.explained+best.ambiguous == best.judged }
	if explainsAll() {
		a.tried = nil
		return best // nothing the model is sure of is left to explain
	}
	var cs []candidate
	var reuse []*model.Evaluation // the evaluation judging made of cs[k], if any
	for _, c := range a.candidates() {
		if c.f != a.eval.Family || c.p != a.P {
			cs = append(cs, c)
			reuse = append(reuse, a.takeTried(c.f, c.p))
		}
	}
	a.tried = nil
	a.Share(a.series)
	inner := a.Inner(len(cs))
	// A candidate sure of more wrong decisions than the first fit cannot
	// beat it nor any fit after it (better ranks by those first), so its
	// family may stop judging it once that is certain.
	ceiling := best.unexplained()
	model.InOrder(len(cs), a.Workers, func(k int) *fit {
		f, p, ev := cs[k].f, cs[k].p, reuse[k]
		if ev == nil {
			r := *inner
			r.P, r.Counting = p, true
			r.Ceiling, r.Capped = ceiling, capCandidates
			ev = f.Evaluate(&r, a.series)
		}
		if len(ev.States) != len(a.series) {
			return nil // a counter that explains nothing, or a candidate beyond the ceiling, says nothing
		}
		model.MarkPoint(a.series, ev, p)
		c := a.fitOf(f, p, ev)
		// A candidate's fit names its model and counts; its judgement
		// of each request is not kept.
		c.ev = &model.Evaluation{Family: ev.Family, Desc: ev.Desc, Align: ev.Align, Phase: ev.Phase}
		return c
	}, func(_ int, c *fit) bool {
		if c != nil && c.better(best) {
			best = c
		}
		return !explainsAll()
	})
	return best
}

// capCandidates lets the fingerprint's candidate families stop judging a
// candidate that cannot beat the first fit (model.Rules.Ceiling); tests turn
// it off to compare with judging every candidate whole.
var capCandidates = true

// refit is the judged fit, or the family's other fit of the declared
// parameters when the judged one leaves decisions ambiguous and the family
// has one that is better (model.Refitter).
func (a *analysis) refit(judged *fit) *fit {
	rf, ok := judged.family.(model.Refitter)
	if !ok || judged.ambiguous == 0 {
		return judged
	}
	r := a.Rules
	r.P, r.Counting = a.P, true
	ev := rf.Refit(&r, a.series, judged.ev)
	if ev == judged.ev || len(ev.States) != len(a.series) {
		return judged
	}
	model.MarkPoint(a.series, ev, a.P)
	if c := a.fitOf(judged.family, a.P, ev); c.better(judged) {
		return c
	}
	return judged
}

// takeTried is the evaluation judging the limit made of family f, when p are
// the limit's own parameters, taken out of a.tried so that one candidate
// alone reads it: it has the same outcomes a candidate's evaluation reaches
// (counting keeps every outcome, only admissions' details go), so the run is
// not judged again. It is nil otherwise.
func (a *analysis) takeTried(f model.Family, p model.Params) *model.Evaluation {
	if p != a.P {
		return nil
	}
	for x, ev := range a.tried {
		if ev.Family == f {
			a.tried = slices.Delete(a.tried, x, x+1)
			return ev
		}
	}
	return nil
}

// better ranks fits: fewer decisions the model is sure are wrong (a model
// with one is refuted; one that leaves a decision ambiguous is not), then
// more explained, then fewer ambiguous.
func (f *fit) better(g *fit) bool {
	if u, v := f.unexplained(), g.unexplained(); u != v {
		return u < v
	}
	if f.explained != g.explained {
		return f.explained > g.explained
	}
	return f.ambiguous < g.ambiguous
}

// unexplained counts the decisions the model is sure are wrong.
func (f *fit) unexplained() int { return f.judged - f.explained - f.ambiguous }

// fitOf counts what ev explains.
func (a *analysis) fitOf(f model.Family, p model.Params, ev *model.Evaluation) *fit {
	c := &fit{family: f, p: p, ev: ev, judged: a.quiet}
	sure, point := 0, 0
	for x, s := range a.series {
		for _, ok := range s.Known {
			if ok {
				c.judged++
			}
		}
		sure += ev.States[x].Violations()
		point += ev.States[x].PointOver + ev.States[x].PointWrong
	}
	c.ambiguous = max(0, point-sure)
	c.explained = c.judged - sure - c.ambiguous
	return c
}

// candidate is a family with parameters to try.
type candidate struct {
	f model.Family
	p model.Params
}

// candidates lists the models to try besides the chosen evaluation.
func (a *analysis) candidates() []candidate {
	p := a.P
	double := p
	double.W *= 2
	out := []candidate{{model.Windows, p}, {model.Logs, p}, {model.Buckets, p}, {model.Windows, double}}
	// Window sizes: the most a window of the judged model admitted, and the
	// admissions between two rejection streaks, which a window driven past
	// its limit shows whatever the alignment (a chain of windows out of
	// phase with the limiter's counts up to N anyway).
	for _, n := range []int64{a.eval.Worst, a.admittedBetweenStreaks()} {
		if n > 0 && n != p.N && !slices.ContainsFunc(out, func(c candidate) bool { return c.f == model.Windows && c.p.N == n && c.p.W == p.W }) {
			more := p
			more.N = n
			out = append(out, candidate{model.Windows, more})
		}
	}
	rate := a.limitedRate()
	for _, r := range []float64{p.Rate, rate} {
		if r <= 0 {
			continue
		}
		// The estimate of the burst is off by one when the first rejection
		// raced a refill: its neighbours are tried too.
		est := a.burstBefore(r)
		seen := map[float64]bool{}
		for _, b := range []float64{1, p.Burst, est, est + 1, est - 1} {
			if b >= 1 && !seen[b] {
				seen[b] = true
				out = append(out, candidate{model.Buckets, model.Params{N: p.N, W: p.W, Burst: b, Rate: r}})
			}
		}
	}
	return out
}

// limitedRate is the rate the server admitted at once it began limiting in an
// over phase: admissions after the phase's first rejection over the time from
// it to the phase's last request, in requests a nanosecond, rounded to a whole
// number a second when within 5% of one. It is 0 when no over phase limited.
func (a *analysis) limitedRate() float64 {
	best := 0.0
	for _, s := range a.series {
		for _, ph := range a.overPhases() {
			first, last, admitted := -1, -1, 0
			for i, r := range s.Reqs {
				if r.Phase != ph || !s.Known[i] {
					continue
				}
				last = i
				switch {
				case first < 0 && s.Rej[i]:
					first = i
				case first >= 0 && s.Adm[i]:
					admitted++
				}
			}
			if first >= 0 && admitted >= 2 {
				span := s.Reqs[last].Sent - s.Reqs[first].Sent
				best = max(best, float64(admitted)/float64(span))
			}
		}
	}
	perSecond := best * float64(time.Second)
	if whole := math.Round(perSecond); whole > 0 && math.Abs(perSecond-whole) < 0.05*whole {
		perSecond = whole
	}
	return perSecond / float64(time.Second)
}

// admittedBetweenStreaks is the median count of admissions between two
// rejections in the over phases (runs of at least two admissions, bounded by
// a rejection on either side, in send order): a fixed window of N driven past
// its limit admits N between the rejection streaks of two windows. It is 0
// with fewer than three such runs.
func (a *analysis) admittedBetweenStreaks() int64 {
	var runs []int64
	for _, s := range a.series {
		for _, ph := range a.overPhases() {
			run, bounded := int64(0), false
			for i, r := range s.Reqs {
				if r.Phase != ph || !s.Known[i] {
					continue
				}
				switch {
				case s.Adm[i]:
					run++
				case s.Rej[i]:
					if bounded && run >= 2 {
						runs = append(runs, run)
					}
					run, bounded = 0, true
				}
			}
		}
	}
	if len(runs) < 3 {
		return 0
	}
	slices.Sort(runs)
	return runs[len(runs)/2]
}

// overPhases lists the indexes of the plan's over phases.
func (a *analysis) overPhases() []int32 {
	var out []int32
	for k, ph := range a.Plan.Phases {
		if ph.Kind == scenarios.PhaseOver {
			out = append(out, int32(k))
		}
	}
	return out
}

// burstBefore estimates a bucket's capacity from the first over phase that
// limited: the admissions before its first rejection, less what a refill at
// rate brought in meanwhile, rounded.
func (a *analysis) burstBefore(rate float64) float64 {
	for _, s := range a.series {
		for _, ph := range a.overPhases() {
			from, admitted := -1, 0
			for i, r := range s.Reqs {
				if r.Phase != ph || !s.Known[i] {
					continue
				}
				if from < 0 {
					from = i
				}
				if s.Rej[i] {
					return math.Round(float64(admitted) - rate*float64(r.Sent-s.Reqs[from].Sent))
				}
				admitted++
			}
		}
	}
	return 0
}

// export writes the fit for the verdict.
func (f *fit) export() *Fingerprint {
	fp := &Fingerprint{Family: f.family.Name(f.p), Params: f.family.ParamsText(f.p, f.ev),
		Explained: f.explained, Judged: f.judged, Ambiguous: f.ambiguous}
	fp.summarize()
	return fp
}

// summarize writes fp's Summary from its fields.
func (fp *Fingerprint) summarize() {
	fp.Summary = fmt.Sprintf("%s, %s: explains %s of %s decisions",
		fp.Family, fp.Params, thousands(fp.Explained), thousands(fp.Judged))
	if fp.Ambiguous > 0 {
		fp.Summary += fmt.Sprintf("; %s ambiguous", thousands(fp.Ambiguous))
	}
}

// smoothing reports whether the fit is a bucket of about one request: one
// that spaces admissions 1/rate apart instead of letting a burst through.
func (f *fit) smoothing() bool { return f.family.Smooths(f.p) }

// thousands writes n with comma separators: 1,198.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// smoothingNote explains, when the best fit smooths traffic but the promise
// lets a burst through, what the limiter did instead: "the limiter smooths
// traffic: it admits one request every 50 ms (leaky bucket, burst 1); the
// promise of 20 per 1s lets a burst of 20 through". It is "" otherwise.
func (a *analysis) smoothingNote() string {
	f := a.fingerprint()
	if f == nil || !f.smoothing() || a.eval.Family.Smooths(a.P) {
		return ""
	}
	burst := a.eval.Family.Burst(a.P, a.Limit)
	return fmt.Sprintf("the limiter smooths traffic: it admits one request every %s (leaky bucket, burst %s); the promise of %s lets a burst of %s through",
		check.FormatInterval(1/f.p.Rate), check.FormatNum(f.p.Burst), a.limitText(), check.FormatNum(burst))
}

// fingerprintExport returns the limiter that best explains the run, for the
// verdict, or nil when there is none (no limit tested, nothing judged).
func (a *analysis) fingerprintExport() *Fingerprint {
	if f := a.fingerprint(); f != nil {
		return f.export()
	}
	return nil
}
