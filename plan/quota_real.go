package plan

import (
	"math"
	"slices"
	"time"

	"github.com/ratecheck/ratecheck/scenarios"
)

// A real API cannot be told how much of a quota is left, and the account may
// have spent some of it before the run. Exhausting it there costs up to the
// whole quota: a run does it only when the user allows it, by a --max-share
// of at least the share it costs (every request of the run the quota counts,
// plus N+2) and a --budget (if any) the whole run fits in. The test is then
//
//	pause   the longest fresh time of the other limits of the endpoint, at
//	        least quotaSettle
//	quota   N+2 requests with the run's own key, at half the slowest other
//	        limit's rate, so that only the quota rejects
//
// A correct quota admits no more than N in the run, and runs out within it.
// A quota that is the limit under test needs none: the derived plan
// exhausts it.

// quotaSpend is what AffordQuotas or SpendQuotas allow.
type quotaSpend struct {
	maxShare float64  // AffordQuotas: the most of a quota the run may spend
	budget   int64    // AffordQuotas: the most requests the run may send; 0 no cap
	names    []string // SpendQuotas: exactly these quotas
}

// AffordQuotas plans, for a real API, the quota test (see QuotaTest, Left
// -1) of every quota the run can afford to exhaust: its share of the quota,
// the test included, is at most maxShare (more than 1: spending all of it),
// and the whole run sends at most budget requests (0: no cap). With the
// default --max-share (0.1) none is affordable.
func AffordQuotas(maxShare float64, budget int64) Option {
	return func(p *Plan) { p.spend = &quotaSpend{maxShare: maxShare, budget: budget} }
}

// SpendQuotas plans the quota tests of exactly the named quotas as
// AffordQuotas would, for a replay of a run that recorded them.
func SpendQuotas(names ...string) Option {
	return func(p *Plan) {
		if len(names) > 0 {
			p.spend = &quotaSpend{names: slices.Clone(names)}
		}
	}
}

// spendSteps plans the pause and the paced phase that spend quota i on a
// real API, when the run may afford it.
func (p *Plan) spendSteps(i int, steps []step) ([]step, bool) {
	sc := p.Scenario
	q := sc.Limits[i]
	if i == p.Tested {
		return nil, false // the derived plan exhausts it
	}
	if p.spend.names != nil && !slices.Contains(p.spend.names, q.Name) {
		return nil, false
	}
	ep, key := defaultEndpoint(sc, i), defaultKey(sc)
	rate, settle := math.Inf(1), quotaSettle
	for j, l := range sc.Limits {
		if j == i || l.IsQuota() || l.Unlimited || !l.Counts(ep) {
			continue
		}
		rate = min(rate, 0.5*l.Rate())
		settle = max(settle, freshAfter(l)+quotaSettle)
	}
	if math.IsInf(rate, 1) || rate <= 0 {
		return nil, false
	}
	n := q.Requests + 2
	d := time.Duration(math.Ceil(float64(n)/rate*1e3)) * time.Millisecond
	seg := []step{
		{name: "pause", kind: scenarios.PhasePause, duration: settle, endpoint: ep, key: key},
		{name: "quota-" + q.Name, kind: scenarios.PhaseQuota, rate: float64(n) / d.Seconds(), duration: d, endpoint: ep, key: key},
	}
	if p.spend.names != nil {
		return seg, true
	}
	all := append(slices.Clone(steps), seg...)
	perKey := q.Scope == scenarios.ScopeKey || q.Scope == "" && sc.Auth.Header != ""
	var total, counted int64
	for _, s := range all {
		r := requests(s.rate, s.duration)
		total += r
		if q.Counts(s.endpoint) && (!perKey || s.key == key) {
			counted += r
		}
	}
	if float64(counted) > p.spend.maxShare*float64(q.Requests) {
		return nil, false
	}
	if p.spend.budget > 0 && total > p.spend.budget {
		p.warnf("quota %s is not exhausted: the run would send %d requests, more than --budget %d", q.Name, total, p.spend.budget)
		return nil, false
	}
	return seg, true
}
