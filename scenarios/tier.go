package scenarios

import (
	"fmt"
	"strings"
)

// WithPlan returns a copy of sc with its limits resolved for another plan
// tier (the --tier flag): Requests and Unlimited come from that tier, and a
// Burst that was the old tier's Requests (the default) follows the new one.
// Every limit with plans must have the tier. sc is not changed.
func (sc *Scenario) WithPlan(plan string) (*Scenario, error) {
	if plan == sc.Plan {
		return sc, nil
	}
	var tiers []string
	out := *sc
	out.Plan = plan
	out.Limits = make([]Limit, len(sc.Limits))
	copy(out.Limits, sc.Limits)
	for i := range out.Limits {
		l := &out.Limits[i]
		if len(l.Plans) == 0 {
			continue
		}
		tiers = planNames(l.Plans)
		if !hasPlan(l.Plans, plan) {
			return nil, fmt.Errorf("scenario %s: %q is not a plan tier of limit %q (want one of: %s)",
				sc.Name, plan, l.Name, strings.Join(tiers, ", "))
		}
		old := l.Requests
		for _, q := range l.Plans {
			if q.Plan == plan {
				l.Requests, l.Unlimited = q.Requests, q.Unlimited
			}
		}
		if l.Burst == old {
			l.Burst = l.Requests
		}
	}
	if tiers == nil {
		return nil, fmt.Errorf("scenario %s: no limit has plan tiers, so there is no tier %q to select", sc.Name, plan)
	}
	return &out, nil
}

// TierShare is what a run costs one plan tier's quota of a limit.
type TierShare struct {
	Plan      string
	Quota     int64 // requests per window on this tier; 0 when Unlimited
	Unlimited bool
	Share     float64 // the run's requests / Quota; 0 when Unlimited
}

// tierShares returns the share of each plan tier's quota that n requests
// spend, or nil for a limit without plans.
func tierShares(l Limit, n int64) []TierShare {
	var out []TierShare
	for _, q := range l.Plans {
		t := TierShare{Plan: q.Plan, Quota: q.Requests, Unlimited: q.Unlimited}
		if !q.Unlimited && q.Requests > 0 {
			t.Share = float64(n) / float64(q.Requests)
		}
		out = append(out, t)
	}
	return out
}

// DefaultMaxShare is the share of a quota a run may spend without asking.
const DefaultMaxShare = 0.10

// OverShare returns the charges of quotas (Limit.IsQuota) that the run would
// spend more than max of, on the active plan tier: a run against a real API
// must ask before spending them.
func (p *Plan) OverShare(max float64) []Charge {
	var out []Charge
	for i, c := range p.Charges {
		if i < len(p.Scenario.Limits) && p.Scenario.Limits[i].IsQuota() && !c.Unlimited && c.Share > max {
			out = append(out, c)
		}
	}
	return out
}
