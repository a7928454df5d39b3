package plan

import (
	"cmp"
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
  - {name: writes, requests: 3, window: 1s, endpoints: [create]}`, []string{"writes", "reads"}}, // the stricter first
		{"nested windows on the same endpoints: the shorter binds", `
  - {name: per-minute, requests: 200, window: 1m}
  - {name: per-second, requests: 20, window: 1s}`, []string{"per-second"}},
		{"a global limit and a stricter one on writes", `
  - {name: global, requests: 100, window: 1s}
  - {name: writes, requests: 5, window: 1s, endpoints: [create]}`, []string{"writes", "global"}},
		{"two limits on the same endpoints and window: the stricter binds", `
  - {name: loose, requests: 100, window: 1s}
  - {name: strict, requests: 10, window: 1s}`, []string{"strict"}},
		{"writes limited per second, everything per minute", `
  - {name: per-minute, requests: 600, window: 1m}
  - {name: writes, requests: 5, window: 1s, endpoints: [create]}`, []string{"writes", "per-minute"}},
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
		if want := cmp.Or(tt.limit, "writes"); p.TestedLimit().Name != want {
			t.Errorf("TestLimit(%q): tested %q; want %q", tt.limit, p.TestedLimit().Name, want)
		}
	}
}

// Of two limits with the same window, the one with fewer requests stops the
// traffic first and is tested by default, wherever it is listed.
func TestStricterLimitIsTested(t *testing.T) {
	for _, limits := range []string{`
  - {name: loose, requests: 20, window: 1s}
  - {name: strict, requests: 10, window: 1s}`, `
  - {name: strict, requests: 10, window: 1s}
  - {name: loose, requests: 20, window: 1s}`} {
		if got := New(testableScenario(t, limits)).TestedLimit(); got == nil || got.Name != "strict" {
			t.Errorf("tested %v; want strict (%s)", got, limits)
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

// The paced over phase goes to a second endpoint the tested limit counts
// and binds, when one is read-only and keyed alike, so that a limiter
// counting each endpoint apart shows it; otherwise it stays whole.
func TestOverBothEndpoints(t *testing.T) {
	const (
		getGet = `
  - name: list
    path: /items
  - name: search
    path: /search`
		getPost = `
  - name: list
    path: /items
  - name: create
    method: POST
    path: /items`
		getOpen = `
  - name: list
    path: /items
  - name: status
    path: /status
    auth: none`
	)
	for _, tt := range []struct {
		name, endpoints, limits string
		lean                    bool
		other                   string // the second endpoint; "" when the phase stays whole
		limit                   string // TestLimit's, when set
	}{
		{"two reads share the limit", getGet, `
  - {name: all, requests: 20, window: 1s}`, false, "search", ""},
		{"a write is not sent over the limit", getPost, `
  - {name: all, requests: 20, window: 1s}`, false, "", ""},
		{"an endpoint without the key is not the same client", getOpen, `
  - {name: all, requests: 20, window: 1s}`, false, "", ""},
		{"the second endpoint has a stricter limit of its own", getGet, `
  - {name: all, requests: 20, window: 1s}
  - {name: searches, requests: 5, window: 1s, endpoints: [search]}`, false, "", "all"},
		{"the lean plan sends little", getGet, `
  - {name: all, requests: 20, window: 1s}`, true, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := "name: t\ntarget: http://127.0.0.1:1\nauth:\n  header: X-Key\n  keys:\n    primary: ${K}\nendpoints:" + tt.endpoints + "\nlimits:" + tt.limits + "\n"
			sc, err := scenarios.Parse("t.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			var opts []Option
			if tt.lean {
				opts = append(opts, Lean())
			}
			if tt.limit != "" {
				opts = append(opts, TestLimit(tt.limit))
			}
			p := New(sc, opts...)
			var over []Phase
			var sent int64
			for _, ph := range p.Phases {
				if ph.Kind == scenarios.PhaseOver && ph.Burst <= 1 {
					over = append(over, ph)
					sent += ph.Requests
				}
			}
			if tt.other == "" {
				for _, ph := range over {
					if ph.Endpoint != "list" {
						t.Errorf("phase %s goes to %s; want list only", ph.Name, ph.Endpoint)
					}
				}
				return
			}
			if len(over) != 3 || over[0].Endpoint != "list" || over[1].Endpoint != tt.other || over[2].Endpoint != "list" {
				t.Fatalf("paced over phases %+v; want list, %s, list", over, tt.other)
			}
			if over[1].Start != over[0].Start+over[0].Duration || over[2].Start != over[1].Start+over[1].Duration {
				t.Errorf("the three over phases are not back to back: %+v", over)
			}
			if sent != 120 { // 2R for 3 s, as one phase sends
				t.Errorf("the over phases send %d requests; want 120", sent)
			}
		})
	}
}
