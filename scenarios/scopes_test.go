package scenarios

import (
	"slices"
	"testing"
)

const scopedYAML = `name: scoped
target: https://api.example.com
auth:
  header: Authorization
  scheme: Bearer
  keys:
    admin: ${ADMIN_KEY}
    reader:
      env: ${READ_KEY}
      scopes: [read]
    none:
      env: ${NO_SCOPE_KEY}
      scopes: []
endpoints:
  - name: list
    path: /things
    scopes: [read, admin]
  - name: create
    method: POST
    path: /things
    scopes: [write]
  - name: health
    path: /health
limits:
  - name: per-minute
    requests: 60
    window: minute
  - name: per-day
    requests: 1000
    window: day
`

// TestParseScopes reads key scopes in both forms and endpoint scopes, and
// checks which key may call which endpoint.
func TestParseScopes(t *testing.T) {
	sc, err := Parse("scoped.yaml", []byte(scopedYAML))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	keys := map[string][]string{}
	for _, k := range sc.Auth.Keys {
		keys[k.ID] = k.Scopes
	}
	if keys["admin"] != nil || !slices.Equal(keys["reader"], []string{"read"}) || keys["none"] == nil || len(keys["none"]) != 0 {
		t.Errorf("key scopes = %#v; want admin nil (every scope), reader [read], none [] (no scope)", keys)
	}
	tests := []struct {
		key, endpoint string
		want          bool
	}{
		{"admin", "list", true}, {"admin", "create", true},
		{"reader", "list", true}, {"reader", "create", false}, {"reader", "health", true},
		{"none", "list", false}, {"none", "health", true},
	}
	for _, tt := range tests {
		k, ep := sc.Auth.Key(tt.key), sc.Endpoint(tt.endpoint)
		if got := k.Allows(ep.Scopes); got != tt.want {
			t.Errorf("key %s Allows(%s scopes %v) = %v; want %v", tt.key, tt.endpoint, ep.Scopes, got, tt.want)
		}
	}
}

// TestIsQuota: a window of an hour or more is a quota.
func TestIsQuota(t *testing.T) {
	sc, err := Parse("scoped.yaml", []byte(scopedYAML))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if sc.Limits[0].IsQuota() || !sc.Limits[1].IsQuota() {
		t.Errorf("IsQuota: per-minute %v, per-day %v; want false, true", sc.Limits[0].IsQuota(), sc.Limits[1].IsQuota())
	}
}
