package conformance

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/scenarios"
)

func TestMinTreeMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 2, 3, 5, 7, 64, 65, 100, 1000} {
		vals := make([]float64, n)
		for k := range vals {
			vals[k] = r.Float64() * 10
		}
		tree := newMinTree(n, func(k int) float64 { return vals[k] })
		for range 500 {
			k := r.IntN(n)
			if r.IntN(2) == 0 {
				v := r.Float64()*4 - 2
				tree.add(k, v)
				for x := 0; x <= k; x++ {
					vals[x] += v
				}
				continue
			}
			want, at := vals[0], 0
			for x := 1; x <= k; x++ {
				if vals[x] < want {
					want, at = vals[x], x
				}
			}
			got, gotAt := tree.min(k)
			if diff := got - want; diff > 1e-9 || diff < -1e-9 || vals[gotAt] != vals[at] {
				t.Fatalf("n=%d: min(%d) = %v at %d; want %v at %d", n, k, got, gotAt, want, at)
			}
		}
	}
}

func TestFenwick(t *testing.T) {
	f := newFenwick(10)
	marked := []int{1, 4, 5, 9}
	for _, k := range marked {
		f.add(k)
	}
	for k, want := range []int64{0, 0, 1, 1, 1, 2, 3, 3, 3, 3, 4} {
		if got := f.sum(k); got != want {
			t.Errorf("sum(%d) = %d; want %d", k, got, want)
		}
	}
	for c, want := range marked {
		if got := f.find(int64(c + 1)); got != want {
			t.Errorf("find(%d) = %d; want %d", c+1, got, want)
		}
	}
}

// bucketPlan is a token bucket of burst 2 refilled 1 a second (2 per 2 s).
func bucketPlan() *scenarios.Plan {
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
