package conformance

import (
	"iter"

	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// A Checker judges one check id over the observations of a run.
type Checker interface {
	Observe(o results.Observation) // called in seq order, never concurrently
	Result() CheckResult           // pass, fail or skip with reason and evidence
}

// ids lists the check ids in the order a Verdict reports them.
var ids = []ID{
	LimitEnforced, LimitNoEarlyReject, LimitStatus, TimingOnset, RecoveryAfterWindow,
	HeadersLimit, HeadersRemaining, HeadersReset, HeadersRetryAfter, BodyErrorFormat,
}

// judges maps the ids this version checks to the function that reads their
// result off the shared analysis.
var judges = map[ID]func(*analysis) CheckResult{
	LimitEnforced:       enforcedResult,
	LimitNoEarlyReject:  earlyResult,
	LimitStatus:         statusResult,
	TimingOnset:         onsetResult,
	RecoveryAfterWindow: recoveryResult,
}

// notYet is the message of the checks this version does not perform.
const notYet = "not checked yet by this version"

// Check judges a whole run: one CheckResult per check id, for the tested limit,
// in the order of the ids in result.go. obs may be replayed from disk or be
// the live stream; the verdict is the same for the same observations.
func Check(p *scenarios.Plan, obs iter.Seq[results.Observation]) Verdict {
	checkers := NewCheckers(p)
	if obs != nil {
		for o := range obs {
			for _, c := range checkers {
				c.Observe(o)
			}
		}
	}
	return Judge(checkers)
}

// Judge collects the verdict of checkers made by one NewCheckers call, after
// they have been fed: every check's result, the overall status and the
// fingerprint. The live run and Check both end here, so they agree.
func Judge(checkers []Checker) Verdict {
	v := Verdict{Status: Pass, Checks: make([]CheckResult, 0, len(checkers))}
	for _, c := range checkers {
		v.Checks = append(v.Checks, c.Result())
	}
	if v.Failed() {
		v.Status = Fail
	}
	v.Fingerprint = FingerprintOf(checkers)
	v.Recovery = RecoveryOf(checkers)
	return v
}

// NewCheckers returns one Checker per check id, in the order of the ids. The
// checkers of one call share what they record: feeding every observation to
// each of them (live) or all observations to one after the other (replay) both
// work. They keep one compact record per request, on disk past 65,536 (see
// spill.go), and read them back only when judging needs them (see quiet.go).
func NewCheckers(p *scenarios.Plan) []Checker {
	var limit *scenarios.Limit
	if p != nil {
		limit = p.TestedLimit()
	}
	r := &run{plan: p, col: newCollector(p, limit)}
	name := ""
	if limit != nil {
		name = limit.Name
	}
	out := make([]Checker, 0, len(ids))
	for _, id := range ids {
		if j, ok := judges[id]; ok {
			out = append(out, &modelChecker{run: r, id: id, judge: j})
			continue
		}
		if mk, ok := responseCheckers[id]; ok {
			c := mk(p)
			if s, ok := c.(interface{ share(*collector) }); ok {
				s.share(r.col)
			}
			out = append(out, c)
			continue
		}
		out = append(out, &pendingChecker{id: id, limit: name})
	}
	return out
}

// run is the state the checkers of one run share.
type run struct {
	plan   *scenarios.Plan
	col    *collector
	cached *analysis
	at     int // observations seen when cached was computed
}

func (r *run) analysis() *analysis {
	if r.cached == nil || r.at != r.col.seen {
		r.cached, r.at = analyse(r.plan, r.col), r.col.seen
	}
	return r.cached
}

// modelChecker judges one id by replaying the run through the limiter model.
// The judge is called only when the run can be judged; otherwise the check
// skips with the reason.
type modelChecker struct {
	run   *run
	id    ID
	judge func(*analysis) CheckResult
	fed   int // observations this checker was given
}

var _ Checker = (*modelChecker)(nil)

// Observe records o once for all the checkers of the run.
func (c *modelChecker) Observe(o results.Observation) {
	c.run.col.observe(c.fed, o)
	c.fed++
}

// Result judges the observations seen so far.
func (c *modelChecker) Result() CheckResult {
	a := c.run.analysis()
	if a.skip != "" {
		return CheckResult{ID: c.id, Limit: a.limitName(), Status: Skip, Message: a.skip}
	}
	return c.judge(a)
}

// analysisOf returns the shared analysis of the checkers of one NewCheckers
// call, or nil when checkers holds none of them.
func analysisOf(checkers []Checker) *analysis {
	for _, c := range checkers {
		if m, ok := c.(*modelChecker); ok {
			return m.run.analysis()
		}
	}
	return nil
}

// pendingChecker stands for a check this version does not perform.
type pendingChecker struct {
	id    ID
	limit string
}

var _ Checker = (*pendingChecker)(nil)

// Observe ignores o.
func (c *pendingChecker) Observe(results.Observation) {}

// Result skips.
func (c *pendingChecker) Result() CheckResult {
	return CheckResult{ID: c.id, Limit: c.limit, Status: Skip, Message: notYet}
}
