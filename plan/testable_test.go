package plan

import (
	"slices"
	"strings"
	"testing"

	"github.com/ratecheck/ratecheck/scenarios"
)

// testableScenario parses a scenario with two endpoints, list (GET) and
// create (POST), one key, and the given limits block.
func testableScenario(t *testing.T, limits string) *scenarios.Scenario {
	t.Helper()
	src := `name: t
target: http://127.0.0.1:1
auth:
  header: X-Key
  keys:
    primary: ${K}
endpoints:
  - name: list
    method: GET
    path: /items
  - name: create
    method: POST
    path: /items
limits:
` + limits
	sc, err := scenarios.Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func TestTestableLimits(t *testing.T) {
	for _, tt := range []struct {
		name   string
		limits string
		want   []string
	}{
		{"one limit", `
  - {name: all, requests: 20, window: 1s}`, []string{"all"}},
		{"a limit per endpoint group", `
  - {name: reads, requests: 10, window: 1s, endpoints: [list]}
  - {name: writes, requests: 3, window: 1s, endpoints: [create]}`, []string{"reads", "writes"}},
		{"nested windows on the same endpoints: the shorter binds", `
  - {name: per-minute, requests: 200, window: 1m}
  - {name: per-second, requests: 20, window: 1s}`, []string{"per-second"}},
		{"a global limit and a stricter one on writes", `
  - {name: global, requests: 100, window: 1s}
  - {name: writes, requests: 5, window: 1s, endpoints: [create]}`, []string{"global"}},
		{"writes limited per second, everything per minute", `
  - {name: per-minute, requests: 600, window: 1m}
  - {name: writes, requests: 5, window: 1s, endpoints: [create]}`, []string{"per-minute", "writes"}},
		{"a quota that alone counts an endpoint is not run on its own", `
  - {name: reads, requests: 10, window: 1s, endpoints: [list]}
  - {name: daily-writes, requests: 1000, window: day, endpoints: [create]}`, []string{"reads"}},
		{"a quota alone is the default", `
  - {name: daily, requests: 1000, window: day}`, []string{"daily"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := TestableLimits(testableScenario(t, tt.limits)); !slices.Equal(got, tt.want) {
				t.Errorf("TestableLimits = %q; want %q", got, tt.want)
			}
		})
	}
}

// Each testable limit's plan drives an endpoint that limit binds, so the run
// reaches it before any other limit.
func TestTestLimitDrivesItsOwnEndpoint(t *testing.T) {
	sc := testableScenario(t, `
  - {name: per-minute, requests: 600, window: 1m}
  - {name: writes, requests: 5, window: 1s, endpoints: [create]}`)
	for _, tt := range []struct {
		limit, endpoint string
	}{
		{"", "create"}, // the default: the shortest window
		{"writes", "create"},
		{"per-minute", "list"}, // create is bound by writes first
	} {
		var opts []Option
		if tt.limit != "" {
			opts = append(opts, TestLimit(tt.limit))
		}
		p := New(sc, opts...)
		if len(p.Warnings) > 0 {
			t.Errorf("TestLimit(%q): warnings %q", tt.limit, p.Warnings)
		}
		over := p.Phases[1]
		if over.Kind != scenarios.PhaseOver || over.Endpoint != tt.endpoint {
			t.Errorf("TestLimit(%q): phase 2 is %s on %q; want over on %q", tt.limit, over.Kind, over.Endpoint, tt.endpoint)
		}
		if want := cmpOr(tt.limit, "writes"); p.TestedLimit().Name != want {
			t.Errorf("TestLimit(%q): tested %q; want %q", tt.limit, p.TestedLimit().Name, want)
		}
	}
}

func TestTestLimitUnknown(t *testing.T) {
	p := New(testableScenario(t, `
  - {name: reads, requests: 10, window: 1s}`), TestLimit("writes"))
	if p.TestedLimit() != nil || len(p.Phases) != 0 {
		t.Fatalf("an unknown limit planned %d phases for %v", len(p.Phases), p.TestedLimit())
	}
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], `no limit named "writes"`) {
		t.Errorf("warnings %q; want one naming the limit", p.Warnings)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
