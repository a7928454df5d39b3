package reftarget

import (
	"cmp"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/scenarios"
)

// call is one request a contract test sends straight to the handler.
type call struct {
	method, path, key, ip string
}

// serve sends the calls to tg in order and returns the statuses.
func serve(tg *Target, calls ...call) []int {
	out := make([]int, len(calls))
	for i, c := range calls {
		out[i] = serveOne(tg, c).Code
	}
	return out
}

func serveOne(tg *Target, c call) *httptest.ResponseRecorder {
	req := httptest.NewRequest(cmp.Or(c.method, "GET"), cmp.Or(c.path, "/v1/clients"), nil)
	req.RemoteAddr = cmp.Or(c.ip, "127.0.0.1:1000")
	if c.key != "" {
		req.Header.Set("X-API-KEY", c.key)
	}
	rec := httptest.NewRecorder()
	tg.ServeHTTP(rec, req)
	return rec
}

// times repeats c n times.
func times(n int, c call) []call {
	out := make([]call, n)
	for i := range out {
		out[i] = c
	}
	return out
}

func count(statuses []int, status int) int {
	n := 0
	for _, s := range statuses {
		if s == status {
			n++
		}
	}
	return n
}

// withScopes gives the secondary key only the read scope and makes creating
// a client need write.
func withScopes(sc *scenarios.Scenario) {
	sc.Auth.Keys[1].Scopes = []string{"read"}
	sc.Endpoints[1].Scopes = []string{"write"}
}

func TestScopeRefusedWith403(t *testing.T) {
	tests := []struct {
		fault string
		want  int
	}{{"", 403}, {"wrong-scope-status", 401}}
	for _, tt := range tests {
		var opts []Option
		if tt.fault != "" {
			opts = append(opts, Fault(tt.fault))
		}
		tg := New(scenario(withScopes), append([]Option{Clock(newClock().Now), Keys(testKeys)}, opts...)...)
		got := serve(tg,
			call{method: "POST", key: "k-secondary"}, // lacks write
			call{method: "POST", key: "k-primary"},   // unrestricted
			call{key: "k-secondary"},                 // list needs no scope
			call{key: "k-wrong"},
		)
		if want := []int{tt.want, 201, 200, 401}; !equalInts(got, want) {
			t.Errorf("fault %q: statuses %v; want %v", tt.fault, got, want)
		}
	}
}

func TestIsolationFaults(t *testing.T) {
	tests := []struct {
		name, fault string
		scope       scenarios.Scope
		second      call // after 25 calls of the first client
		want        int  // admitted of 25 calls of the second client
	}{
		{"per-key", "", scenarios.ScopeKey, call{key: "k-secondary"}, 20},
		{"per-key shared", "shared-budget", scenarios.ScopeKey, call{key: "k-secondary"}, 0},
		{"per-ip", "", scenarios.ScopeIP, call{key: "k-primary", ip: "127.0.0.2:1000"}, 20},
		{"per-ip global", "per-ip-as-global", scenarios.ScopeIP, call{key: "k-primary", ip: "127.0.0.2:1000"}, 0},
		{"shared-budget leaves per-ip alone", "shared-budget", scenarios.ScopeIP, call{key: "k-primary", ip: "127.0.0.2:1000"}, 20},
		{"per-ip-as-global leaves per-key alone", "per-ip-as-global", scenarios.ScopeKey, call{key: "k-secondary"}, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := []Option{Clock(newClock().Now), Keys(testKeys)}
			if tt.fault != "" {
				opts = append(opts, Fault(tt.fault))
			}
			tg := New(scenario(withLimit(func(l *scenarios.Limit) { l.Scope = tt.scope })), opts...)
			if got := count(serve(tg, times(25, call{key: "k-primary"})...), 200); got != 20 {
				t.Fatalf("first client admitted %d of 25; want 20", got)
			}
			if got := count(serve(tg, times(25, tt.second)...), 200); got != tt.want {
				t.Errorf("second client admitted %d of 25; want %d", got, tt.want)
			}
		})
	}
}

