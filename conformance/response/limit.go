package response

import (
	"fmt"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
)

// limitChecker judges headers.limit: every response that should carry the
// headers states the described limit's quota (and, in a policy, its window).
type limitChecker struct {
	pr Promise
	respTally
	total                              int // responses that should carry the header
	judged                             int // responses whose quota was read
	missing, unreadable, wrong, window respProblem
	unpromised                         sighting // rate-limit headers sent though none are promised
}

var _ check.Checker = (*limitChecker)(nil)

// NewLimitChecker returns the checker of headers.limit.
func NewLimitChecker(p *plan.Plan, _ *records.Collector) check.Checker {
	return &limitChecker{pr: NewPromise(p)}
}

// skip says why the check cannot judge, before any observation.
func (c *limitChecker) skip() string {
	if why := c.pr.NoHeaders(c.pr.Limit, "Limit"); why != "" {
		return why
	}
	if c.pr.Described.Unlimited {
		return fmt.Sprintf("limit %q is unlimited on this plan, so no quota can be compared", c.pr.Described.Name)
	}
	return ""
}

// name is how messages call the header.
func (c *limitChecker) name() string {
	if c.pr.Conv == headers.ConventionStructured {
		return "RateLimit-Policy"
	}
	return c.pr.Limit
}

// Observe reads the quota o states, if it should state one.
func (c *limitChecker) Observe(o results.Observation) {
	c.note(o)
	if c.skip() != "" {
		c.unpromised.observe(&c.pr, o)
		return
	}
	if !c.pr.shouldCarry(o) {
		return
	}
	c.total++
	claim, errs := c.pr.read(o)
	if !c.carries(o) {
		c.missing.found.add(offenseOf(o, claim.Raw, "no "+c.name()+" header"))
		return
	}
	if err := fieldError(errs, c.pr.Limit); err != nil {
		c.unreadable.found.add(offenseOf(o, claim.Raw, err.Error()))
	}
	if !claim.HasLimit {
		return
	}
	c.judged++
	l := c.pr.Described
	if claim.Limit != l.Requests {
		c.wrong.found.add(offenseOf(o, claim.Raw, fmt.Sprintf("states %d, want %d", claim.Limit, l.Requests)))
	}
	if want := policyWindow(l.Window); claim.Window > 0 && claim.Window != want {
		c.window.found.add(offenseOf(o, claim.Raw, fmt.Sprintf("policy window w=%d, want w=%d",
			claim.Window/time.Second, want/time.Second)))
	}
}

// carries reports whether o has the header. With the structured convention a
// response has it when it has either field: RateLimit-Policy is optional.
func (c *limitChecker) carries(o results.Observation) bool {
	if c.pr.Conv == headers.ConventionStructured {
		return hasHeader(o, fieldPolicy) || hasHeader(o, fieldRateLimit)
	}
	return hasHeader(o, c.pr.Limit)
}

// policyWindow is a window as a policy's w states it: whole seconds, rounded up.
func policyWindow(w time.Duration) time.Duration {
	return max(time.Second, (w+time.Second-1)/time.Second*time.Second)
}

// Result judges the responses seen so far.
func (c *limitChecker) Result() check.Result {
	res := check.Result{ID: check.HeadersLimit, Limit: c.pr.LimitName(), Status: check.Skip}
	if why := c.skip(); why != "" {
		res.Message = c.unpromised.note(why)
		return res
	}
	l := c.pr.Described
	if c.total == 0 {
		res.Message = c.pr.nothingCarried(c.name())
		return res
	}
	name := c.name()
	c.missing.summary = fmt.Sprintf("%s missing on %s", name, ofResponses(c.missing.found.n, c.total))
	c.unreadable.summary = c.firstOf(&c.unreadable, "unreadable")
	c.wrong.summary = c.firstOf(&c.wrong, fmt.Sprintf("not %d", l.Requests))
	c.window.summary = c.firstOf(&c.window, "of the wrong window")
	problems := []*respProblem{&c.missing, &c.unreadable, &c.wrong, &c.window}
	if anyFailed(problems) {
		want := fmt.Sprintf("every admitted response of an endpoint limit %q counts carries %s stating %d", l.Name, name, l.Requests)
		if c.pr.onErrors {
			want += ", and so does every 429"
		}
		return respFailure(res, &c.pr, c.first, want, problems)
	}
	if c.judged == 0 {
		res.Message = fmt.Sprintf("none of %s stated a quota (%s was never sent)", check.Plural(c.total, "response", "responses"), name)
		return res
	}
	res.Status = check.Pass
	res.Message = fmt.Sprintf("%s stated %d on all %s that should carry it", name, l.Requests,
		check.Plural(c.total, "response", "responses"))
	if c.judged < c.total {
		res.Message = fmt.Sprintf("%s stated %d on the %d of %s that sent it", name, l.Requests, c.judged,
			check.Plural(c.total, "response", "responses"))
	}
	return res
}

// firstOf summarises a respProblem by its count and its earliest offender.
func (c *limitChecker) firstOf(p *respProblem, what string) string {
	if p.found.n == 0 {
		return ""
	}
	return fmt.Sprintf("%s %s on %s (first: %s)", c.name(), what, ofResponses(p.found.n, c.total), p.found.firstNote())
}
