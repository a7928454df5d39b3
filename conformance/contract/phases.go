// Package contract holds the checks of the contract phases, which the model
// and header checks never see (scenarios.PhaseKind.Contract): that limits
// count each key and source address apart (limit.per-key, limit.per-ip,
// isolation.go) and leave excluded endpoints alone (limit.excluded), that
// requests without a valid key or scope are refused as the scenario's errors
// declare (auth.missing-key, auth.invalid-key, auth.scope, auth.go) and are
// not counted (auth.not-counted), and quota.enforced (quota.go: from the
// plan's quota tests, else from the headers describing the quota,
// quota_headers.go); those two see every phase. phases.go keeps the
// observations of the contract phases by phase.
package contract

import (
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/response"
	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// contractObs keeps the observations of the contract phases, which are
// bursts of a few requests each (see scenarios.contractSteps), by phase.
type contractObs struct {
	plan   *plan.Plan
	limit  *scenarios.Limit
	pr     response.Promise
	origin time.Time // the earliest send seen, for offsets in evidence
	byPh   map[int][]results.Observation
}

func newContractObs(p *plan.Plan) contractObs {
	c := contractObs{plan: p, pr: response.NewPromise(p), byPh: map[int][]results.Observation{}}
	if p != nil {
		c.limit = p.TestedLimit()
	}
	return c
}

// result begins check id's result for the tested limit; when the run
// cannot test it (untestable is the reason, "" when it can) the result is a
// skip saying why, and ok is false.
func (c *contractObs) result(id check.ID, untestable string) (res check.Result, ok bool) {
	res.ID = id
	if c.limit != nil {
		res.Limit = c.limit.Name
	}
	if untestable != "" {
		res.Status, res.Message = check.Skip, untestable
		return res, false
	}
	return res, true
}

// keep records o, without its body.
func (c *contractObs) keep(o results.Observation) {
	if c.origin.IsZero() || o.Sent.Before(c.origin) {
		c.origin = o.Sent
	}
	o.Body = ""
	c.byPh[o.Phase] = append(c.byPh[o.Phase], o)
}

// triples returns, for every phase of kind mid, the indices of the phase
// before it and after it when those have the kinds before and after: the
// attempts of one contract test, in plan order.
func (c *contractObs) triples(before, mid, after scenarios.PhaseKind) [][3]int {
	if c.plan == nil {
		return nil
	}
	var out [][3]int
	ph := c.plan.Phases
	for i := 1; i+1 < len(ph); i++ {
		if ph[i].Kind == mid && ph[i-1].Kind == before && ph[i+1].Kind == after {
			out = append(out, [3]int{i - 1, i, i + 1})
		}
	}
	return out
}

// remaining reads o's Remaining header as the scenario promises it.
func (c *contractObs) remaining(o results.Observation) (int64, bool) {
	if c.pr.Remaining == "" {
		return 0, false
	}
	cl, _ := headers.Read(o.Headers, c.pr.Spec, o.Received())
	return cl.Remaining, cl.HasRemaining
}

// exactRemaining says why Remaining cannot be compared exactly for the
// tested limit's endpoints, or "" when it can: it must be promised, exact,
// and describe a limit that does not count endpoint ex ("" for any).
func (c *contractObs) exactRemaining(ex string) string {
	pr := &c.pr
	if why := pr.NoHeaders(pr.Remaining, "Remaining"); why != "" {
		return why
	}
	if pr.Scenario.Headers.Approximate {
		return "the scenario says Remaining is approximate"
	}
	if ex != "" && pr.Described.Counts(ex) {
		return "the Remaining header describes limit " + quote(pr.Described.Name) + ", which counts " + ex
	}
	return ""
}

// evidence is o as evidence, with a note.
func (c *contractObs) evidence(o results.Observation, note string) check.RequestEvidence {
	name := ""
	if c.plan != nil && o.Phase >= 0 && o.Phase < len(c.plan.Phases) {
		name = c.plan.Phases[o.Phase].Name
	}
	return check.RequestEvidence{
		Seq: o.Seq, Phase: name, Sent: o.Sent, Offset: o.Sent.Sub(c.origin), Latency: o.Latency,
		Status: o.Status, Headers: o.Headers, Note: note,
	}
}

// remainingSpan is the response with the lowest Remaining of before and the
// one with the highest of after (nil where none carried one), with their
// values: the pair that shows a charge between them, if anything does.
func (c *contractObs) remainingSpan(before, after []results.Observation) (a, b *results.Observation, ra, rb int64) {
	for i, o := range before {
		if r, ok := c.remaining(o); ok && (a == nil || r < ra) {
			a, ra = &before[i], r
		}
	}
	for i, o := range after {
		if r, ok := c.remaining(o); ok && (b == nil || r > rb) {
			b, rb = &after[i], r
		}
	}
	return a, b, ra, rb
}

func quote(s string) string { return `"` + s + `"` }
