package reftarget

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/scenarios"
)

// rateHeaders returns the response headers a test compares: everything except
// the ones net/http adds.
func rateHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		switch k {
		case "Date", "Content-Length", "Content-Type":
			continue
		}
		out[k] = v[0]
	}
	return out
}

func TestHeaderConventions(t *testing.T) {
	// One request at base+250ms against 20/s: 19 remain, the window resets at base+1s.
	const epoch = "1700000041"
	tests := []struct {
		name string
		h    scenarios.Headers
		want map[string]string
	}{
		{"none", scenarios.Headers{Convention: headers.ConventionNone, OnErrors: true}, map[string]string{}},
		{"zero value means none", scenarios.Headers{}, map[string]string{}},
		{"x-ratelimit auto is epoch seconds", scenarios.Headers{Convention: headers.ConventionXRateLimit, ResetFormat: headers.ResetAuto},
			map[string]string{"X-Ratelimit-Limit": "20", "X-Ratelimit-Remaining": "19", "X-Ratelimit-Reset": epoch}},
		{"ratelimit auto is delta seconds", scenarios.Headers{Convention: headers.ConventionDraft},
			map[string]string{"Ratelimit-Limit": "20", "Ratelimit-Remaining": "19", "Ratelimit-Reset": "1"}},
		{"delta-seconds", scenarios.Headers{Convention: headers.ConventionXRateLimit, ResetFormat: headers.ResetDeltaSeconds},
			map[string]string{"X-Ratelimit-Limit": "20", "X-Ratelimit-Remaining": "19", "X-Ratelimit-Reset": "1"}},
		{"epoch-millis", scenarios.Headers{Convention: headers.ConventionXRateLimit, ResetFormat: headers.ResetEpochMillis},
			map[string]string{"X-Ratelimit-Limit": "20", "X-Ratelimit-Remaining": "19", "X-Ratelimit-Reset": "1700000041000"}},
		{"http-date", scenarios.Headers{Convention: headers.ConventionXRateLimit, ResetFormat: headers.ResetHTTPDate},
			map[string]string{"X-Ratelimit-Limit": "20", "X-Ratelimit-Remaining": "19", "X-Ratelimit-Reset": "Tue, 14 Nov 2023 22:14:01 GMT"}},
		{"rfc3339", scenarios.Headers{Convention: headers.ConventionDraft, ResetFormat: headers.ResetRFC3339},
			map[string]string{"Ratelimit-Limit": "20", "Ratelimit-Remaining": "19", "Ratelimit-Reset": "2023-11-14T22:14:01Z"}},
		{"custom names", scenarios.Headers{Convention: headers.ConventionXRateLimit, Limit: "X-Quota", Remaining: "x-quota-left", Reset: "X-Quota-Reset", ResetFormat: headers.ResetDeltaSeconds},
			map[string]string{"X-Quota": "20", "X-Quota-Left": "19", "X-Quota-Reset": "1"}},
		{"structured", scenarios.Headers{Convention: headers.ConventionStructured},
			map[string]string{"Ratelimit": `"default";r=19;t=1`, "Ratelimit-Policy": `"default";q=20;w=1`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			clk.Set(base.Add(250 * time.Millisecond))
			srv, _ := server(t, scenario(withHeaders(tt.h)), clk)
			got := send(t, srv, "GET", "/v1/clients", "k-primary")
			if diff := cmp.Diff(tt.want, rateHeaders(got.header)); diff != "" {
				t.Errorf("headers mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFormatResetRoundsUp(t *testing.T) {
	now := base.Add(100 * time.Millisecond)
	at := base.Add(1500*time.Millisecond + 1) // not on a whole second or millisecond
	tests := []struct {
		f    headers.ResetFormat
		want string
	}{
		{headers.ResetDeltaSeconds, "2"}, // 1.4 s → 2
		{headers.ResetEpochSeconds, "1700000042"},
		{headers.ResetEpochMillis, "1700000041501"},
		{headers.ResetHTTPDate, "Tue, 14 Nov 2023 22:14:02 GMT"},
		{headers.ResetRFC3339, "2023-11-14T22:14:02Z"},
	}
	for _, tt := range tests {
		if got := formatReset(tt.f, at, now); got != tt.want {
			t.Errorf("formatReset(%s, base+1.5s+1ns, base+0.1s) = %q; want %q", tt.f, got, tt.want)
		}
	}
	if got := formatReset(headers.ResetDeltaSeconds, now, now); got != "0" {
		t.Errorf("formatReset(delta, now, now) = %q; want 0", got)
	}
}

func TestRemainingCountsDownAndRetryAfter(t *testing.T) {
	h := scenarios.Headers{Convention: headers.ConventionDraft, RetryAfter: true, OnErrors: true}
	clk := newClock()
	clk.Set(base.Add(300 * time.Millisecond))
	srv, _ := server(t, scenario(withHeaders(h), withLimit(func(l *scenarios.Limit) { l.Requests = 3 })), clk)
	var got []map[string]string
	for range 4 {
		r := send(t, srv, "GET", "/v1/clients", "k-primary")
		got = append(got, rateHeaders(r.header))
	}
	want := []map[string]string{
		{"Ratelimit-Limit": "3", "Ratelimit-Remaining": "2", "Ratelimit-Reset": "1"},
		{"Ratelimit-Limit": "3", "Ratelimit-Remaining": "1", "Ratelimit-Reset": "1"},
		{"Ratelimit-Limit": "3", "Ratelimit-Remaining": "0", "Ratelimit-Reset": "1"},
		{"Ratelimit-Limit": "3", "Ratelimit-Remaining": "0", "Ratelimit-Reset": "1", "Retry-After": "1"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("headers mismatch (-want +got):\n%s", diff)
	}
}

func TestHeadersOnErrors(t *testing.T) {
	for _, onErrors := range []bool{true, false} {
		h := scenarios.Headers{Convention: headers.ConventionXRateLimit, RetryAfter: true, OnErrors: onErrors}
		srv, _ := server(t, scenario(withHeaders(h), withLimit(func(l *scenarios.Limit) { l.Requests = 1 })), newClock())
		send(t, srv, "GET", "/v1/clients", "k-primary")
		r := send(t, srv, "GET", "/v1/clients", "k-primary")
		_, has := r.header["X-Ratelimit-Remaining"]
		if r.status != 429 || has != onErrors || r.header.Get("Retry-After") != "1" {
			t.Errorf("OnErrors %v: 429 response %d has rate-limit headers %v, Retry-After %q; want %v, \"1\"",
				onErrors, r.status, has, r.header.Get("Retry-After"), onErrors)
		}
	}
}

func TestRetryAfterIsTheLongestWait(t *testing.T) {
	// 2/s and 3/min, promised Retry-After; the headers describe the per-second limit.
	sc := scenario(func(sc *scenarios.Scenario) {
		sc.Limits = []scenarios.Limit{
			{Name: "per-second", Requests: 2, Window: time.Second, Scope: scenarios.ScopeKey},
			{Name: "per-minute", Requests: 3, Window: time.Minute, Scope: scenarios.ScopeKey},
		}
		sc.Headers = scenarios.Headers{Convention: headers.ConventionDraft, RetryAfter: true, OnErrors: true}
	})
	clk := newClock()
	srv, _ := server(t, sc, clk)
	burst(t, srv, "k-primary", 2)
	clk.Set(base.Add(10 * time.Second))
	send(t, srv, "GET", "/v1/clients", "k-primary")
	r := send(t, srv, "GET", "/v1/clients", "k-primary") // the minute is spent
	want := map[string]string{
		"Ratelimit-Limit": "2", "Ratelimit-Remaining": "1", "Ratelimit-Reset": "1", // per-second: uncharged
		"Retry-After": "50", // per-minute resets at base+60s
	}
	if diff := cmp.Diff(want, rateHeaders(r.header)); r.status != 429 || diff != "" {
		t.Errorf("status %d, headers mismatch (-want +got):\n%s", r.status, diff)
	}
}

func TestDescribesNamedLimit(t *testing.T) {
	sc := scenario(func(sc *scenarios.Scenario) {
		sc.Limits = []scenarios.Limit{
			{Name: "per-second", Requests: 100, Window: time.Second, Scope: scenarios.ScopeKey},
			{Name: "per-day", Requests: 5000, Window: 24 * time.Hour, Scope: scenarios.ScopeKey},
		}
		sc.Headers = scenarios.Headers{Convention: headers.ConventionXRateLimit, Describes: "per-day", ResetFormat: headers.ResetEpochSeconds, OnErrors: true}
	})
	srv, _ := server(t, sc, newClock())
	r := send(t, srv, "GET", "/v1/clients", "k-primary")
	midnight := time.Date(2023, 11, 15, 0, 0, 0, 0, time.UTC).Unix()
	want := map[string]string{"X-Ratelimit-Limit": "5000", "X-Ratelimit-Remaining": "4999", "X-Ratelimit-Reset": strconv.FormatInt(midnight, 10)}
	if diff := cmp.Diff(want, rateHeaders(r.header)); diff != "" {
		t.Errorf("headers mismatch (-want +got):\n%s", diff)
	}
}

func TestApproximateRemainingIsCachedPerKey(t *testing.T) {
	h := scenarios.Headers{Convention: headers.ConventionXRateLimit, Approximate: true, Staleness: 60 * time.Second, OnErrors: true}
	sc := scenario(withHeaders(h), withLimit(func(l *scenarios.Limit) { l.Requests = 5000; l.Window = 24 * time.Hour }))
	clk := newClock()
	srv, _ := server(t, sc, clk)
	remaining := func(key string) string {
		return send(t, srv, "GET", "/v1/clients", key).header.Get("X-Ratelimit-Remaining")
	}
	var got []string
	got = append(got, remaining("k-primary"), remaining("k-primary"), remaining("k-secondary"))
	clk.Set(base.Add(59 * time.Second))
	got = append(got, remaining("k-primary"))
	clk.Set(base.Add(60 * time.Second))
	got = append(got, remaining("k-primary"), remaining("k-primary"))
	want := []string{"4999", "4999", "4999", "4999", "4996", "4996"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Remaining values mismatch (-want +got):\n%s", diff)
	}
}

func TestBucketHeaders(t *testing.T) {
	// Token bucket 2/s, burst 4: Reset is when the bucket is full again.
	h := scenarios.Headers{Convention: headers.ConventionDraft, ResetFormat: headers.ResetEpochMillis, RetryAfter: true, OnErrors: true}
	sc := scenario(withHeaders(h), withLimit(func(l *scenarios.Limit) {
		l.Requests, l.Burst, l.Algorithm = 2, 4, scenarios.AlgoTokenBucket
	}))
	srv, _ := server(t, sc, newClock())
	var got []string
	for range 5 {
		r := send(t, srv, "GET", "/v1/clients", "k-primary")
		got = append(got, r.header.Get("Ratelimit-Remaining")+" "+r.header.Get("Ratelimit-Reset")+" "+r.header.Get("Retry-After"))
	}
	want := []string{
		"3 1700000040500 ", "2 1700000041000 ", "1 1700000041500 ", "0 1700000042000 ",
		"0 1700000040500 1", // rejected: the next token comes in 0.5 s
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Remaining/Reset/Retry-After mismatch (-want +got):\n%s", diff)
	}
}

func TestEmptyHeaderNameIsNotSent(t *testing.T) {
	// As in coperniq.yaml: Limit and Remaining, no reset header.
	h := scenarios.Headers{Convention: headers.ConventionXRateLimit, Limit: "X-RateLimit-Limit", Remaining: "X-RateLimit-Remaining", OnErrors: true}
	srv, _ := server(t, scenario(withHeaders(h)), newClock())
	got := rateHeaders(send(t, srv, "GET", "/v1/clients", "k-primary").header)
	want := map[string]string{"X-Ratelimit-Limit": "20", "X-Ratelimit-Remaining": "19"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("headers mismatch (-want +got):\n%s", diff)
	}
}

// TestRetryAfterForms checks that each form a scenario may promise is the
// form the target writes, read back by package headers without a warning and
// saying the exact wait, rounded up: 21 requests at base+250ms against 20/s
// leave 750 ms until the window resets at base+1s.
func TestRetryAfterForms(t *testing.T) {
	want := map[headers.RetryAfterFormat]string{
		headers.RetryAfterSeconds:  "1",
		headers.RetryAfterHTTPDate: "Tue, 14 Nov 2023 22:14:01 GMT",
		headers.RetryAfterEither:   "1",
	}
	for _, f := range headers.RetryAfterFormats() {
		t.Run(string(f), func(t *testing.T) {
			clk := newClock()
			now := base.Add(250 * time.Millisecond)
			clk.Set(now)
			srv, _ := server(t, scenario(withHeaders(scenarios.Headers{RetryAfter: true, RetryAfterFormat: f})), clk)
			rs := burst(t, srv, "k-primary", 21)
			got := rs[20].header.Get("Retry-After")
			if rs[20].status != 429 || got != want[f] {
				t.Fatalf("21st answer %d, Retry-After %q; want 429, %q", rs[20].status, got, want[f])
			}
			wait, w, err := headers.ParseRetryAfter(got, now)
			if err != nil || w != nil || f.Stray(got) != "" || wait < 750*time.Millisecond || wait > 2*time.Second {
				t.Errorf("ParseRetryAfter(%q) = %v, warning %v, error %v, stray %q; want 750ms..2s in the promised form",
					got, wait, w, err, f.Stray(got))
			}
		})
	}
}
