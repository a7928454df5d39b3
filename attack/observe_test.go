package attack

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	vegeta "github.com/tsenart/vegeta/v12/lib"
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

	got := rateLimitHeaders(h, newRecording([]string{"x-shopify-shop-api-call-limit"}, nil, nil), nil)
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

func TestRateLimitHeadersAreBounded(t *testing.T) {
	h := http.Header{}
	h.Set("X-RateLimit-Remaining", strings.Repeat("9", 1<<20))
	h.Set("X-Declared", "7")
	for i := range 5000 {
		h.Set(fmt.Sprintf("X-RateLimit-Flood-%d", i), "1")
	}
	h["Retry-After"] = slices.Repeat([]string{"1"}, 1000)
	got := rateLimitHeaders(h, newRecording([]string{"X-Declared"}, nil, nil), nil)
	if len(got) != maxHeaders {
		t.Errorf("kept %d headers; want at most %d", len(got), maxHeaders)
	}
	if got["X-Declared"] != "7" || got["Retry-After"] == "" {
		t.Errorf("the declared header or Retry-After was crowded out: %v", got)
	}
	if v := got["X-Ratelimit-Remaining"]; len(v) > maxHeaderValue || !strings.HasSuffix(v, cutMark) {
		t.Errorf("a 1 MB value was kept as %d bytes ending %q; want at most %d ending %q", len(v), v[max(0, len(v)-10):], maxHeaderValue, cutMark)
	}
	if n := strings.Count(got["Retry-After"], "1"); n > maxHeaders {
		t.Errorf("Retry-After joined %d values; want at most %d", n, maxHeaders)
	}
}

// TestTransportErrorIsBounded: Go's client quotes a malformed status line
// whole in its error, so a target decides how long the error is; the
// observation keeps a bounded start of it.
func TestTransportErrorIsBounded(t *testing.T) {
	long := `Get "http://t/x": malformed HTTP status code "` + strings.Repeat("9x", 100<<10) + `"`
	o := observation(&vegeta.Result{Error: long}, 1, 0, "x", "", nil, nil, DefaultMaxBody)
	if len(o.Error) > maxError || !strings.HasPrefix(o.Error, `Get "http://t/x": malformed HTTP status code "9x9x`) || !strings.HasSuffix(o.Error, cutMark) {
		t.Errorf("a %d-byte error was kept as %d bytes: %.80q…; want its start, at most %d bytes, ending %q", len(long), len(o.Error), o.Error, maxError, cutMark)
	}
}

func TestBound(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"0123456789abcdef", 12, "0123" + cutMark},
		{"ééééééééé", 11, "é" + cutMark},
	} {
		if got := bound(tt.in, tt.n); got != tt.want || len(got) > tt.n {
			t.Errorf("bound(%q, %d) = %q; want %q (at most %d bytes)", tt.in, tt.n, got, tt.want, tt.n)
		}
	}
}

// TestRateLimitHeadersAliasesAndIgnore: a header under a declared alias is
// recorded under its declared name (even one that says nothing of rate
// limits), unless the response also carries that name; ignored headers are
// never recorded.
func TestRateLimitHeadersAliasesAndIgnore(t *testing.T) {
	rec := newRecording([]string{"X-RateLimit-Remaining"},
		map[string]string{"X-Rate-Limit-Remaining": "X-Ratelimit-Remaining", "X-Left": "X-Ratelimit-Remaining"},
		[]string{"X-Cdn-Ratelimit-Remaining", "retry-after"})
	tests := []struct {
		name string
		h    http.Header
		want map[string]string
	}{
		{"declared name", http.Header{"X-Ratelimit-Remaining": {"7"}}, map[string]string{"X-Ratelimit-Remaining": "7"}},
		{"rate-limit alias", http.Header{"X-Rate-Limit-Remaining": {"5"}}, map[string]string{"X-Ratelimit-Remaining": "5"}},
		{"alias found only by declaration", http.Header{"X-Left": {"3"}}, map[string]string{"X-Ratelimit-Remaining": "3"}},
		{"both names", http.Header{"X-Ratelimit-Remaining": {"7"}, "X-Rate-Limit-Remaining": {"5"}},
			map[string]string{"X-Ratelimit-Remaining": "7", "X-Rate-Limit-Remaining": "5"}},
		{"ignored", http.Header{"X-Cdn-Ratelimit-Remaining": {"900"}, "Retry-After": {"1"}, "X-Ratelimit-Remaining": {"7"}},
			map[string]string{"X-Ratelimit-Remaining": "7"}},
		{"only ignored", http.Header{"X-Cdn-Ratelimit-Remaining": {"900"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rateLimitHeaders(tt.h, rec, nil)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("rateLimitHeaders (-want +got):\n%s", diff)
			}
		})
	}
}
