package reftarget

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ratecheck/ratecheck/scenarios"
)

func TestFillShape(t *testing.T) {
	tests := []struct {
		name   string
		shape  any
		status int
		want   string
	}{
		{"string leaf", map[string]any{"error": "string"}, 429, `{"error":"rate limit exceeded"}`},
		{"code field", map[string]any{"code": "string", "message": "any"}, 429, `{"code":"RATE_LIMIT_EXCEEDED","message":"rate limit exceeded"}`},
		{"envelope", map[string]any{
			"success": false,
			"error":   map[string]any{"code": "string", "message": "string", "details": "object"},
		}, 429, `{"error":{"code":"RATE_LIMIT_EXCEEDED","details":{},"message":"rate limit exceeded"},"success":false}`},
		{"literals stay", map[string]any{"error": "Too many", "status": 429.0, "ok": false}, 429, `{"error":"Too many","ok":false,"status":429}`},
		{"types", map[string]any{"n": "number", "i": "integer", "b": "boolean", "a": "array", "z": "null"}, 401,
			`{"a":[],"b":false,"i":401,"n":401,"z":null}`},
		{"yaml any-keyed map", map[any]any{"error": "string", 1: "x"}, 403, `{"1":"x","error":"API key not allowed"}`},
		{"array of shapes", []any{map[string]any{"message": "string"}}, 404, `[{"message":"not found"}]`},
		{"scalar shape", "string", 429, `"rate limit exceeded"`},
		{"other status", map[string]any{"error": "string", "code": "string"}, 503, `{"code":"SERVICE_UNAVAILABLE","error":"service unavailable"}`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(fillShape(tt.shape, tt.status, ""))
		if err != nil {
			t.Fatalf("%s: marshal: %v", tt.name, err)
		}
		if got := string(b); got != tt.want {
			t.Errorf("%s: fillShape(%v, %d) = %s; want %s", tt.name, tt.shape, tt.status, got, tt.want)
		}
	}
}

func TestErrorBodies(t *testing.T) {
	sc := scenario(func(sc *scenarios.Scenario) {
		sc.Errors = []scenarios.ErrorShape{
			{Status: 429, Body: map[string]any{"error": "string"}},
			{Status: 401}, // status without a body: the default stays
			{Status: 404, Body: map[string]any{"bad": func() {}}}, // cannot be JSON: the default stays
		}
	})
	got := map[int]string{}
	for status, b := range errorBodies(sc) {
		got[status] = string(b)
	}
	want := map[int]string{
		401: `{"error":"Unauthorized"}`,
		403: `{"error":"Forbidden"}`,
		404: `{"error":"not found"}`,
		429: `{"error":"rate limit exceeded"}`,
		500: `{"error":"Internal Server Error"}`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errorBodies mismatch (-want +got):\n%s", diff)
	}
}

func TestDeclared429BodyOverHTTP(t *testing.T) {
	sc := scenario(
		withLimit(func(l *scenarios.Limit) { l.Requests = 1 }),
		func(sc *scenarios.Scenario) {
			sc.Errors = []scenarios.ErrorShape{{Status: 429, Body: map[string]any{
				"success": false, "error": map[string]any{"code": "string", "message": "string"},
			}}}
		})
	srv, _ := server(t, sc, newClock())
	rs := burst(t, srv, "k-primary", 2)
	want := `{"error":{"code":"RATE_LIMIT_EXCEEDED","message":"rate limit exceeded"},"success":false}`
	if r := rs[1]; r.status != 429 || r.body != want {
		t.Errorf("limited answer = %d %s; want 429 %s", r.status, r.body, want)
	}
}
