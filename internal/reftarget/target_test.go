package reftarget

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/scenarios"
)

func TestRouting(t *testing.T) {
	srv, tg := server(t, scenario(), newClock())
	tests := []struct {
		method, path string
		key          string
		want         int
		body         string
	}{
		{"GET", "/v1/clients", "k-primary", 200, `{"ok":true,"endpoint":"list"}`},
		{"GET", "/v1/clients?limit=2&offset=0", "k-primary", 200, `{"ok":true,"endpoint":"list"}`},
		{"POST", "/v1/clients", "k-primary", 201, `{"ok":true,"endpoint":"create"}`},
		{"DELETE", "/v1/clients/1", "k-primary", 204, ``},
		{"POST", "/api-keys", "", 201, `{"ok":true,"endpoint":"keygen"}`},
		{"PUT", "/v1/clients", "k-primary", 404, `{"error":"not found"}`},
		{"GET", "/v1/clients/", "k-primary", 404, `{"error":"not found"}`},
		{"GET", "/nope", "", 404, `{"error":"not found"}`},
	}
	for _, tt := range tests {
		got := send(t, srv, tt.method, tt.path, tt.key)
		if got.status != tt.want || got.body != tt.body {
			t.Errorf("%s %s = %d %s; want %d %s", tt.method, tt.path, got.status, got.body, tt.want, tt.body)
		}
	}
	if got := tg.Stats(); got != (Stats{Admitted: 5, NotFound: 3}) {
		t.Errorf("Stats() = %+v; want 5 admitted, 3 not found", got)
	}
}

func TestNotFoundUsesDeclaredShape(t *testing.T) {
	sc := scenario(func(sc *scenarios.Scenario) {
		sc.Errors = []scenarios.ErrorShape{{Status: 404, Body: map[string]any{"message": "string", "status": "integer"}}}
	})
	srv, _ := server(t, sc, newClock())
	got := send(t, srv, "GET", "/missing", "k-primary")
	want := `{"message":"not found","status":404}`
	if got.status != 404 || got.body != want || got.header.Get("Content-Type") != "application/json" {
		t.Errorf("GET /missing = %d %s (%s); want 404 %s as application/json", got.status, got.body, got.header.Get("Content-Type"), want)
	}
}

func TestAuth(t *testing.T) {
	bearer := func(sc *scenarios.Scenario) { sc.Auth.Header, sc.Auth.Scheme = "Authorization", "Bearer" }
	only403 := func(sc *scenarios.Scenario) {
		sc.Errors = []scenarios.ErrorShape{{Status: 403, Body: map[string]any{"error": "string"}}}
	}
	with401 := func(sc *scenarios.Scenario) {
		sc.Errors = []scenarios.ErrorShape{
			{Status: 401, Body: map[string]any{"success": false, "error": map[string]any{"code": "string", "message": "string"}}},
			{Status: 403, Body: map[string]any{"error": "string"}},
		}
	}
	unauthorized := `{"error":"Unauthorized"}`
	tests := []struct {
		name        string
		sc          *scenarios.Scenario
		header, val string
		wantStatus  int
		wantBody    string
	}{
		{"raw key", scenario(), "X-API-KEY", "k-primary", 200, ""},
		{"lower-case header name", scenario(), "x-api-key", "k-secondary", 200, ""},
		{"missing key", scenario(), "", "", 401, unauthorized},
		{"unknown key", scenario(), "X-API-KEY", "k-bogus", 401, unauthorized},
		{"unknown key, only 403 declared", scenario(only403), "X-API-KEY", "k-bogus", 403, `{"error":"API key not allowed"}`},
		{"missing key, only 403 declared", scenario(only403), "", "", 401, unauthorized},
		{"declared 401 shape", scenario(with401), "X-API-KEY", "k-bogus", 401,
			`{"error":{"code":"UNAUTHORIZED","message":"invalid or missing API key"},"success":false}`},
		{"bearer", scenario(bearer), "Authorization", "Bearer k-primary", 200, ""},
		{"bearer scheme is case-insensitive", scenario(bearer), "Authorization", "bearer k-primary", 200, ""},
		{"bearer without scheme", scenario(bearer), "Authorization", "k-primary", 401, unauthorized},
		{"bearer with another scheme", scenario(bearer), "Authorization", "Basic k-primary", 401, unauthorized},
		{"bearer without key", scenario(bearer), "Authorization", "Bearer ", 401, unauthorized},
		{"bearer unknown key", scenario(bearer), "Authorization", "Bearer k-bogus", 401, unauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, tg := server(t, tt.sc, newClock())
			got := sendHeader(t, srv, "GET", "/v1/clients", tt.header, tt.val)
			if got.status != tt.wantStatus || (tt.wantBody != "" && got.body != tt.wantBody) {
				t.Errorf("GET with %s: %q = %d %s; want %d %s", tt.header, tt.val, got.status, got.body, tt.wantStatus, tt.wantBody)
			}
			if tt.wantStatus >= 400 && tg.Stats().Unauthorized != 1 {
				t.Errorf("Stats().Unauthorized = %d; want 1", tg.Stats().Unauthorized)
			}
		})
	}
}

