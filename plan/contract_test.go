package plan

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ratecheck/ratecheck/scenarios"
)

// contractPart is what a test compares of a contract phase.
type contractPart struct {
	Kind     scenarios.PhaseKind
	Requests int64
	Endpoint string
	Key      string
	Source   int
	Burst    bool // all its requests at once
}

// contractParts returns the phases after the derived ones' recovery.
func contractParts(p *Plan) []contractPart {
	var out []contractPart
	seg := false
	for _, ph := range p.Phases {
		seg = seg || ph.Kind.Contract()
		if !seg && ph.Kind == scenarios.PhasePause && len(out) == 0 {
			out = append(out, contractPart{Kind: scenarios.PhasePause}) // may start the segment
			continue
		}
		if !seg {
			out = out[:0]
			continue
		}
		c := contractPart{Kind: ph.Kind, Requests: ph.Requests, Endpoint: ph.Endpoint, Key: ph.Key, Source: ph.Source, Burst: ph.Burst == int(ph.Requests)}
		if ph.Kind == scenarios.PhasePause {
			c = contractPart{Kind: scenarios.PhasePause}
		}
		out = append(out, c)
	}
	if !seg {
		return nil
	}
	return out
}

// TestContractPhases checks the isolation and excluded-endpoint phases a
// derived plan ends with.
func TestContractPhases(t *testing.T) {
	pause := contractPart{Kind: scenarios.PhasePause}
	counted := func(n int64) contractPart {
		return contractPart{Kind: scenarios.PhaseCounted, Requests: n, Endpoint: "list", Key: "primary", Burst: true}
	}
	excluded := func(n int64) contractPart {
		return contractPart{Kind: scenarios.PhaseExcluded, Requests: n, Endpoint: "health", Key: "primary", Burst: true}
	}
	exhaust := func(n int64) contractPart {
		return contractPart{Kind: scenarios.PhaseExhaust, Requests: n, Endpoint: "list", Key: "primary", Burst: true}
	}
	confirm := func(n int64) contractPart {
		return contractPart{Kind: scenarios.PhaseConfirm, Requests: n, Endpoint: "list", Key: "primary", Burst: true}
	}
	otherKey := func(n int64) contractPart {
		return contractPart{Kind: scenarios.PhaseOtherKey, Requests: n, Endpoint: "list", Key: "second", Burst: true}
	}
	otherSource := func(n int64) contractPart {
		return contractPart{Kind: scenarios.PhaseOtherSource, Requests: n, Endpoint: "list", Key: "primary", Source: 1, Burst: true}
	}
	noKey := func(n int64, ep string) contractPart {
		return contractPart{Kind: scenarios.PhaseNoKey, Requests: n, Endpoint: ep, Burst: true}
	}
	badKey := func(n int64) contractPart {
		return contractPart{Kind: scenarios.PhaseBadKey, Requests: n, Endpoint: "list", Burst: true}
	}
	// notCounted is the auth.not-counted attempt: C−c counted, x without a
	// key, x with a wrong key, c counted (none before when C = c).
	notCounted := func(before, x, c int64) []contractPart {
		out := []contractPart{pause}
		if before > 0 {
			out = append(out, counted(before))
		}
		return append(out, noKey(x, "list"), badKey(x), counted(c))
	}
	twice := func(ps []contractPart) []contractPart { return append(slices.Clone(ps), ps...) }
	join := func(parts ...[]contractPart) []contractPart {
		var out []contractPart
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	twoKeys := func(sc *scenarios.Scenario) {
		sc.Auth.Keys = append(sc.Auth.Keys, scenarios.Key{ID: "second", Env: "K2"})
	}
	withHealth := func(sc *scenarios.Scenario) {
		sc.Endpoints = append(sc.Endpoints, scenarios.Endpoint{Name: "health", Method: "GET", Path: "/health"})
		sc.Limits[0].Exclude = []string{"health"}
	}
	tests := []struct {
		name  string
		limit scenarios.Limit
		edit  []func(*scenarios.Scenario)
		opts  []Option
		want  []contractPart
		warn  string
	}{
		{
			// 20/s: c = 5 counted requests left after 15, 5 + 1 + ⌈20 × 0.15⌉ excluded calls;
			// 5 + 1 + ⌈20 × 0.2⌉ requests without a key and as many with a wrong one;
			// exhaust 22, the other key 5 (twice 5 stays within its 20), confirm
			// 2 + ⌈20 × 0.15⌉; then the excluded endpoint without a key.
			name: "short window, two keys, an excluded endpoint", limit: scenarios.Limit{Name: "ps", Requests: 20, Window: s},
			edit: []func(*scenarios.Scenario){twoKeys, withHealth},
			want: join(
				[]contractPart{pause, counted(15), excluded(9), counted(5), pause, counted(15), excluded(9), counted(5)},
				twice(notCounted(15, 10, 5)),
				[]contractPart{exhaust(22), otherKey(5), confirm(5), pause, exhaust(22), otherKey(5), confirm(5)},
				[]contractPart{pause, noKey(1, "health")}),
		},
		{
			name: "one key and nothing excluded: the auth phases only", limit: scenarios.Limit{Name: "ps", Requests: 20, Window: s},
			want: twice(notCounted(15, 10, 5)),
		},
		{
			name: "no auth: no contract phases", limit: scenarios.Limit{Name: "ps", Requests: 20, Window: s},
			edit: []func(*scenarios.Scenario){func(sc *scenarios.Scenario) { sc.Auth = scenarios.Auth{} }},
		},
		{
			name: "a global limit is tested with two keys too", limit: scenarios.Limit{Name: "ps", Requests: 20, Window: s, Scope: scenarios.ScopeGlobal},
			edit: []func(*scenarios.Scenario){twoKeys},
			want: join(twice(notCounted(15, 10, 5)),
				[]contractPart{exhaust(22), otherKey(5), confirm(5), pause, exhaust(22), otherKey(5), confirm(5)}),
		},
		{
			name: "per IP with a second source address", limit: scenarios.Limit{Name: "ps", Requests: 8, Window: s, Scope: scenarios.ScopeIP},
			edit: []func(*scenarios.Scenario){twoKeys}, opts: []Option{Sources(2)},
			want: join(twice(notCounted(6, 5, 2)),
				[]contractPart{exhaust(10), otherSource(2), confirm(4), pause, exhaust(10), otherSource(2), confirm(4)}),
		},
		{
			name: "per IP with one source address: no isolation", limit: scenarios.Limit{Name: "ps", Requests: 8, Window: s, Scope: scenarios.ScopeIP},
			edit: []func(*scenarios.Scenario){twoKeys},
			want: twice(notCounted(6, 5, 2)),
		},
		{
			name: "a long window: one attempt of each, no fresh budget for the excluded endpoint", limit: scenarios.Limit{Name: "pm", Requests: 60, Window: time.Minute},
			edit: []func(*scenarios.Scenario){twoKeys, withHealth},
			want: []contractPart{counted(2), noKey(3, "list"), badKey(3), counted(2),
				exhaust(62), otherKey(10), confirm(4), noKey(1, "health")},
		},
		{
			name: "scopes: the first key lacking one calls the endpoint; auth: none endpoints get no key", limit: scenarios.Limit{Name: "ps", Requests: 20, Window: s},
			edit: []func(*scenarios.Scenario){twoKeys, func(sc *scenarios.Scenario) {
				sc.Auth.Keys[1].Scopes = []string{"read"}
				sc.Endpoints = append(sc.Endpoints,
					scenarios.Endpoint{Name: "admin", Method: "POST", Path: "/admin", Scopes: []string{"admin"}},
					scenarios.Endpoint{Name: "keygen", Method: "POST", Path: "/keys", NoAuth: true})
			}},
			want: join(twice(notCounted(15, 10, 5)),
				[]contractPart{exhaust(22), otherKey(5), confirm(5), pause, exhaust(22), otherKey(5), confirm(5)},
				[]contractPart{pause, noKey(1, "admin"), noKey(1, "keygen"),
					{Kind: scenarios.PhaseNoScope, Requests: 2, Endpoint: "admin", Key: "second", Burst: true}}),
		},
		{
			name: "lean plans the refusals only, one request each", limit: scenarios.Limit{Name: "ps", Requests: 20, Window: s},
			edit: []func(*scenarios.Scenario){twoKeys, withHealth, func(sc *scenarios.Scenario) {
				sc.Auth.Keys[1].Scopes = []string{"read"}
				sc.Endpoints = append(sc.Endpoints, scenarios.Endpoint{Name: "admin", Method: "POST", Path: "/admin", Scopes: []string{"admin"}})
			}}, opts: []Option{Lean()},
			want: []contractPart{noKey(1, "list"), noKey(1, "health"), noKey(1, "admin"), badKey(1),
				{Kind: scenarios.PhaseNoScope, Requests: 1, Endpoint: "admin", Key: "second", Burst: true}},
		},
		{
			name: "budget of 1: one request of the other key, once", limit: scenarios.Limit{Name: "ps", Requests: 1, Window: s},
			edit: []func(*scenarios.Scenario){twoKeys},
			want: join(twice(notCounted(0, 3, 1)), []contractPart{exhaust(3), otherKey(1), confirm(1)}),
		},
		{
			name: "run.max_duration too short for them", limit: scenarios.Limit{Name: "ps", Requests: 20, Window: s},
			edit: []func(*scenarios.Scenario){twoKeys, func(sc *scenarios.Scenario) { sc.Run.MaxDuration = 13 * s }},
			warn: "they are left out",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := planScenario(tt.limit)
			for _, e := range tt.edit {
				e(sc)
			}
			p := New(sc, tt.opts...)
			if diff := cmp.Diff(tt.want, contractParts(p)); diff != "" {
				t.Errorf("contract phases mismatch (-want +got):\n%s", diff)
			}
			got := strings.Join(p.Warnings, "; ")
			if tt.warn == "" && got != "" || !strings.Contains(got, tt.warn) {
				t.Errorf("warnings = %q; want %q", got, tt.warn)
			}
		})
	}
}

