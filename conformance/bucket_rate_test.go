package conformance

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/scenarios"
)

// A bucket whose capacity is right but whose refill rate is not breaks one
// promise: refilling too fast admits too many (limit.enforced), too slowly
// rejects early (limit.no-early-reject). Found against x/time/rate at 6/s
// with burst 20 for a promise of 5/s: limit.no-early-reject failed beside
// limit.enforced ("rejected with at least 1.02 tokens left"), since the
// model did not charge the admissions it had judged over the limit, so its
// bucket held tokens the real one had spent on them.
func TestBucketRefillRateFailsOneCheck(t *testing.T) {
	for _, tt := range []struct {
		n, burst int64
		factor   float64 // the real refill rate over the promised one
		fails    check.ID
	}{
		{20, 20, 1.2, check.LimitEnforced},
		{20, 20, 0.8, check.LimitNoEarlyReject},
		{5, 20, 1.2, check.LimitEnforced}, // the x/time/rate case
		{5, 20, 1.5, check.LimitEnforced},
		{5, 20, 0.8, check.LimitNoEarlyReject},
	} {
		for _, lat := range latencies {
			t.Run(fmt.Sprintf("%d-burst-%d-refill×%.1f/%s", tt.n, tt.burst, tt.factor, lat.name), func(t *testing.T) {
				l := limitOf(tt.n, time.Second, scenarios.AlgoTokenBucket)
				l.Burst, l.BurstDeclared, l.Recovery = tt.burst, true, time.Second
				p := plan.New(&scenarios.Scenario{Name: "sim", Limits: []scenarios.Limit{l},
					Endpoints: []scenarios.Endpoint{{Name: "list", Method: "GET", Path: "/list"}},
					Run:       scenarios.RunOptions{Connections: 32, Timeout: 10 * time.Second}})
				srv := newTokenBucket(float64(tt.burst), float64(tt.n)*tt.factor, faultNone)
				v := Check(p, seqOf(serve(client(p, []string{""}, lat.lat, 7), srv)))
				for _, c := range v.Checks {
					switch {
					case c.ID == tt.fails && c.Status != check.Fail:
						t.Errorf("%s = %s (%s); want fail", c.ID, c.Status, c.Message)
					case c.ID != tt.fails && c.Status == check.Fail:
						t.Errorf("%s = fail (%s); want only %s to fail", c.ID, c.Message, tt.fails)
					}
				}
			})
		}
	}
}

// A fixed window that rejects early, judged as "any" with the derived plan,
// is fingerprinted as a fixed window, whatever its phase and the latency.
// While the bucket judge charged the over-admissions whole, a bucket
// candidate left hundreds of decisions ambiguous and few wrong, and won
// ("leaky bucket, 1 per 55.56 ms: explains 73 of 490 decisions; 308
// ambiguous"; on the built-in target's early-reject fault, "token bucket,
// burst 10, refill 15/s"). At some phases (130 ms) its size came out wrong,
// 20 per 2s, while the only window sizes tried were the promise's and the
// most a window of the judged model admitted (20, in a chain of windows out
// of phase with the limiter's): the admissions between rejection streaks
// are a candidate too.
func TestEarlyWindowIsFingerprintedAsAWindow(t *testing.T) {
	l := limitOf(20, time.Second, scenarios.AlgoAny)
	l.Recovery = time.Second
	p := plan.New(&scenarios.Scenario{Name: "sim", Limits: []scenarios.Limit{l},
		Endpoints: []scenarios.Endpoint{{Name: "list", Method: "GET", Path: "/list"}},
		Run:       scenarios.RunOptions{Connections: 32, Timeout: 10 * time.Second}})
	for _, off := range []time.Duration{0, 130 * time.Millisecond, 370 * time.Millisecond, 620 * time.Millisecond, 880 * time.Millisecond} {
		for _, lat := range latencies {
			for seed := uint64(1); seed <= 3; seed++ {
				srv := newClockWindow(20, time.Second, base.Add(off), faultEarly)
				v := Check(p, seqOf(serve(client(p, []string{""}, lat.lat, seed), srv)))
				fp := v.Fingerprint
				switch {
				case fp == nil || fp.Family != "fixed window":
					t.Errorf("phase %v, %s, seed %d: Fingerprint = %+v; want a fixed window", off, lat.name, seed, fp)
				case !strings.HasPrefix(fp.Params, "18 per 1s"):
					t.Errorf("phase %v, %s, seed %d: the window's size is wrong: %s; want 18 per 1s", off, lat.name, seed, fp.Summary)
				}
			}
		}
	}
}
