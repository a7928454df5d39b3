package conformance

import (
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// decodeRun turns arbitrary bytes into a limit and observations: the first four
// bytes pick the limit, then every five bytes make one request.
func decodeRun(data []byte) (*plan.Plan, []results.Observation) {
	if len(data) < 4 {
		return nil, nil
	}
	algos := []scenarios.Algorithm{scenarios.AlgoAny, scenarios.AlgoFixedWindow, scenarios.AlgoSlidingWindow,
		scenarios.AlgoTokenBucket, scenarios.AlgoGCRA, "bogus"}
	windows := []time.Duration{time.Nanosecond, time.Millisecond, time.Second, time.Minute, 30 * 24 * time.Hour}
	l := limitOf(int64(data[0]%40)-2, windows[int(data[1])%len(windows)], algos[int(data[2])%len(algos)])
	l.Burst = int64(data[3] % 5)
	l.Recovery = time.Duration(data[3]%3) * time.Second
	if data[3]&8 != 0 {
		l.Scope = scenarios.ScopeGlobal
	}
	p := planOf(l, standardPhases)
	statuses := []int{200, 201, 302, 429, 503, 500, 0, 401, 403, 404, 400}
	var obs []results.Observation
	at := base
	for k := 4; k+5 <= len(data); k += 5 {
		b := data[k : k+5]
		at = at.Add(time.Duration(int8(b[0])) * time.Millisecond) // may step back
		obs = append(obs, results.Observation{
			Seq:      uint64(len(obs) + 1),
			Phase:    int(b[1]%6) - 1,
			Endpoint: []string{"list", "other"}[b[1]>>7],
			KeyID:    []string{"a", "b", ""}[int(b[2])%3],
			Sent:     at,
			Latency:  time.Duration(b[3]) * time.Duration(b[3]) * 50 * time.Microsecond,
			Status:   statuses[int(b[4])%len(statuses)],
		})
	}
	return p, obs
}

func FuzzCheck(f *testing.F) {
	f.Add([]byte{20, 2, 1, 0, 10, 1, 0, 3, 0, 10, 1, 0, 3, 3, 10, 1, 1, 3, 3, 200, 2, 0, 9, 0})
	f.Add([]byte{1, 1, 0, 0, 1, 2, 0, 1, 0, 1, 2, 0, 1, 3, 0, 2, 1, 200, 6, 5, 3, 2, 200, 7})
	f.Add([]byte{5, 4, 3, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 255, 5, 2, 255, 4})
	f.Fuzz(func(t *testing.T, data []byte) {
		p, obs := decodeRun(data)
		v := Check(p, seqOf(obs))
		if len(v.Checks) != len(checks) {
			t.Fatalf("Check returned %d results; want %d", len(v.Checks), len(checks))
		}
		for _, c := range v.Checks {
			switch {
			case c.Status != check.Pass && c.Status != check.Fail && c.Status != check.Skip:
				t.Errorf("%s: status %q", c.ID, c.Status)
			case c.Message == "":
				t.Errorf("%s: empty message", c.ID)
			case c.Status == check.Fail && (c.Evidence == nil || len(c.Evidence.Requests) == 0 || len(c.Evidence.Requests) > check.MaxEvidence):
				t.Errorf("%s failed with evidence %+v; want 1 to %d requests", c.ID, c.Evidence, check.MaxEvidence)
			}
		}
		if v.Failed() != (v.Status == check.Fail) {
			t.Errorf("Verdict.Status = %s but Failed() = %v", v.Status, v.Failed())
		}
	})
}
