package reftarget

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/internal/limiter"
	"github.com/ratecheck/ratecheck/scenarios"
)

func TestBurstPerAlgorithm(t *testing.T) {
	algos := []scenarios.Algorithm{scenarios.AlgoAny, scenarios.AlgoFixedWindow, scenarios.AlgoSlidingWindow,
		scenarios.AlgoTokenBucket, scenarios.AlgoGCRA, scenarios.AlgoLeakyBucket}
	for _, a := range algos {
		t.Run(string(a), func(t *testing.T) {
			clk := newClock()
			srv, tg := server(t, scenario(), clk, Algorithm(a))
			rs := burst(t, srv, "k-primary", 30)
			for i, r := range rs {
				want := 200
				if i >= 20 {
					want = 429
				}
				if r.status != want {
					t.Errorf("request %d of a burst of 30 at 20/s = %d; want %d", i+1, r.status, want)
				}
			}
			if r := rs[25]; r.body != `{"error":"Too Many Requests"}` || r.header.Get("Content-Type") != "application/json" {
				t.Errorf("429 body = %s (%s); want the default JSON body", r.body, r.header.Get("Content-Type"))
			}
			if got := tg.Stats(); got != (Stats{Admitted: 20, Rejected: 10}) {
				t.Errorf("Stats() = %+v; want 20 admitted, 10 rejected", got)
			}
			// Every family recovers fully after one window with no traffic.
			clk.Set(base.Add(time.Second))
			if got := countStatus(burst(t, srv, "k-primary", 20), 200); got != 20 {
				t.Errorf("after one window: admitted %d of 20; want 20", got)
			}
		})
	}
}

func TestAlgorithmMapping(t *testing.T) {
	tests := []struct {
		algo  scenarios.Algorithm
		opts  []Option
		want  limiter.Family
		burst bool // the limit declares a burst
	}{
		{scenarios.AlgoAny, nil, limiter.FixedWindow, false},
		{"", nil, limiter.FixedWindow, false},
		{scenarios.AlgoFixedWindow, nil, limiter.FixedWindow, false},
		{scenarios.AlgoSlidingWindow, nil, limiter.SlidingLog, false},
		{scenarios.AlgoTokenBucket, nil, limiter.TokenBucket, false},
		{scenarios.AlgoGCRA, nil, limiter.GCRA, false},
		{scenarios.AlgoLeakyBucket, nil, limiter.LeakyBucket, false},
		{scenarios.AlgoTokenBucket, []Option{Algorithm(scenarios.AlgoAny)}, limiter.FixedWindow, false},
		{scenarios.AlgoAny, []Option{Algorithm(scenarios.AlgoGCRA)}, limiter.GCRA, false},
		{scenarios.AlgoAny, []Option{Algorithm(scenarios.AlgoGCRA), LimiterFamily(limiter.SlidingCounter)}, limiter.SlidingCounter, false},
		// A burst makes a limit of algorithm any some bucket: a token bucket.
		{scenarios.AlgoAny, nil, limiter.TokenBucket, true},
		{"", nil, limiter.TokenBucket, true},
		{scenarios.AlgoAny, []Option{Algorithm(scenarios.AlgoFixedWindow)}, limiter.FixedWindow, true},
		{scenarios.AlgoGCRA, nil, limiter.GCRA, true},
	}
	for _, tt := range tests {
		var o options
		for _, opt := range tt.opts {
			opt(&o)
		}
		l := scenarios.Limit{Algorithm: tt.algo, Requests: 20, Burst: 20, BurstDeclared: tt.burst}
		if tt.burst {
			l.Burst = 40
		}
		if got := family(l, &o); got != tt.want {
			t.Errorf("family(%q, burst declared %v, %d options) = %v; want %v", tt.algo, tt.burst, len(tt.opts), got, tt.want)
		}
	}
}

func TestFirstAlignedWindowViaOption(t *testing.T) {
	clk := newClock()
	clk.Set(base.Add(700 * time.Millisecond))
	srv, _ := server(t, scenario(), clk, LimiterFamily(limiter.FixedWindowFirst))
	burst(t, srv, "k-primary", 20)
	clk.Set(base.Add(1500 * time.Millisecond)) // a clock-aligned window would have reset
	if got := send(t, srv, "GET", "/v1/clients", "k-primary"); got.status != 429 {
		t.Errorf("at +1.5 s = %d; want 429 (window runs from +0.7 s to +1.7 s)", got.status)
	}
	clk.Set(base.Add(1700 * time.Millisecond))
	if got := send(t, srv, "GET", "/v1/clients", "k-primary"); got.status != 200 {
		t.Errorf("at +1.7 s = %d; want 200", got.status)
	}
}

