package attack

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/scenarios"
)

func TestRailsClaimKeepsUnderTheRateCap(t *testing.T) {
	r := newRails(Options{MaxRate: 20}, nil) // one request per 50 ms
	clock := time.Unix(1000, 0)
	r.now = func() time.Time { return clock }
	tests := []struct {
		name      string
		advance   time.Duration // the clock moves before the claim
		wait      time.Duration // what the phase's schedule asks
		wantSlept time.Duration
	}{
		{"the first request goes when due", 0, 0, 0},
		{"a burst right after waits its turn", 0, 0, 50 * time.Millisecond},
		{"and the next one more", 0, 0, 100 * time.Millisecond},
		{"a schedule slower than the cap keeps its own wait", 200 * time.Millisecond, 70 * time.Millisecond, 70 * time.Millisecond},
		{"after a pause the cap does not bank requests", time.Second, 0, 0},
		{"but spaces the next", 0, 10 * time.Millisecond, 50 * time.Millisecond},
	}
	for _, tt := range tests {
		clock = clock.Add(tt.advance)
		got, ok := r.claim(tt.wait)
		if !ok || got != tt.wantSlept {
			t.Errorf("%s: claim(%v) = %v, %v; want %v, true", tt.name, tt.wait, got, ok, tt.wantSlept)
		}
	}
}

func TestStartStopsAtMaxRequests(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	p := testPlan(
		plan.Phase{Name: "under", Kind: scenarios.PhaseUnder, Rate: 100, Duration: 100 * time.Millisecond, Endpoint: "list", Key: "primary"},
		plan.Phase{Name: "over", Kind: scenarios.PhaseOver, Rate: 200, Duration: 200 * time.Millisecond, Endpoint: "list", Key: "primary", Burst: 8},
	)
	a, err := Start(context.Background(), p, Options{Target: u, Keys: map[string]string{"primary": testKey}, MaxRequests: 17})
	if err != nil {
		t.Fatal(err)
	}
	obs := collect(t, a, 20*time.Second)
	if len(obs) != 17 || hits.Load() != 17 {
		t.Errorf("%d observations, %d requests received; want the cap of 17 (the plan has 50)", len(obs), hits.Load())
	}
}

func TestStartBacksOffFromAFailingTarget(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1)%10 == 0 {
			return // one in ten succeeds
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	p := testPlan(plan.Phase{Name: "under", Kind: scenarios.PhaseUnder, Rate: 100, Duration: 3 * time.Second, Endpoint: "list", Key: "primary"})
	a, err := Start(context.Background(), p, Options{Target: u, Keys: map[string]string{"primary": testKey}})
	if err != nil {
		t.Fatal(err)
	}
	obs := collect(t, a, 20*time.Second)
	if len(obs) >= 100 || !strings.HasPrefix(a.BackedOff(), "backed off: ") {
		t.Errorf("%d of 300 requests sent to a target answering 503 to nine in ten, BackedOff() = %q; want it to stop soon and say so", len(obs), a.BackedOff())
	}
	t.Logf("stopped after %d requests: %s", len(obs), a.BackedOff())
}

func TestStartDoesNotBackOffFromLimiting(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTooManyRequests) // limited, not failing
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	p := testPlan(plan.Phase{Name: "over", Kind: scenarios.PhaseOver, Rate: 200, Duration: 250 * time.Millisecond, Endpoint: "list", Key: "primary"})
	a, err := Start(context.Background(), p, Options{Target: u, Keys: map[string]string{"primary": testKey}})
	if err != nil {
		t.Fatal(err)
	}
	if obs := collect(t, a, 20*time.Second); len(obs) != 50 || a.BackedOff() != "" {
		t.Errorf("%d of 50 requests against all-429, BackedOff() = %q; want all sent and no backoff", len(obs), a.BackedOff())
	}
}

func TestRailsObserveWhatHurts(t *testing.T) {
	tests := []struct {
		name   string
		status int
		kind   scenarios.PhaseKind
		hurts  bool
		quote  string // the last failure, as the reason quotes it
	}{
		{"no answer", 0, scenarios.PhaseOver, true, "(the last: no answer: read: connection reset by peer)"},
		{"500", 500, scenarios.PhaseOver, true, "(the last: 500 Internal Server Error)"},
		{"502 under", 502, scenarios.PhaseUnder, true, "(the last: 502 Bad Gateway)"},
		{"503 under the limit", 503, scenarios.PhaseUnder, true, "(the last: 503 Service Unavailable)"},
		{"503 in recovery", 503, scenarios.PhaseRecovery, true, "(the last: 503 Service Unavailable)"},
		{"503 over the limit may be limiting", 503, scenarios.PhaseOver, false, ""},
		{"503 in the probe", 503, scenarios.PhaseProbe, false, ""},
		{"429", 429, scenarios.PhaseOver, false, ""},
		{"200", 200, scenarios.PhaseUnder, false, ""},
	}
	for _, tt := range tests {
		var reason string
		r := newRails(Options{}, func(s string) { reason = s })
		for range hurtOf {
			r.observe(tt.status, "read: connection reset by peer", tt.kind)
		}
		if (reason != "") != tt.hurts || !strings.Contains(reason, tt.quote) {
			t.Errorf("%s: %d answers %d in a %s phase: backoff %q; want backoff %v quoting %q", tt.name, hurtOf, tt.status, tt.kind, reason, tt.hurts, tt.quote)
		}
	}
	// A hostile target's error (Go quotes a garbage status line whole) is
	// quoted bounded.
	var reason string
	r := newRails(Options{}, func(s string) { reason = s })
	for range hurtOf {
		r.observe(0, "malformed HTTP response "+strings.Repeat("x", 100<<10), scenarios.PhaseUnder)
	}
	if !strings.Contains(reason, "(the last: no answer: malformed HTTP response xxx") || len(reason) > 600 {
		t.Errorf("backoff on 100 KB errors: %d bytes: %.200q…; want the error quoted, the reason under 600 bytes", len(reason), reason)
	}
	// Failures spread among successes below the threshold never fire.
	fired := false
	r = newRails(Options{}, func(string) { fired = true })
	for i := range 1000 {
		if i%4 == 0 {
			r.observe(200, "", scenarios.PhaseUnder)
		} else {
			r.observe(500, "", scenarios.PhaseUnder)
		}
	}
	if fired {
		t.Errorf("15 of every 20 answers failing fired the backoff; the threshold is %d of %d", hurtOf, hurtWindow)
	}
}
