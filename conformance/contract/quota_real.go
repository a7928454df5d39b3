package contract

import (
	"fmt"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/model"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// quotaSpent counts what a quota admitted over the whole run, for a quota
// test on a real API (plan.AffordQuotas): how much was left when the
// run began is not known, so the run as a whole must see the quota run out
// having admitted no more than it allows.
type quotaSpent struct {
	q          *scenarios.Limit
	t          plan.QuotaTest
	perKey     bool
	admitted   int
	unanswered int
	first      time.Time // the earliest send counted
	last       time.Time // the latest answer counted
}

func newQuotaSpent(p *plan.Plan) map[string]*quotaSpent {
	out := map[string]*quotaSpent{}
	if p == nil || p.Scenario == nil {
		return out
	}
	for _, t := range p.Quotas {
		q := p.Scenario.Limit(t.Limit)
		if t.Left >= 0 || q == nil {
			continue
		}
		perKey := q.Scope == scenarios.ScopeKey || q.Scope == "" && p.Scenario.Auth.Header != ""
		out[t.Limit] = &quotaSpent{q: q, t: t, perKey: perKey}
	}
	return out
}

// observe counts o when the quota counts it (with the test's key, for a
// per-key quota).
func (s *quotaSpent) observe(o results.Observation) {
	if !s.q.Counts(o.Endpoint) || s.perKey && o.KeyID != s.t.Key {
		return
	}
	switch {
	case o.Status == 0:
		s.unanswered++
	case o.Admitted():
		s.admitted++
	default:
		return
	}
	if s.first.IsZero() || o.Sent.Before(s.first) {
		s.first = o.Sent
	}
	if r := o.Received(); r.After(s.last) {
		s.last = r
	}
}

// allowance is the most a correct quota may admit over the span of the
// run: the most any family of its algorithm admits (N, plus what a bucket
// refills meanwhile). A fixed window may have ended within the run (its
// boundary is not known), so for one that may be a fixed window it is 2N,
// and more than N is not a failure. An algorithm no family implements is an
// error.
func (s *quotaSpent) allowance() (n int64, window bool, err error) {
	fams, err := model.FamiliesFor(s.q)
	if err != nil {
		return 0, false, err
	}
	span := s.last.Sub(s.first)
	for _, f := range fams {
		if f.Windowed() {
			return s.q.Requests, true, nil
		}
		n = max(n, f.MostAdmitted(s.q, span))
	}
	return n, false, nil
}

// spentOut judges quota q by its test t on a real API.
func (c *quotaChecker) spentOut(q *scenarios.Limit, t plan.QuotaTest) check.Result {
	res := check.Result{ID: check.QuotaEnforced, Limit: q.Name}
	s := c.spent[q.Name]
	obs := c.byPh[t.Phase]
	var limited int
	for _, o := range obs {
		if o.Limited() || o.Status == 503 {
			limited++
		}
	}
	allowed, window, err := s.allowance()
	what := fmt.Sprintf("the run spent quota %s (%d per %s) until it ran out: %d of its requests were admitted",
		q.Name, q.Requests, check.FormatWindow(q.Window), s.admitted)
	switch {
	case err != nil:
		res.Status = check.Skip
		res.Message = fmt.Sprintf("quota %s cannot be judged: %v", q.Name, err)
	case len(obs) == 0:
		res.Status = check.Skip
		res.Message = fmt.Sprintf("quota %s: the run sent none of its quota test (it ended before it)", q.Name)
	case int64(s.admitted) > allowed && !window:
		res.Status = check.Fail
		res.Message = fmt.Sprintf("quota %s over-admits: %s, more than the %d it allows", q.Name, what, allowed)
		res.Evidence = c.quotaEvidence(obs, t, fmt.Sprintf("at most %d admitted in the run", allowed))
	case int64(s.admitted) > allowed:
		res.Status, res.Undecided = check.Skip, true
		res.Message = fmt.Sprintf("quota %s: %s, more than %d; a window of it may have ended during the run (a fixed window's boundary is not known without a Reset header that describes it), so this is not called an over-admission", q.Name, what, allowed)
	case s.unanswered > 0:
		res.Status, res.Undecided = check.Skip, true
		res.Message = fmt.Sprintf("quota %s: %s, and %d got no answer: whether it over-admits is not known", q.Name, what, s.unanswered)
	case limited == 0:
		res.Status, res.Undecided = check.Skip, true
		res.Message = fmt.Sprintf("quota %s: %s, but its quota test saw no rejection: it did not run out", q.Name, what)
	default:
		res.Status = check.Pass
		res.Message = fmt.Sprintf("quota %s: %s (at most %d; the rest had been spent before the run) and rejected the other %d of its quota test",
			q.Name, what, q.Requests, limited)
	}
	return res
}
