package runner

import (
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/scenarios"
)

// TestFollowRemaining: the live view follows the Remaining header the
// scenario promises, under its names, for the limit the headers describe;
// nothing when no Remaining is promised or the limit has no count.
func TestFollowRemaining(t *testing.T) {
	minute := scenarios.Limit{Name: "per-minute", Requests: 60, Window: time.Minute}
	day := scenarios.Limit{Name: "per-day", Requests: 1000, Window: 24 * time.Hour, Scope: scenarios.ScopeGlobal}
	for _, tc := range []struct {
		name    string
		limits  []scenarios.Limit
		headers scenarios.Headers
		ok      bool
		header  string
		limit   string
		perKey  bool
	}{
		{"x-ratelimit defaults", []scenarios.Limit{minute, day}, scenarios.Headers{Convention: headers.ConventionXRateLimit},
			true, "X-RateLimit-Remaining", "per-minute", true},
		{"named, describes the second", []scenarios.Limit{minute, day},
			scenarios.Headers{Convention: headers.ConventionXRateLimit, Limit: "X-Day-Limit", Remaining: "X-Day-Left", Describes: "per-day"},
			true, "X-Day-Left", "per-day", false},
		{"structured", []scenarios.Limit{minute}, scenarios.Headers{Convention: headers.ConventionStructured}, true, "RateLimit r=", "per-minute", true},
		{"no headers", []scenarios.Limit{minute}, scenarios.Headers{Convention: headers.ConventionNone}, false, "", "", false},
		{"no Remaining named", []scenarios.Limit{minute}, scenarios.Headers{Convention: headers.ConventionXRateLimit, Limit: "X-RateLimit-Limit"}, false, "", "", false},
		{"unlimited", []scenarios.Limit{{Name: "all", Unlimited: true}}, scenarios.Headers{Convention: headers.ConventionXRateLimit}, false, "", "", false},
	} {
		p := &plan.Plan{Scenario: &scenarios.Scenario{Limits: tc.limits, Headers: tc.headers}}
		r, ok := FollowRemaining(p)
		if ok != tc.ok || r.Header != tc.header || r.Limit.Name != tc.limit || r.Spec.PerKey != tc.perKey {
			t.Errorf("%s: FollowRemaining = %q limit %q per key %v, %v; want %q limit %q per key %v, %v",
				tc.name, r.Header, r.Limit.Name, r.Spec.PerKey, ok, tc.header, tc.limit, tc.perKey, tc.ok)
		}
	}
	if _, ok := FollowRemaining(nil); ok {
		t.Error("FollowRemaining(nil) is ok; want not")
	}
}
