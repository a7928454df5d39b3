package contract

import (
	"fmt"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// excludedChecker judges limit.excluded from the plan's attempts
// (scenarios.contractSteps): on a fresh budget, counted requests that leave
// a few of it, calls to an endpoint the tested limit excludes (more than
// those few), then as many counted requests as were left. A limit that does
// not count the excluded calls admits them all, and its Remaining goes on
// counting down from where it was; one that counts them rejects them.
//
// It sees every phase (checks marks it all), to time when the requests
// before an attempt were answered: a rejection after the excluded calls
// fails the limit only when the last answer before the attempt came
// plan.FreshAfter before its first request was sent. On a loaded machine an
// earlier request answered late may share the attempt's window.
type excludedChecker struct {
	contractObs
	answered map[int]time.Time // per phase: when its last answer arrived
}

// NewExcludedChecker returns the checker of limit.excluded.
func NewExcludedChecker(p *plan.Plan, _ *records.Collector) check.Checker {
	return &excludedChecker{contractObs: newContractObs(p), answered: map[int]time.Time{}}
}

// Observe times every answer and keeps the observations of the
// excluded-endpoint phases.
func (c *excludedChecker) Observe(o results.Observation) {
	if c.plan == nil || o.Phase < 0 || o.Phase >= len(c.plan.Phases) {
		return
	}
	if r := o.Received(); r.After(c.answered[o.Phase]) {
		c.answered[o.Phase] = r
	}
	switch c.plan.Phases[o.Phase].Kind {
	case scenarios.PhaseCounted, scenarios.PhaseExcluded:
		c.keep(o)
	}
}

// Result judges the attempts.
func (c *excludedChecker) Result() check.Result {
	res, ok := c.result(check.LimitExcluded, c.untestable())
	if !ok {
		return res
	}
	ex := c.plan.Phases[c.triples(scenarios.PhaseCounted, scenarios.PhaseExcluded, scenarios.PhaseCounted)[0][1]].Endpoint
	countedBy := c.countedBy(ex)
	var judged, sent int
	var r0, r1 *results.Observation
	for _, tr := range c.triples(scenarios.PhaseCounted, scenarios.PhaseExcluded, scenarios.PhaseCounted) {
		before, calls, after := c.byPh[tr[0]], c.byPh[tr[1]], c.byPh[tr[2]]
		sent += len(calls)
		if countedBy == "" {
			for _, o := range calls {
				if o.Limited() {
					return c.fail(res, fmt.Sprintf("a call to %s, which no limit counts, was rejected (429)", ex), o, "admitted: no limit counts "+ex)
				}
			}
		}
		if gap, _ := gapBefore(c.plan, c.answered, tr[0], before); len(after) == 0 || !allAdmitted(before) || gap < plan.FreshAfter(*c.limit) {
			continue // the budget was not fresh: this attempt proves nothing
		}
		for _, o := range after {
			if o.Limited() {
				return c.fail(res, fmt.Sprintf("after %d counted requests and %d calls to %s, a counted request was rejected (429) although the counted ones fit limit %q's budget of %d: the calls to %s were counted",
					len(before), len(calls), ex, c.limit.Name, c.limit.Requests, ex), o, "admitted: the excluded calls leave the budget as it was")
			}
		}
		if !allAdmitted(after) {
			continue
		}
		judged++
		if a, b, ok := c.remainingAround(before, after, ex); ok {
			ra, _ := c.remaining(*a)
			rb, _ := c.remaining(*b)
			if rb < ra-1 {
				res.Status = check.Fail
				res.Message = fmt.Sprintf("Remaining fell from %d to %d across %d calls to %s and one counted request: the excluded calls were counted", ra, rb, len(calls), ex)
				res.Evidence = &check.Evidence{Expected: fmt.Sprintf("Remaining %d (one counted request after %d)", ra-1, ra),
					Requests: []check.RequestEvidence{c.evidence(*a, "last counted before"), c.evidence(*b, "first counted after")}}
				return res
			}
			r0, r1 = a, b
		}
	}
	if judged == 0 {
		res.Status = check.Skip
		res.Message = fmt.Sprintf("no attempt started on a fresh budget with every counted request admitted, so the %d calls to %s prove nothing", sent, ex)
		return res
	}
	res.Status = check.Pass
	res.Message = fmt.Sprintf("%d calls to %s between counted requests changed no admission of limit %q", sent, ex, c.limit.Name)
	switch why := c.exactRemaining(ex); {
	case r0 != nil:
		ra, _ := c.remaining(*r0)
		rb, _ := c.remaining(*r1)
		res.Message += fmt.Sprintf(", and Remaining went on from %d to %d", ra, rb)
	case why != "":
		res.Message += "; Remaining was not compared: " + why
	}
	if countedBy != "" {
		res.Message += fmt.Sprintf(" (limit %q counts %s)", countedBy, ex)
	}
	return res
}

// untestable says why the run cannot test the promise, or "".
func (c *excludedChecker) untestable() string {
	p, l := c.plan, c.limit
	switch {
	case p == nil:
		return "there is no plan to judge the run against"
	case l == nil:
		return "the plan tests no limit"
	}
	if _, ok := plan.ExcludedEndpoint(p.Scenario, *l); !ok {
		return fmt.Sprintf("limit %q counts every endpoint of the scenario", l.Name)
	}
	switch {
	case p.Lean:
		return "the lean plan (--lean) sends no excluded-endpoint phases"
	case len(c.triples(scenarios.PhaseCounted, scenarios.PhaseExcluded, scenarios.PhaseCounted)) > 0:
		return ""
	case len(p.Scenario.Phases) > 0:
		return "the scenario's phases include no excluded phase between counted ones"
	case l.Window > 10*time.Second:
		return fmt.Sprintf("limit %q's window of %s is too long to wait for a fresh budget between attempts", l.Name, l.Window)
	}
	return fmt.Sprintf("the plan has no excluded-endpoint phases for limit %q (run.max_duration too short for them)", l.Name)
}

// countedBy names another finite limit that counts endpoint ex, or "".
func (c *excludedChecker) countedBy(ex string) string {
	for _, l := range c.plan.Scenario.Limits {
		if !l.Unlimited && l.Requests > 0 && l.Counts(ex) {
			return l.Name
		}
	}
	return ""
}

// remainingAround is the counted response with the lowest Remaining before
// the excluded calls and the one with the highest after, when Remaining can
// be compared exactly.
func (c *excludedChecker) remainingAround(before, after []results.Observation, ex string) (a, b *results.Observation, ok bool) {
	if c.exactRemaining(ex) != "" {
		return nil, nil, false
	}
	a, b, _, _ = c.remainingSpan(before, after)
	return a, b, a != nil && b != nil
}

func (c *excludedChecker) fail(res check.Result, msg string, o results.Observation, expected string) check.Result {
	res.Status, res.Message = check.Fail, msg
	res.Evidence = &check.Evidence{Expected: expected, Requests: []check.RequestEvidence{c.evidence(o, "")}}
	return res
}

func allAdmitted(obs []results.Observation) bool {
	for _, o := range obs {
		if !o.Admitted() {
			return false
		}
	}
	return true
}
