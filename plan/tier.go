package plan

import "github.com/ratecheck/ratecheck/scenarios"

// TierShare is what a run costs one plan tier's quota of a limit.
type TierShare struct {
	Plan      string
	Quota     int64 // requests per window on this tier; 0 when Unlimited
	Unlimited bool
	Share     float64 // the run's requests / Quota; 0 when Unlimited
}

// tierShares returns the share of each plan tier's quota that n requests
// spend, or nil for a limit without plans.
func tierShares(l scenarios.Limit, n int64) []TierShare {
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
func (p *Plan) OverShare(max float64) []Charge { return OverShareTogether(max, p) }

// OverShareTogether is OverShare for the runs of one invocation sent one
// after another: the runs of one scenario (one per limit under test) spend
// the same quotas, so a quota's charges are summed over them before they are
// compared with max. Runs of different scenarios are taken to spend
// different quotas.
func OverShareTogether(max float64, plans ...*Plan) []Charge {
	type quota struct{ file, limit string }
	sums := map[quota]*Charge{}
	var order []quota
	for _, p := range plans {
		for i, c := range p.Charges {
			if i >= len(p.Scenario.Limits) || !p.Scenario.Limits[i].IsQuota() || c.Unlimited {
				continue
			}
			q := quota{p.Scenario.File, c.Limit}
			if sum, ok := sums[q]; ok {
				sum.Requests += c.Requests
				sum.Share += c.Share
				continue
			}
			c.Tiers = nil // a sum of the active tier only
			sums[q] = &c
			order = append(order, q)
		}
	}
	var out []Charge
	for _, q := range order {
		if c := sums[q]; c.Share > max {
			out = append(out, *c)
		}
	}
	return out
}
