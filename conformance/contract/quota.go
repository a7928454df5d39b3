package contract

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// quotaChecker judges quota.enforced: every quota of the scenario (a limit of
// an hour or more, scenarios.Limit.IsQuota) admits no more than it has left.
// It judges each quota one of two ways, in this order:
//
//   - exhaustion: the plan's quota test (plan.QuotaTest, planned for
//     the built-in target, which starts the quota with Left requests left)
//     sends Left+2 requests at once; the other limits of the endpoint admit
//     them all, so a correct quota admits exactly Left and rejects the rest.
//     More admitted is a failure: the quota over-admits; fewer is one too:
//     it rejects requests it had left.
//   - the headers' claims: when the rate-limit headers describe the quota,
//     across the run's other phases the Limit header states the quota and
//     Remaining falls by no more than the requests admitted (exactly by them
//     for exact headers). A claim that does not hold is the header checks'
//     failure: this check then points to it (See) rather than failing too.
//
// Otherwise the quota is skipped, saying why: exhausting a real API's daily
// or monthly quota costs all of it.
type quotaChecker struct {
	contractObs
	quotas []*scenarios.Limit
	hdr    quotaHeaders
	spent  map[string]*quotaSpent // by quota name: the run's admissions, for a quota test with Left unknown
}

// NewQuotaChecker returns the checker of quota.enforced.
func NewQuotaChecker(p *plan.Plan, _ *records.Collector) check.Checker {
	c := &quotaChecker{contractObs: newContractObs(p)}
	if p == nil || p.Scenario == nil {
		return c
	}
	for i, l := range p.Scenario.Limits {
		if l.IsQuota() {
			c.quotas = append(c.quotas, &p.Scenario.Limits[i])
		}
	}
	c.hdr = newQuotaHeaders(c.pr, p)
	c.spent = newQuotaSpent(p)
	return c
}

// Observe keeps the quota tests' requests, and reads the headers of the
// others.
func (c *quotaChecker) Observe(o results.Observation) {
	if c.plan == nil || o.Phase < 0 || o.Phase >= len(c.plan.Phases) {
		return
	}
	for _, sp := range c.spent {
		sp.observe(o)
	}
	if c.plan.Phases[o.Phase].Kind == scenarios.PhaseQuota {
		c.keep(o)
		return
	}
	if c.origin.IsZero() || o.Sent.Before(c.origin) {
		c.origin = o.Sent
	}
	if !c.plan.Phases[o.Phase].Kind.Contract() {
		c.hdr.observe(o)
	}
}

// Result judges every quota and reports the first failure, else every
// quota's outcome.
func (c *quotaChecker) Result() check.Result {
	res := check.Result{ID: check.QuotaEnforced}
	if c.plan == nil || c.plan.Scenario == nil {
		res.Status, res.Message = check.Skip, "there is no plan to judge the run against"
		return res
	}
	if len(c.quotas) == 0 {
		res.Status, res.Message = check.Skip, "the scenario declares no quota (no limit with a window of an hour or more)"
		return res
	}
	var names, passed, skipped []string
	var undecided bool
	var see check.ID
	for _, q := range c.quotas {
		names = append(names, q.Name)
		r := c.judge(q)
		switch {
		case r.Status == check.Fail:
			r.Limit = q.Name
			return r
		case r.Status == check.Pass:
			passed = append(passed, r.Message)
		default:
			skipped = append(skipped, r.Message)
			undecided = undecided || r.Undecided
			see = cmpID(see, r.See)
		}
	}
	res.Limit = strings.Join(names, ", ")
	switch {
	case len(passed) > 0:
		res.Status, res.Message = check.Pass, strings.Join(append(passed, skipped...), "; ")
	default:
		res.Status, res.Message, res.Undecided, res.See = check.Skip, strings.Join(skipped, "; "), undecided, see
	}
	return res
}

// cmpID is a unless it is empty, else b.
func cmpID(a, b check.ID) check.ID {
	if a != "" {
		return a
	}
	return b
}