func TestScopes(t *testing.T) {
	tests := []struct {
		scope scenarios.Scope
		// admitted for key a, then key b, then key a from another IP; 20 each at most
		want [3]int
	}{
		{scenarios.ScopeKey, [3]int{20, 20, 0}},
		{scenarios.ScopeIP, [3]int{20, 0, 20}},
		{scenarios.ScopeGlobal, [3]int{20, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(string(tt.scope), func(t *testing.T) {
			tg := New(scenario(withLimit(func(l *scenarios.Limit) { l.Scope = tt.scope })), Clock(newClock().Now), Keys(testKeys))
			var got [3]int
			for i, c := range []struct{ key, ip string }{
				{"k-primary", "10.0.0.1:1000"}, {"k-secondary", "10.0.0.1:1001"}, {"k-primary", "[2001:db8::1]:1000"},
			} {
				for range 25 {
					req := httptest.NewRequest("GET", "/v1/clients", nil)
					req.RemoteAddr = c.ip
					req.Header.Set("X-API-KEY", c.key)
					rec := httptest.NewRecorder()
					tg.ServeHTTP(rec, req)
					if rec.Code == 200 {
						got[i]++
					}
				}
			}
			if got != tt.want {
				t.Errorf("scope %s: admitted %v (key a, key b, key a from another IP); want %v", tt.scope, got, tt.want)
			}
		})
	}
}

func TestKeyScopedLimitOnNoAuthEndpointCountsPerIP(t *testing.T) {
	sc := scenario(withLimit(func(l *scenarios.Limit) { l.Exclude = nil; l.Requests = 2 }))
	srv, _ := server(t, sc, newClock())
	var got []int
	for range 3 {
		got = append(got, send(t, srv, "POST", "/api-keys", "").status)
	}
	if got[0] != 201 || got[1] != 201 || got[2] != 429 {
		t.Errorf("POST /api-keys ×3 with a per-key limit of 2 = %v; want [201 201 429] (counted per IP)", got)
	}
	if r := send(t, srv, "GET", "/v1/clients", "k-primary"); r.status != 200 {
		t.Errorf("keyed request after the IP's budget is spent = %d; want 200 (separate state)", r.status)
	}
}

func TestSeveralLimitsChargeNoneOnReject(t *testing.T) {
	// 3/s and 5/min: the 4th request in the first second is rejected by the
	// per-second limit and must not be charged to the minute.
	sc := scenario(func(sc *scenarios.Scenario) {
		sc.Limits = []scenarios.Limit{
			{Name: "per-second", Requests: 3, Window: time.Second, Scope: scenarios.ScopeKey},
			{Name: "per-minute", Requests: 5, Window: time.Minute, Scope: scenarios.ScopeKey},
			{Name: "per-month", Unlimited: true, Window: scenarios.Month, Scope: scenarios.ScopeKey},
		}
	})
	clk := newClock()
	srv, _ := server(t, sc, clk)
	var got []int
	for _, at := range []time.Duration{0, 0, 0, 0, 0, time.Second, time.Second, time.Second, 2 * time.Second} {
		clk.Set(base.Add(at))
		got = append(got, send(t, srv, "GET", "/v1/clients", "k-primary").status)
	}
	want := []int{200, 200, 200, 429, 429, 200, 200, 429, 429}
	if !slices.Equal(got, want) {
		t.Errorf("statuses = %v; want %v", got, want)
	}
}

func TestConcurrentBurstNeverOverAdmits(t *testing.T) {
	for _, a := range []scenarios.Algorithm{scenarios.AlgoFixedWindow, scenarios.AlgoSlidingWindow, scenarios.AlgoTokenBucket} {
		t.Run(string(a), func(t *testing.T) {
			srv, tg := server(t, scenario(), newClock(), Algorithm(a))
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 100}}
			defer client.CloseIdleConnections()
			var mu sync.Mutex
			statuses := map[int]int{}
			var wg sync.WaitGroup
			for range 100 {
				wg.Go(func() { // exits after its 3 requests
					for range 3 {
						req, _ := http.NewRequest("GET", srv.URL+"/v1/clients", nil)
						req.Header.Set("X-API-KEY", "k-primary")
						resp, err := client.Do(req)
						if err != nil {
							t.Errorf("GET: %v", err)
							return
						}
						resp.Body.Close()
						mu.Lock()
						statuses[resp.StatusCode]++
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if statuses[200] != 20 || statuses[429] != 280 {
				t.Errorf("300 concurrent requests at 20/s: statuses %v; want exactly 20×200 and 280×429", statuses)
			}
			if got := tg.Stats(); got.Admitted != 20 || got.Rejected != 280 {
				t.Errorf("Stats() = %+v; want 20 admitted, 280 rejected", got)
			}
		})
	}
}
