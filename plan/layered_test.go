package plan

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/scenarios"
)

// layeredScenario has a per-key limit of 10 a second under a global one of
// 15, and the given number of keys.
func layeredScenario(t *testing.T, keys int) *scenarios.Scenario {
	t.Helper()
	var b strings.Builder
	b.WriteString("name: l\ntarget: http://127.0.0.1:1\nauth:\n  header: X-Key\n  keys:\n")
	for k := range keys {
		b.WriteString("    k" + string(rune('a'+k)) + ": ${K" + string(rune('A'+k)) + "}\n")
	}
	b.WriteString(`endpoints:
  - {name: list, path: /items}
limits:
  - {name: per-key, requests: 10, window: 1s, scope: key}
  - {name: overall, requests: 15, window: 1s, scope: global}
`)
	sc, err := scenarios.Parse("l.yaml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// TestLayeredLimit: a global limit above a per-key one is testable when the
// keys, each at 80% of its per-key rate, can exceed it together by a
// quarter: three keys at 8 a second against 15. Its run sends every paced
// phase from each key at once, the keys taking turns, never faster than a
// key's share; two keys (16 a second) cannot, and the plan says so.
func TestLayeredLimit(t *testing.T) {
	if got := TestableLimits(layeredScenario(t, 2)); !slices.Equal(got, []string{"per-key"}) {
		t.Errorf("two keys: TestableLimits = %q; want per-key alone", got)
	}
	two := New(layeredScenario(t, 2))
	if !slices.ContainsFunc(two.Warnings, func(w string) bool {
		return strings.Contains(w, "limit overall (15 per 1s) is not tested") && strings.Contains(w, "it takes 3 keys")
	}) {
		t.Errorf("two keys: warnings %q; want one saying overall takes 3 keys", two.Warnings)
	}

	forced := New(layeredScenario(t, 2), TestLimit("overall"))
	if len(forced.Layered) > 0 || !slices.ContainsFunc(forced.Warnings, func(w string) bool {
		return strings.Contains(w, "limit overall (15 per 1s) cannot be driven past by this run")
	}) {
		t.Errorf("two keys, --limit overall: Layered %q, warnings %q; want one key at a time and a warning that overall cannot be driven past", forced.Layered, forced.Warnings)
	}

	sc := layeredScenario(t, 3)
	if got := TestableLimits(sc); !slices.Equal(got, []string{"per-key", "overall"}) {
		t.Errorf("three keys: TestableLimits = %q; want per-key, overall", got)
	}
	if p := New(sc); len(p.Layered) > 0 {
		t.Errorf("the per-key run sends from %q at once; want one key at a time", p.Layered)
	}
	p := New(sc, TestLimit("overall"))
	if !slices.Equal(p.Layered, []string{"ka", "kb", "kc"}) {
		t.Fatalf("overall's run: Layered = %q; want the three keys", p.Layered)
	}
	perKey := map[string]float64{} // the fastest each key sends, per second
	over := 0.0                    // the over phases' rate in all
	for i := 0; i < len(p.Phases); i++ {
		ph := p.Phases[i]
		if ph.Kind == scenarios.PhasePause {
			continue
		}
		if ph.Kind.Contract() || ph.Kind.Auth() {
			t.Errorf("phase %d is %s: a layered run has no contract segment", i, ph.Kind)
			continue
		}
		if ph.Burst > 1 {
			t.Errorf("phase %d (%s) sends bursts of %d", i, ph.Name, ph.Burst)
		}
		group := p.Phases[i : i+3]
		i += 2
		var sum float64
		for j, g := range group {
			if g.Name != ph.Name || g.Key != p.Layered[j] {
				t.Fatalf("phase %d: %s from %q; want %s from %q (one phase a key)", i, g.Name, g.Key, ph.Name, p.Layered[j])
			}
			if want := ph.Start + time.Duration(float64(j)/(3*ph.Rate)*float64(time.Second)).Round(time.Millisecond); g.Start != want || g.End() != ph.End() {
				t.Errorf("%s from %s: %v..%v; want %v..%v (turns 1/rate apart, ending together)", g.Name, g.Key, g.Start, g.End(), want, ph.End())
			}
			perKey[g.Key] = max(perKey[g.Key], g.Rate)
			sum += g.Rate
		}
		if ph.Kind == scenarios.PhaseOver {
			over = max(over, sum)
		}
	}
	for key, r := range perKey {
		if r > 8+1e-9 {
			t.Errorf("key %s sends %.2f/s; want at most 8 (80%% of its 10)", key, r)
		}
	}
	if math.Abs(over-24) > 1e-9 {
		t.Errorf("over phases send %.2f/s in all; want 24 (three keys at 8, beyond 15)", over)
	}
}
