package reftarget

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/scenarios"
)

// discard is a ResponseWriter that keeps nothing but its header map.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

// BenchmarkServeHTTP drives the handler at 20k req/s of fake time against
// 100/s and 5000/day with x-ratelimit headers (the Coperniq shape).
func BenchmarkServeHTTP(b *testing.B) {
	sc := scenario(func(sc *scenarios.Scenario) {
		sc.Limits = []scenarios.Limit{
			{Name: "per-second", Requests: 100, Window: time.Second, Scope: scenarios.ScopeKey},
			{Name: "per-day", Requests: 5000, Window: 24 * time.Hour, Scope: scenarios.ScopeKey},
		}
		sc.Headers = scenarios.Headers{Convention: headers.ConventionXRateLimit, Describes: "per-day", RetryAfter: true, OnErrors: true}
	})
	now := base
	tg := New(sc, Keys(testKeys), Clock(func() time.Time { return now }))
	req := httptest.NewRequest("GET", "/v1/clients", nil)
	req.Header.Set("X-API-KEY", "k-primary")
	w := &discard{h: http.Header{}}
	for b.Loop() {
		now = now.Add(50 * time.Microsecond)
		clear(w.h)
		tg.ServeHTTP(w, req)
	}
}