// TestContractPhasesKeepOrder checks that every contract phase starts after
// the previous one, and that the phases of the tested limit's model come first.
func TestContractPhasesKeepOrder(t *testing.T) {
	sc := planScenario(scenarios.Limit{Name: "ps", Requests: 100, Window: s})
	sc.Auth.Keys = append(sc.Auth.Keys, scenarios.Key{ID: "second"})
	p := New(sc)
	first := slices.IndexFunc(p.Phases, func(ph Phase) bool { return ph.Kind.Contract() })
	if first < 0 {
		t.Fatal("no contract phase planned")
	}
	for i, ph := range p.Phases {
		if i > 0 && ph.Start != p.Phases[i-1].End() {
			t.Errorf("phase %d %s starts at %v; want %v, the end of the one before", i, ph.Name, ph.Start, p.Phases[i-1].End())
		}
		if i > first && !ph.Kind.Contract() && ph.Kind != scenarios.PhasePause {
			t.Errorf("phase %d %s (%s) follows the contract phases", i, ph.Name, ph.Kind)
		}
	}
}

// TestWithSpareKey checks the second key the built-in target's runs get.
func TestWithSpareKey(t *testing.T) {
	sc := planScenario(scenarios.Limit{Name: "ps", Requests: 20, Window: s})
	sc.Auth.Keys[0].Scopes = []string{"read"}
	got := sc.WithSpareKey()
	if len(got.Auth.Keys) != 2 || got.Auth.Keys[1].ID != scenarios.SpareKeyID || !slices.Equal(got.Auth.Keys[1].Scopes, []string{"read"}) {
		t.Errorf("WithSpareKey().Auth.Keys = %+v; want primary and %q with scope read", got.Auth.Keys, scenarios.SpareKeyID)
	}
	if len(sc.Auth.Keys) != 1 {
		t.Errorf("WithSpareKey changed its receiver: %+v", sc.Auth.Keys)
	}
	if again := got.WithSpareKey(); again != got {
		t.Error("WithSpareKey of a scenario with two keys made a copy; want the scenario itself")
	}
	noAuth := planScenario(scenarios.Limit{Name: "ps", Requests: 20, Window: s})
	noAuth.Auth = scenarios.Auth{}
	if noAuth.WithSpareKey() != noAuth {
		t.Error("WithSpareKey added a key to a scenario without auth")
	}
}

