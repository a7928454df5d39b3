package scenarios

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// quota reads `requests:` or `plans:` (exactly one) and sets the limit's
// Requests and Unlimited for the active plan.
func (d *decoder) quota(f *fields, l *Limit, plan string) {
	switch {
	case f.has("requests") && f.has("plans"):
		d.errorf(f.keys["plans"], f.at("plans"), "give requests or plans, not both")
	case f.has("requests"):
		n, ok := f.int("requests")
		if ok && n < 1 {
			d.errorf(f.value("requests"), f.at("requests"), "%d requests per window admits nothing (want at least 1)", n)
		} else if ok {
			l.Requests = n
		}
	case f.has("plans"):
		l.Plans = d.planQuotas(f.value("plans"), f.at("plans"))
		d.activeQuota(l, plan)
	default:
		f.missing("requests", "the number of requests per window, or plans: with one per plan tier")
	}
}

// planQuotas reads the per-plan values: a positive whole number or unlimited.
func (d *decoder) planQuotas(n *yaml.Node, path string) []PlanQuota {
	ps, ok := d.pairs(n, path)
	if !ok {
		return nil
	}
	if len(ps) == 0 {
		d.errorf(n, path, "no plans (want e.g. {starter: 2000, enterprise: unlimited})")
	}
	var qs []PlanQuota
	for _, p := range ps {
		at := child(path, p.Key)
		v, ok := d.scalar(p.Value, at, "a number of requests or unlimited")
		if !ok {
			continue
		}
		if strings.EqualFold(strings.TrimSpace(v), "unlimited") {
			qs = append(qs, PlanQuota{Plan: p.Key, Unlimited: true})
			continue
		}
		var i int64
		if r := resolve(p.Value); isNull(r) || r.Tag != "!!int" || r.Decode(&i) != nil || i < 1 {
			d.errorf(p.Value, at, "%s is not a number of requests (want a whole number of at least 1, or unlimited)", describeScalar(p.Value, v))
			continue
		}
		qs = append(qs, PlanQuota{Plan: p.Key, Requests: i})
	}
	return qs
}

// activeQuota copies the active plan's value into Requests and Unlimited.
func (d *decoder) activeQuota(l *Limit, plan string) {
	for _, q := range l.Plans {
		if q.Plan == plan {
			l.Requests, l.Unlimited = q.Requests, q.Unlimited
			return
		}
	}
}

// checkPlan checks the top-level plan: it is required when a limit has plans,
// must name a plan of every such limit, and is not allowed otherwise.
func (d *decoder) checkPlan(top *fields, sc *Scenario) {
	var first *Limit
	for i := range sc.Limits {
		l := &sc.Limits[i]
		if len(l.Plans) == 0 {
			continue
		}
		if first == nil {
			first = l
		}
		if sc.Plan != "" && !hasPlan(l.Plans, sc.Plan) {
			d.errorf(top.value("plan"), "plan", "%q is not a plan of limit %q (want one of: %s)", sc.Plan, l.Name, strings.Join(planNames(l.Plans), ", "))
		}
	}
	switch {
	case first != nil && sc.Plan == "" && !top.has("plan"):
		d.errorf(top.node, "plan", "missing: limit %q has plans, so name the plan to test (want one of: %s)", first.Name, strings.Join(planNames(first.Plans), ", "))
	case first != nil && sc.Plan == "" && resolve(top.value("plan")).Kind == yaml.ScalarNode:
		d.errorf(top.value("plan"), "plan", "empty: limit %q has plans (want one of: %s)", first.Name, strings.Join(planNames(first.Plans), ", "))
	case first == nil && sc.Plan != "":
		d.errorf(top.value("plan"), "plan", "%q has no effect: no limit has plans (remove plan, or give a limit plans:)", sc.Plan)
	}
}

// hasPlan reports whether the quotas include the plan.
func hasPlan(qs []PlanQuota, plan string) bool {
	for _, q := range qs {
		if q.Plan == plan {
			return true
		}
	}
	return false
}

// planNames lists the plan names of a limit, for messages.
func planNames(qs []PlanQuota) []string {
	names := make([]string, len(qs))
	for i, q := range qs {
		names[i] = q.Plan
	}
	return names
}