func TestAnyKeyWithoutKeysOption(t *testing.T) {
	tg := New(scenario(), Clock(newClock().Now))
	srv := httptest.NewServer(tg)
	defer srv.Close()
	// Without Keys, any key is accepted and all share the first key id's budget.
	a := burst(t, srv, "whatever", 15)
	b := burst(t, srv, "something-else", 15)
	if got := countStatus(append(a, b...), 200); got != 20 {
		t.Errorf("admitted %d of 30 with two unregistered keys; want 20 (one shared budget)", got)
	}
	if got := send(t, srv, "GET", "/v1/clients", ""); got.status != 401 {
		t.Errorf("GET without key = %d; want 401", got.status)
	}
}

func TestNoAuthScenario(t *testing.T) {
	sc := scenario(func(sc *scenarios.Scenario) {
		sc.Auth = scenarios.Auth{}
		sc.Limits[0].Scope = ""
	})
	srv, _ := server(t, sc, newClock())
	if got := countStatus(burst(t, srv, "", 25), 200); got != 20 {
		t.Errorf("admitted %d of 25 without auth; want 20", got)
	}
}

func TestErrHandling(t *testing.T) {
	tests := []struct {
		name string
		sc   *scenarios.Scenario
		opts []Option
		want string
	}{
		{"nil scenario", nil, nil, "nil scenario"},
		{"unknown fault", scenario(), []Option{Fault("explode")}, `parse fault "explode"`},
		{"bad window", scenario(withLimit(func(l *scenarios.Limit) { l.Window = 0 })), nil, `limit "per-second"`},
		{"unknown described limit", scenario(func(sc *scenarios.Scenario) { sc.Headers.Describes = "nope" }), nil, `unknown limit "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg := New(tt.sc, tt.opts...)
			if err := tg.Err(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Err() = %v; want an error containing %q", err, tt.want)
			}
			rec := httptest.NewRecorder()
			tg.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/clients", nil))
			if rec.Code != http.StatusInternalServerError {
				t.Errorf("ServeHTTP = %d; want 500 when misconfigured", rec.Code)
			}
		})
	}
}

func TestEndpointNotCountedByLimit(t *testing.T) {
	srv, _ := server(t, scenario(), newClock())
	burst(t, srv, "k-primary", 20)
	if got := send(t, srv, "POST", "/api-keys", ""); got.status != 201 {
		t.Errorf("POST /api-keys after the budget is spent = %d; want 201 (not counted)", got.status)
	}
	if got := send(t, srv, "POST", "/v1/clients", "k-primary"); got.status != 429 {
		t.Errorf("POST /v1/clients after the budget is spent = %d; want 429 (counted)", got.status)
	}
}

func TestClockDefaultsToNow(t *testing.T) {
	tg := New(scenario())
	if d := time.Since(tg.clock()); d < 0 || d > time.Minute {
		t.Errorf("default clock is %v off time.Now; want time.Now", d)
	}
}

func TestEndpointPathWithQuery(t *testing.T) {
	sc := scenario(func(sc *scenarios.Scenario) { sc.Endpoints[0].Path = "/projects?limit=20&offset=0" })
	srv, _ := server(t, sc, newClock())
	for _, path := range []string{"/projects?limit=20&offset=0", "/projects"} {
		if got := send(t, srv, "GET", path, "k-primary"); got.status != 200 {
			t.Errorf("GET %s = %d; want 200 (routes ignore the query)", path, got.status)
		}
	}
}
