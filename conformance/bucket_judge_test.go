package conformance

import (
	"strings"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/scenarios"
)

// bucketPlan is a token bucket of burst 2 refilled 1 a second (2 per 2 s).
func bucketPlan() *plan.Plan {
	l := limitOf(2, 2*time.Second, scenarios.AlgoTokenBucket)
	return planOf(l, []phaseSpec{{"over", scenarios.PhaseOver, 1, 10 * time.Second}})
}

func TestBucketJudgement(t *testing.T) {
	ms := time.Millisecond
	type req struct {
		at     time.Duration
		status int
	}
	tests := []struct {
		name   string
		reqs   []req
		failed []check.ID
	}{
		{"burst then refill", []req{{0, 200}, {10 * ms, 200}, {20 * ms, 429}, {1100 * ms, 200}, {1200 * ms, 429}}, nil},
		{"third in the burst admitted", []req{{0, 200}, {10 * ms, 200}, {20 * ms, 200}}, []check.ID{check.LimitEnforced}},
		{"first request rejected", []req{{0, 429}, {10 * ms, 200}}, []check.ID{check.LimitNoEarlyReject}},
		{"still limited when full again", []req{{0, 200}, {10 * ms, 200}, {20 * ms, 429}, {2500 * ms, 429}}, []check.ID{check.RecoveryAfterWindow}},
		// Full again but rejected once, within the promised 2 s of the first
		// rejection, then admitted: the client was never kept out longer
		// than promised, so it is an early rejection, not a late recovery.
		{"rejected when full within the promise", []req{{0, 200}, {10 * ms, 200}, {20 * ms, 429}, {2015 * ms, 429}, {2100 * ms, 200}}, []check.ID{check.LimitNoEarlyReject}},
		{"limited with 503", []req{{0, 200}, {10 * ms, 200}, {20 * ms, 503}}, []check.ID{check.LimitStatus}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := hand{start: base}
			for _, r := range tt.reqs {
				h.add(0, r.at, 200*time.Microsecond, r.status)
			}
			v := Check(bucketPlan(), seqOf(h.obs))
			for _, id := range modelChecks {
				c := resultOf(t, v, id)
				want := false
				for _, f := range tt.failed {
					want = want || f == id
				}
				if got := c.Status == check.Fail; got != want {
					t.Errorf("%s = %s (%s); want failed=%v", id, c.Status, c.Message, want)
				}
			}
		})
	}
}

func TestBucketOverAdmissionEvidence(t *testing.T) {
	h := hand{start: base}
	for k := range 3 {
		h.add(0, time.Duration(k)*10*time.Millisecond, 200*time.Microsecond, 200)
	}
	c := resultOf(t, Check(bucketPlan(), seqOf(h.obs)), check.LimitEnforced)
	if !strings.HasPrefix(c.Message, "1 request admitted beyond the limit of 2 per 2s (worst: 3 admitted within 0.02 s where the bucket allows 2.02;") {
		t.Errorf("message = %q; want the crowded set and what the bucket allows", c.Message)
	}
	ev := c.Evidence
	if ev == nil || len(ev.Requests) != 2 || ev.Requests[0].Seq != 1 || ev.Requests[1].Seq != 3 {
		t.Fatalf("evidence = %+v; want requests 1 (first of the set) and 3 (the extra)", ev)
	}
	if want := "at most 2 + 1/s × elapsed admitted (token bucket of 2)"; ev.Expected != want {
		t.Errorf("Expected = %q; want %q", ev.Expected, want)
	}
}
