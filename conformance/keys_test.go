package conformance

import (
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/scenarios"
)

// sharedState hides the key from the limiter behind it: one counter for all keys.
type sharedState struct{ server }

func (s sharedState) decide(at time.Time, _ string) int { return s.server.decide(at, "") }

func TestCheckPerKeyIsolation(t *testing.T) {
	perKey := func() server { return newClockWindow(20, time.Second, base.Add(370*time.Millisecond), faultNone) }
	tests := []struct {
		name   string
		scope  scenarios.Scope
		srv    server
		failed []check.ID
	}{
		{"per-key limit, per-key server", scenarios.ScopeKey, perKey(), nil},
		{"per-key limit, one counter for all keys", scenarios.ScopeKey, sharedState{perKey()}, []check.ID{check.LimitNoEarlyReject}},
		{"global limit, one counter for all keys", scenarios.ScopeGlobal, sharedState{perKey()}, nil},
		{"global limit, per-key server", scenarios.ScopeGlobal, perKey(), []check.ID{check.LimitEnforced}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := limitOf(20, time.Second, scenarios.AlgoFixedWindow)
			l.Scope = tt.scope
			p := planOf(l, standardPhases)
			// Each key sends at the phase's rate: together, twice the limit under it.
			obs := serve(client(p, []string{"k1", "k2"}, fixedLatency(200*time.Microsecond), 4), tt.srv)
			v := Check(p, seqOf(obs))
			for _, c := range v.Checks {
				want := false
				for _, id := range tt.failed {
					want = want || c.ID == id
				}
				if got := c.Status == check.Fail; got != want {
					t.Errorf("%s = %s (%s); want failed=%v", c.ID, c.Status, c.Message, want)
				}
			}
		})
	}
}
