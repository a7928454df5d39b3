package plan

import (
	"fmt"

	"github.com/ratecheck/ratecheck/scenarios"
)

// charge computes what the run costs each limit's budget, with a note per
// limit and a warning for every untested limit the run would exhaust.
func (p *Plan) charge() {
	sc := p.Scenario
	tested := p.TestedLimit()
	for i, l := range sc.Limits {
		c := Charge{
			Limit:     l.Name,
			Requests:  charged(l, p.Phases),
			Budget:    l.Requests,
			Unlimited: l.Unlimited,
			Tested:    i == p.Tested,
		}
		if !l.Unlimited && l.Requests > 0 {
			c.Share = float64(c.Requests) / float64(l.Requests)
		}
		c.Tiers = tierShares(l, c.Requests)
		switch {
		case l.Unlimited:
			c.Budget = 0
			c.Note = fmt.Sprintf("unlimited%s: only charged, not exercised (this run uses %d)", onPlan(sc.Plan), c.Requests)
		case c.Tested:
			c.Note = fmt.Sprintf("under test: %d per %s (this run sends %d)", l.Requests, formatDuration(l.Window), c.Requests)
		case p.hasQuotaTest(l.Name):
			c.Note = fmt.Sprintf("window %s: exhausted by its quota test (this run uses %d of %d)", formatDuration(l.Window), c.Requests, l.Requests)
		default:
			c.Note = fmt.Sprintf("window %s: only charged, not exercised (this run uses %d of %d)", formatDuration(l.Window), c.Requests, l.Requests)
			if l.Scope == scenarios.ScopeKey && len(p.Layered) > 0 {
				c.Note = fmt.Sprintf("window %s: only charged, each key held below it (this run uses %d of %d per key in all)", formatDuration(l.Window), c.Requests, l.Requests)
			} else if c.Requests > l.Requests && tested != nil {
				p.warnf("this run would exhaust the %s budget (%d of %d requests): later requests may be limited by %s rather than %s",
					l.Name, c.Requests, l.Requests, l.Name, tested.Name)
			} else if c.Requests > l.Requests {
				p.warnf("this run would exhaust the %s budget (%d of %d requests)", l.Name, c.Requests, l.Requests)
			}
		}
		p.Charges = append(p.Charges, c)
	}
}

// charged is the number of the run's requests the limit counts. A per-key
// limit has a budget per key, so it is charged the most any one key sends.
// Requests the API must refuse for their key cost nothing (auth.not-counted
// checks that they do not).
func charged(l scenarios.Limit, phases []Phase) int64 {
	perKey := map[string]int64{}
	var total, most int64
	for _, ph := range phases {
		if !l.Counts(ph.Endpoint) || ph.Kind.Auth() {
			continue
		}
		total += ph.Requests
		perKey[ph.Key] += ph.Requests
		most = max(most, perKey[ph.Key])
	}
	if l.Scope == scenarios.ScopeKey {
		return most
	}
	return total
}

// hasQuotaTest reports whether the plan exhausts the named quota.
func (p *Plan) hasQuotaTest(name string) bool {
	_, ok := p.QuotaTestOf(name)
	return ok
}
