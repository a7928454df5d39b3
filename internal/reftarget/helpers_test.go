package reftarget

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/scenarios"
)

// base is a multiple of 1 s, 2 s and 1 min since the epoch: windows start there.
var base = time.Unix(1_700_000_040, 0)

// testKeys are the accepted key values; tests never use real keys.
var testKeys = map[string]string{"k-primary": "primary", "k-secondary": "secondary"}

// clock is a settable fake clock, safe for concurrent use.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: base} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// scenario returns a small scenario: four endpoints behind X-API-KEY, 20/s per key
// not counting key generation, no headers promised; edit adjusts it.
func scenario(edit ...func(*scenarios.Scenario)) *scenarios.Scenario {
	sc := &scenarios.Scenario{
		Name: "test",
		Auth: scenarios.Auth{Header: "X-API-KEY", Keys: []scenarios.Key{{ID: "primary"}, {ID: "secondary"}}},
		Endpoints: []scenarios.Endpoint{
			{Name: "list", Method: "GET", Path: "/v1/clients"},
			{Name: "create", Method: "POST", Path: "/v1/clients"},
			{Name: "delete", Method: "DELETE", Path: "/v1/clients/1"},
			{Name: "keygen", Method: "POST", Path: "/api-keys", NoAuth: true},
		},
		Limits: []scenarios.Limit{{
			Name: "per-second", Requests: 20, Window: time.Second, Scope: scenarios.ScopeKey,
			Algorithm: scenarios.AlgoAny, Exclude: []string{"keygen"},
		}},
		Headers: scenarios.Headers{Convention: headers.ConventionNone, OnErrors: true},
	}
	for _, e := range edit {
		e(sc)
	}
	return sc
}

func withHeaders(h scenarios.Headers) func(*scenarios.Scenario) {
	return func(sc *scenarios.Scenario) { sc.Headers = h }
}

func withLimit(edit func(*scenarios.Limit)) func(*scenarios.Scenario) {
	return func(sc *scenarios.Scenario) { edit(&sc.Limits[0]) }
}

// server serves a target for sc on loopback with the fake clock and testKeys.
func server(t *testing.T, sc *scenarios.Scenario, clk *clock, opts ...Option) (*httptest.Server, *Target) {
	t.Helper()
	tg := New(sc, append([]Option{Clock(clk.Now), Keys(testKeys)}, opts...)...)
	if err := tg.Err(); err != nil {
		t.Fatalf("New: Err() = %v", err)
	}
	srv := httptest.NewServer(tg)
	t.Cleanup(srv.Close)
	return srv, tg
}

// response is what a test looks at in an answer.
type response struct {
	status int
	header http.Header
	body   string
}

// get sends method path with the X-API-KEY header set to key (none when "").
func send(t *testing.T, srv *httptest.Server, method, path, key string) response {
	t.Helper()
	return sendHeader(t, srv, method, path, "X-API-KEY", key)
}

func sendHeader(t *testing.T, srv *httptest.Server, method, path, name, value string) response {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, nil)
	if err != nil {
		t.Fatalf("NewRequest: %v", err)
	}
	if value != "" {
		req.Header.Set(name, value)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// burst sends n GET /v1/clients with key and returns the statuses.
func burst(t *testing.T, srv *httptest.Server, key string, n int) []response {
	t.Helper()
	out := make([]response, n)
	for i := range out {
		out[i] = send(t, srv, "GET", "/v1/clients", key)
	}
	return out
}

func countStatus(rs []response, status int) int {
	n := 0
	for _, r := range rs {
		if r.status == status {
			n++
		}
	}
	return n
}