func TestCountsExcluded(t *testing.T) {
	for _, tt := range []struct {
		fault string
		want  int // list calls admitted after 10 keygen calls
	}{{"", 20}, {"counts-excluded", 10}} {
		opts := []Option{Clock(newClock().Now), Keys(testKeys)}
		if tt.fault != "" {
			opts = append(opts, Fault(tt.fault))
		}
		// keygen is sent without a key: a per-key limit counts it per IP, so
		// the fault's charge lands on the IP, not the key; make the limit global.
		tg := New(scenario(withLimit(func(l *scenarios.Limit) { l.Scope = scenarios.ScopeGlobal })), opts...)
		if got := count(serve(tg, times(10, call{method: "POST", path: "/api-keys"})...), 201); got != 10 {
			t.Fatalf("fault %q: keygen admitted %d of 10; want 10", tt.fault, got)
		}
		if got := count(serve(tg, times(25, call{key: "k-primary"})...), 200); got != tt.want {
			t.Errorf("fault %q: admitted %d of 25 after 10 excluded calls; want %d", tt.fault, got, tt.want)
		}
	}
}

func TestCountsUnauthenticated(t *testing.T) {
	refused := []call{{key: "k-wrong"}, {}, {method: "POST", key: "k-secondary"}}
	for _, tt := range []struct {
		fault  string
		key    string
		before []call
		want   int
	}{
		{"", "k-primary", times(5, refused[0]), 20},
		{"", "k-secondary", times(5, refused[2]), 20},
		{"counts-unauthenticated", "k-primary", append(times(3, refused[0]), times(2, refused[1])...), 15},
		{"counts-unauthenticated", "k-secondary", times(5, refused[2]), 15},
	} {
		opts := []Option{Clock(newClock().Now), Keys(testKeys)}
		if tt.fault != "" {
			opts = append(opts, Fault(tt.fault))
		}
		tg := New(scenario(withScopes), opts...)
		if got := serve(tg, tt.before...); count(got, 200)+count(got, 201) != 0 {
			t.Fatalf("refused calls answered %v; want no success", got)
		}
		if got := count(serve(tg, times(25, call{key: tt.key})...), 200); got != tt.want {
			t.Errorf("fault %q: %s admitted %d of 25 after 5 refused calls; want %d", tt.fault, tt.key, got, tt.want)
		}
	}
}

func TestWrongErrorShape(t *testing.T) {
	sc := scenario(withScopes, func(sc *scenarios.Scenario) {
		shape := map[string]any{"error": "string"}
		for _, st := range []int{401, 403, 429} {
			sc.Errors = append(sc.Errors, scenarios.ErrorShape{Status: st, Body: shape})
		}
	})
	for _, fault := range []string{"", "wrong-error-shape"} {
		opts := []Option{Clock(newClock().Now), Keys(testKeys)}
		if fault != "" {
			opts = append(opts, Fault(fault))
		}
		tg := New(sc, opts...)
		serve(tg, times(20, call{key: "k-primary"})...)
		for _, c := range []call{{key: "k-wrong"}, {method: "POST", key: "k-secondary"}, {key: "k-primary"}} {
			rec := serveOne(tg, c)
			json := strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") && strings.HasPrefix(rec.Body.String(), `{"error":`)
			if json == (fault != "") {
				t.Errorf("fault %q: %d %s %q; want JSON {\"error\": …} %v", fault, rec.Code, rec.Header().Get("Content-Type"), rec.Body.String(), fault == "")
			}
		}
	}
}

// quotaScenario has 20/s per key and a daily quota of 1000 per key.
func quotaScenario(sc *scenarios.Scenario) {
	sc.Limits = append(sc.Limits, scenarios.Limit{
		Name: "per-day", Requests: 1000, Window: 24 * time.Hour, Scope: scenarios.ScopeKey, Algorithm: scenarios.AlgoAny,
	})
	sc.Headers = scenarios.Headers{Convention: headers.ConventionXRateLimit, Describes: "per-day", OnErrors: true}
}

