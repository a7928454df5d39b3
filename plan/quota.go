package plan

import (
	"fmt"
	"time"

	"github.com/ratecheck/ratecheck/scenarios"
)

// A quota (Limit.IsQuota: a window of an hour or more) is too big to exhaust
// on a real API: 5,000 a day is the whole day's allowance. A target that can
// be told how much of a quota is left (the built-in reference target,
// reftarget.QuotaStart) can have it exhausted in one burst: the plan ends,
// for each finite quota, with
//
//	pause   the longest fresh time (recovery, window or refill) of the other
//	        limits of the endpoint that a new key does not get afresh
//	        (global or per-IP), at least quotaSettle
//	quota   Left+2 requests at once, with a key of their own (QuotaKeyID)
//
// and the target, at the first request of that key, starts every quota
// afresh with Left requests left in this one. Left = min(10, C−2) where C is
// the smallest capacity of the other limits counting the endpoint (so that
// they admit the whole burst and every rejection is the quota's), at most the
// quota itself. A correct quota admits exactly Left of the burst.
const quotaSettle = 250 * time.Millisecond

// QuotaTest is one quota the plan exhausts (ExhaustQuotas).
type QuotaTest struct {
	Limit string // the quota's name
	Key   string // the key id of the quota phase: at its first request the target starts the quota with Left left
	Left  int64  // requests the quota has left when the phase starts; -1 when not known (a real API)
	Phase int    // index in Plan.Phases of the quota phase
}

// ExhaustQuotas ends a derived plan with one quota test per quota (see
// QuotaTest), for a target that starts a quota with a given number of
// requests left at the first request of the test's key: the built-in
// reference target. The plan's scenario gets one key per quota
// (QuotaKeyID), with the first key's scopes.
func ExhaustQuotas() Option { return func(p *Plan) { p.exhaustQuotas = true } }

// QuotaKeyID is the id of the key that exhausts the named quota.
func QuotaKeyID(limit string) string { return "quota-" + limit }

// withQuotas appends a quota test per finite quota to steps, when the plan
// asks for them (ExhaustQuotas; AffordQuotas or SpendQuotas, see
// quota_real.go) and they fit in run.max_duration; the tests record the
// index of their step.
func (p *Plan) withQuotas(steps []step) ([]step, []QuotaTest) {
	sc := p.Scenario
	if !p.exhaustQuotas && p.spend == nil {
		return steps, nil
	}
	var tests []QuotaTest
	for i, l := range sc.Limits {
		if !l.IsQuota() || l.Unlimited || l.Requests < 1 {
			continue
		}
		var seg []step
		t := QuotaTest{Limit: l.Name}
		if p.exhaustQuotas {
			if sc.Auth.Header == "" || len(sc.Auth.Keys) == 0 {
				continue // no key of its own to restart the quota with
			}
			var ok bool
			if seg, t.Left, ok = p.quotaSteps(i); !ok {
				p.warnf("quota %s is not exhausted: the other limits of its endpoint admit fewer than 3 requests at once", l.Name)
				continue
			}
			t.Key = QuotaKeyID(l.Name)
		} else {
			var ok bool
			if seg, ok = p.spendSteps(i, steps); !ok {
				continue
			}
			t.Key, t.Left = seg[len(seg)-1].key, -1
		}
		if limit := sc.Run.MaxDuration; limit > 0 && totalDuration(steps)+totalDuration(seg) > limit {
			p.warnf("exhausting quota %s would make the run longer than run.max_duration %s: it is left out; raise run.max_duration",
				l.Name, formatDuration(limit))
			continue
		}
		steps = append(steps, seg...)
		t.Phase = len(steps) - 1
		tests = append(tests, t)
	}
	return steps, tests
}

// quotaSteps plans the pause and the burst that exhaust quota i, with the
// requests the quota has left when the burst comes.
func (p *Plan) quotaSteps(i int) ([]step, int64, bool) {
	sc := p.Scenario
	q := sc.Limits[i]
	ep := defaultEndpoint(sc, i)
	left := min(10, q.Requests)
	settle := quotaSettle
	for j, l := range sc.Limits {
		if j == i || l.IsQuota() || l.Unlimited || !l.Counts(ep) {
			continue // the target starts every quota afresh
		}
		capacity := l.Requests
		if l.Burst > 0 {
			capacity = l.Burst
		}
		left = min(left, capacity-2)
		if l.Scope == scenarios.ScopeGlobal || l.Scope == scenarios.ScopeIP {
			settle = max(settle, freshAfter(l)+quotaSettle)
		}
	}
	if left < 1 {
		return nil, 0, false
	}
	key := QuotaKeyID(q.Name)
	burst := burstStep("quota", scenarios.PhaseQuota, left+2, ep, key, 0)
	burst.name = "quota-" + q.Name
	return []step{{name: "pause", kind: scenarios.PhasePause, duration: settle, endpoint: ep, key: key}, burst}, left, true
}

// withQuotaKeys returns a copy of sc with a key per finite quota
// (QuotaKeyID), each with the first key's scopes, or sc when it has no auth.
func withQuotaKeys(sc *scenarios.Scenario) *scenarios.Scenario {
	if sc.Auth.Header == "" || len(sc.Auth.Keys) == 0 {
		return sc
	}
	out := *sc
	out.Auth.Keys = append([]scenarios.Key(nil), sc.Auth.Keys...)
	first := sc.Auth.Keys[0]
	for _, l := range sc.Limits {
		if !l.IsQuota() || l.Unlimited || l.Requests < 1 {
			continue
		}
		id := QuotaKeyID(l.Name)
		if sc.Auth.Key(id) != nil {
			continue
		}
		out.Auth.Keys = append(out.Auth.Keys, scenarios.Key{ID: id, Scopes: first.Scopes, Pos: first.Pos})
	}
	return &out
}

// QuotaTestOf returns the quota test of the named limit, if the plan has one.
func (p *Plan) QuotaTestOf(limit string) (QuotaTest, bool) {
	for _, t := range p.Quotas {
		if t.Limit == limit {
			return t, true
		}
	}
	return QuotaTest{}, false
}

// String describes the test, e.g. "per-day: 12 requests at once with 10 left".
func (t QuotaTest) String() string {
	if t.Left < 0 {
		return fmt.Sprintf("%s: spent until it runs out, with key %s", t.Limit, t.Key)
	}
	return fmt.Sprintf("%s: %d requests at once with %d left", t.Limit, t.Left+2, t.Left)
}
