package attack

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRateLimitHeaders(t *testing.T) {
	h := http.Header{}
	h.Set("X-RateLimit-Remaining", "7")
	h.Set("X-Rate-Limit-Reset", "1700000000")
	h.Set("RateLimit-Policy", `"default";q=100;w=60`)
	h.Set("Retry-After", "1")
	h.Add("Ratelimit", `"a";r=1`)
	h.Add("Ratelimit", `"b";r=5`)
	h.Set("X-Shopify-Shop-Api-Call-Limit", "32/40")
	h.Set("Content-Type", "application/json")
	h.Set("Retry-Afterwards", "no")

	got := rateLimitHeaders(h, []string{"x-shopify-shop-api-call-limit"}, nil)
	want := map[string]string{
		"X-Ratelimit-Remaining":         "7",
		"X-Rate-Limit-Reset":            "1700000000",
		"Ratelimit-Policy":              `"default";q=100;w=60`,
		"Retry-After":                   "1",
		"Ratelimit":                     `"a";r=1, "b";r=5`,
		"X-Shopify-Shop-Api-Call-Limit": "32/40",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rateLimitHeaders (-want +got):\n%s", diff)
	}
	if got := rateLimitHeaders(http.Header{"Content-Type": {"text/plain"}}, nil, nil); got != nil {
		t.Errorf("rateLimitHeaders(no rate-limit headers) = %v; want nil", got)
	}
}

func BenchmarkRateLimitHeaders(b *testing.B) {
	h := http.Header{}
	for _, k := range []string{"Content-Type", "Date", "Content-Length", "X-Ratelimit-Limit", "X-Ratelimit-Remaining", "X-Ratelimit-Reset"} {
		h.Set(k, "1")
	}
	for b.Loop() {
		rateLimitHeaders(h, nil, nil)
	}
}