// judge judges one quota.
func (c *quotaChecker) judge(q *scenarios.Limit) check.Result {
	res := check.Result{ID: check.QuotaEnforced, Limit: q.Name}
	if q.Unlimited {
		res.Status, res.Message = check.Skip, fmt.Sprintf("quota %s is unlimited%s: nothing to exhaust", q.Name, onTier(c.plan.Scenario.Plan))
		return res
	}
	if t, ok := c.plan.QuotaTestOf(q.Name); ok && t.Left < 0 {
		return c.spentOut(q, t)
	} else if ok {
		return c.exhaustion(q, t)
	}
	if r := c.hdr.judge(q, c.plan); r.Status == check.Pass || r.See != "" {
		return r
	}
	if l := c.plan.TestedLimit(); l != nil && l.Name == q.Name {
		// The derived plan drives the tested limit past its budget however
		// long its window: the model checks judge this quota.
		res.Status, res.See = check.Skip, check.LimitEnforced
		res.Message = fmt.Sprintf("quota %s is the limit under test: the run drove it past its budget, and %s judges whether it admitted more", q.Name, check.LimitEnforced)
		return res
	}
	return c.hdr.judge(q, c.plan)
}

// onTier is " on plan NAME", or "".
func onTier(tier string) string {
	if tier == "" {
		return ""
	}
	return " on plan " + tier
}

// exhaustion judges quota q by its quota test t.
func (c *quotaChecker) exhaustion(q *scenarios.Limit, t plan.QuotaTest) check.Result {
	res := check.Result{ID: check.QuotaEnforced, Limit: q.Name}
	obs := slices.Clone(c.byPh[t.Phase])
	slices.SortFunc(obs, func(a, b results.Observation) int { return a.Received().Compare(b.Received()) })
	sent := c.plan.Phases[t.Phase].Requests
	var admitted, unanswered int
	var other []results.Observation
	for _, o := range obs {
		switch {
		case o.Admitted():
			admitted++
		case o.Status == 0:
			unanswered++
		case o.Status != 429 && o.Status != 503:
			other = append(other, o)
		}
	}
	what := fmt.Sprintf("the quota test sent %d requests at once with %d of quota %s left", sent, t.Left, q.Name)
	switch {
	case int64(admitted) > t.Left:
		res.Status = check.Fail
		res.Message = fmt.Sprintf("quota %s over-admits: %s, and %d were admitted, %d more than it had left",
			q.Name, what, admitted, int64(admitted)-t.Left)
		res.Evidence = c.quotaEvidence(obs, t, fmt.Sprintf("%d admitted (the quota had %d left), the other %d rejected", t.Left, t.Left, sent-t.Left))
	case len(obs) == 0:
		res.Status = check.Skip
		res.Message = fmt.Sprintf("quota %s: the run sent none of its quota test (it ended before, or was recorded before quota tests existed)", q.Name)
	case int64(len(obs)) < sent || unanswered > 0:
		res.Status, res.Undecided = check.Skip, true
		res.Message = fmt.Sprintf("quota %s: %s, but %d got no answer: whether it over-admits is not known", q.Name, what, sent-int64(len(obs)-unanswered))
	case len(other) > 0:
		res.Status, res.Undecided = check.Skip, true
		res.Message = fmt.Sprintf("quota %s: %s, but %d were answered %d, neither admitted nor limited", q.Name, what, len(other), other[0].Status)
	case int64(admitted) < t.Left:
		res.Status = check.Fail
		res.Message = fmt.Sprintf("quota %s rejects requests it has left: %s, and only %d were admitted", q.Name, what, admitted)
		res.Evidence = c.quotaEvidence(obs, t, fmt.Sprintf("%d admitted (the quota had %d left), the other %d rejected", t.Left, t.Left, sent-t.Left))
	default:
		res.Status = check.Pass
		res.Message = fmt.Sprintf("quota %s exhausted on the built-in target: %s; it admitted exactly %d and rejected the other %d",
			q.Name, what, admitted, sent-int64(admitted))
	}
	return res
}

// quotaEvidence lists the quota test's requests in order of arrival, each
// admission numbered.
func (c *quotaChecker) quotaEvidence(obs []results.Observation, t plan.QuotaTest, expected string) *check.Evidence {
	ev := &check.Evidence{Expected: expected}
	n := 0
	for _, o := range obs {
		note := "rejected"
		if o.Admitted() {
			n++
			note = fmt.Sprintf("admitted #%d of %d left", n, t.Left)
			if t.Left < 0 {
				note = fmt.Sprintf("admitted #%d of the quota test", n)
			} else if int64(n) > t.Left {
				note = fmt.Sprintf("admitted #%d: over the %d left", n, t.Left)
			}
		}
		ev.Requests = append(ev.Requests, c.evidence(o, note))
	}
	return ev
}
