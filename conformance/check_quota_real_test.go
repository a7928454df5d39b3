package conformance

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// spendRun answers every request of p: the quota (counting every request)
// admits the first `admit` and rejects the rest; nothing else rejects.
func spendRun(p *plan.Plan, admit int) []results.Observation {
	start := time.Unix(1_700_000_000, 0)
	var out []results.Observation
	n := 0
	for i, ph := range p.Phases {
		for k := range ph.Requests {
			st := 429
			if n < admit {
				st = 200
			}
			n++
			out = append(out, results.Observation{
				Seq: p.FirstSeq(i) + uint64(k), Phase: i, Endpoint: ph.Endpoint, KeyID: ph.Key,
				Sent: start.Add(ph.Start + ph.Due(uint64(k))), Latency: time.Millisecond, Status: st,
			})
		}
	}
	return out
}

// On a real API a quota is exhausted only when the user allows spending it
// (AffordQuotas); then the run as a whole must see it run out having
// admitted no more than it allows, and more is a failure only where no
// window boundary can explain it.
func TestQuotaSpentOnARealAPI(t *testing.T) {
	src := `name: q
auth:
  header: X-Key
  keys:
    primary: ${K1}
endpoints:
  - {name: list, path: /list}
limits:
  - {name: ps, requests: 100, window: 1s}
  - {name: daily, requests: 300, window: day, algorithm: %s}
`
	for _, tc := range []struct {
		name, algorithm string
		admit           int
		want            check.Status
		undecided       bool
		msg             string
	}{
		{"ran out within the quota", "sliding-window", 250, check.Pass, false, "250 of its requests were admitted (at most 300"},
		{"ran out at the quota", "sliding-window", 300, check.Pass, false, "300 of its requests were admitted"},
		{"one too many", "sliding-window", 301, check.Fail, false, "over-admits"},
		{"one too many, maybe a window boundary", "any", 301, check.Skip, true, "may have ended during the run"},
		{"never ran out", "sliding-window", 1 << 20, check.Fail, false, "over-admits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc, err := scenarios.Parse("q.yaml", fmt.Appendf(nil, src, tc.algorithm))
			if err != nil {
				t.Fatal(err)
			}
			if p := plan.New(sc, plan.AffordQuotas(0.1, 0)); len(p.Quotas) != 0 {
				t.Fatalf("with --max-share 0.1: quota tests %v; want none", p.Quotas)
			}
			p := plan.New(sc, plan.AffordQuotas(10, 0))
			if len(p.Quotas) != 1 || p.Quotas[0].Left != -1 || p.Quotas[0].Key != "primary" {
				t.Fatalf("quota tests %v (warnings %v); want one of daily, Left -1, with key primary", p.Quotas, p.Warnings)
			}
			c := resultOf(t, Check(p, seqOf(spendRun(p, tc.admit))), check.QuotaEnforced)
			if c.Status != tc.want || c.Undecided != tc.undecided || !strings.Contains(c.Message, tc.msg) {
				t.Errorf("quota.enforced = %s, undecided %v (%s); want %s, undecided %v, %q", c.Status, c.Undecided, c.Message, tc.want, tc.undecided, tc.msg)
			}
		})
	}
}