// TestWithoutKeys: the optional keys a run goes without leave the keys for
// Auth.LeftOut, the first key never does, and a scenario without them is
// returned as it is.
func TestWithoutKeys(t *testing.T) {
	sc := &scenarios.Scenario{Auth: scenarios.Auth{Header: "X-Key", Keys: []scenarios.Key{{ID: "primary"}, {ID: "reader", Optional: true}, {ID: "writer", Optional: true}}}}
	ids := func(ks []scenarios.Key) []string {
		var out []string
		for _, k := range ks {
			out = append(out, k.ID)
		}
		return out
	}
	tests := []struct {
		drop          []string
		keys, leftOut []string
	}{
		{nil, []string{"primary", "reader", "writer"}, nil},
		{[]string{"reader"}, []string{"primary", "writer"}, []string{"reader"}},
		{[]string{"primary", "writer"}, []string{"primary", "reader"}, []string{"writer"}},
		{[]string{"nobody"}, []string{"primary", "reader", "writer"}, nil},
	}
	for _, tt := range tests {
		got := sc.WithoutKeys(tt.drop...)
		if diff := cmp.Diff(tt.keys, ids(got.Auth.Keys)); diff != "" {
			t.Errorf("WithoutKeys(%v).Auth.Keys (-want +got):\n%s", tt.drop, diff)
		}
		if diff := cmp.Diff(tt.leftOut, ids(got.Auth.LeftOut)); diff != "" {
			t.Errorf("WithoutKeys(%v).Auth.LeftOut (-want +got):\n%s", tt.drop, diff)
		}
		if len(tt.leftOut) == 0 && got != sc {
			t.Errorf("WithoutKeys(%v) copied a scenario it left as it was", tt.drop)
		}
	}
	if len(sc.Auth.Keys) != 3 {
		t.Errorf("WithoutKeys changed the scenario it was called on: %v", ids(sc.Auth.Keys))
	}
}