func TestQuotaUsedAndQuotaOffByOne(t *testing.T) {
	for _, tt := range []struct {
		fault         string
		admitted      int
		firstRemain   string
		perSecondKept int // admitted of 30 in one second with the quota untouched
	}{{"", 5, "4", 20}, {"quota-off-by-one", 6, "4", 20}, {"off-by-one", 5, "4", 21}} {
		clk := newClock()
		opts := []Option{Clock(clk.Now), Keys(testKeys), QuotaUsed(map[string]int64{"per-day": 995})}
		if tt.fault != "" {
			opts = append(opts, Fault(tt.fault))
		}
		tg := New(scenario(quotaScenario), opts...)
		var admitted int
		var first string
		for i := range 10 {
			clk.Set(base.Add(time.Duration(i) * 100 * time.Millisecond)) // 10/s: under the rate limit
			rec := serveOne(tg, call{key: "k-primary"})
			if i == 0 {
				first = rec.Header().Get("X-Ratelimit-Remaining")
			}
			if rec.Code == 200 {
				admitted++
			}
		}
		if admitted != tt.admitted || first != tt.firstRemain {
			t.Errorf("fault %q: 995 of 1000 used: admitted %d of 10, first Remaining %s; want %d, %s", tt.fault, admitted, first, tt.admitted, tt.firstRemain)
		}
		fresh := New(scenario(quotaScenario), opts[0], opts[1], Fault(cmp.Or(tt.fault, "status-503")))
		if got := count(serve(fresh, times(30, call{key: "k-primary"})...), 200); got != tt.perSecondKept {
			t.Errorf("fault %q: a fresh quota admitted %d of 30 in one second; want %d (the per-second limit)", tt.fault, got, tt.perSecondKept)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// QuotaStart restarts the quota at the first request of its key, with the
// given number left (one more with quota-off-by-one), and leaves the other
// keys' rate limits as they were; a quota that is also the only limit (the
// rate tested) is not moved by quota-off-by-one until it restarts.
func TestQuotaStart(t *testing.T) {
	onlyQuota := func(sc *scenarios.Scenario) {
		sc.Limits = []scenarios.Limit{{Name: "per-day", Requests: 20, Window: 24 * time.Hour, Scope: scenarios.ScopeKey, Algorithm: scenarios.AlgoAny}}
		sc.Headers = scenarios.Headers{Convention: headers.ConventionXRateLimit, OnErrors: true}
	}
	for _, tt := range []struct {
		name      string
		shape     func(*scenarios.Scenario)
		fault     string
		before    int // admitted of 30 primary requests before the start
		admitted  int // of the secondary key's 12 at once
		remaining string
	}{
		{"correct", quotaScenario, "", 20, 10, "9"},
		{"quota-off-by-one", quotaScenario, "quota-off-by-one", 20, 11, "9"},
		{"off-by-one", quotaScenario, "off-by-one", 21, 10, "9"},
		{"only a quota, quota-off-by-one", onlyQuota, "quota-off-by-one", 20, 11, "9"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			opts := []Option{Clock(newClock().Now), Keys(testKeys), QuotaStart("secondary", map[string]int64{"per-day": 10})}
			if tt.fault != "" {
				opts = append(opts, Fault(tt.fault))
			}
			tg := New(scenario(tt.shape), opts...)
			if got := count(serve(tg, times(30, call{key: "k-primary"})...), 200); got != tt.before {
				t.Errorf("before the start: %d of 30 admitted; want %d", got, tt.before)
			}
			if rem := serveOne(tg, call{key: "k-secondary"}).Header().Get("X-Ratelimit-Remaining"); rem != tt.remaining {
				t.Errorf("the first request after the start: Remaining %q; want %q", rem, tt.remaining)
			}
			got := serve(tg, times(11, call{key: "k-secondary"})...)
			if n := 1 + count(got, 200); n != tt.admitted {
				t.Errorf("after the start: %d of 12 admitted; want %d", n, tt.admitted)
			}
		})
	}
}

// A burst of the quota key's requests sent all at once, as the quota test
// sends them: whichever comes first restarts the quota, and exactly the
// requests left are admitted, however the requests interleave.
func TestQuotaStartConcurrent(t *testing.T) {
	for range 20 {
		tg := New(scenario(quotaScenario), Clock(newClock().Now), Keys(testKeys), QuotaStart("secondary", map[string]int64{"per-day": 10}))
		serve(tg, times(5, call{key: "k-primary"})...)
		statuses := make([]int, 12)
		var wg sync.WaitGroup
		for i := range statuses {
			// Each goroutine ends with its request.
			wg.Go(func() { statuses[i] = serveOne(tg, call{key: "k-secondary"}).Code })
		}
		wg.Wait()
		if n := count(statuses, 200); n != 10 {
			t.Fatalf("12 requests at once after the start: %d admitted (%v); want 10", n, statuses)
		}
	}
}
