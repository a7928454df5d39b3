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
