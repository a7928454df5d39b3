package conformance

import (
	"fmt"
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
