package plan

import (
	"strings"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/scenarios"
)

// ExhaustQuotas ends the plan with a burst per quota, from a key of its own,
// sized so that the other limits admit it all; without it there is none.
func TestPlanQuotaTests(t *testing.T) {
	for _, tc := range []struct {
		name, limits string
		left         int64
		pause        time.Duration
	}{
		{"per-key rate limit", "  - {name: ps, requests: 100, window: 1s}\n  - {name: daily, requests: 5000, window: day}\n", 10, quotaSettle},
		{"small rate limit", "  - {name: ps, requests: 6, window: 1s}\n  - {name: daily, requests: 5000, window: day}\n", 4, quotaSettle},
		{"global rate limit", "  - {name: ps, requests: 20, window: 1s, scope: global}\n  - {name: daily, requests: 5000, window: day}\n", 10, 2*time.Second + quotaSettle}, // any algorithm: a counter forgets in two windows
		{"only a quota", "  - {name: daily, requests: 1000, window: hour}\n", 10, quotaSettle},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "name: q\nauth:\n  header: X-Key\n  keys:\n    primary: ${K}\nendpoints:\n  - {name: list, path: /list}\nlimits:\n" + tc.limits
			sc, err := scenarios.Parse("q.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			if p := New(sc); len(p.Quotas) != 0 {
				t.Errorf("without ExhaustQuotas: quota tests %v; want none", p.Quotas)
			}
			p := New(sc, ExhaustQuotas())
			if len(p.Quotas) != 1 {
				t.Fatalf("quota tests %v (warnings %v); want one", p.Quotas, p.Warnings)
			}
			q := p.Quotas[0]
			ph, pause := p.Phases[q.Phase], p.Phases[q.Phase-1]
			if q.Left != tc.left || ph.Kind != scenarios.PhaseQuota || ph.Requests != tc.left+2 || ph.Burst != int(tc.left+2) || ph.Key != q.Key || q.Phase != len(p.Phases)-1 {
				t.Errorf("quota test %+v, phase %+v; want %d left, the last phase a burst of %d with key %s", q, ph, tc.left, tc.left+2, q.Key)
			}
			if pause.Kind != scenarios.PhasePause || pause.Duration != tc.pause {
				t.Errorf("before the quota phase: %s of %v; want a pause of %v", pause.Kind, pause.Duration, tc.pause)
			}
			if p.Scenario.Auth.Key(q.Key) == nil || !strings.HasPrefix(q.Key, "quota-") {
				t.Errorf("the plan's scenario has keys %v; want %s among them", p.Scenario.Auth.Keys, q.Key)
			}
		})
	}
}
