package plan

import (
	"math"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/scenarios"
)

// TestOverBurst checks B = min(connections, max(2, ⌊N/4⌋)).
func TestOverBurst(t *testing.T) {
	tests := []struct {
		name        string
		connections int
		requests    int64
		want        int
	}{
		{"quarter of the budget", 32, 20, 5},
		{"at least two", 32, 3, 2},
		{"one request per window still bursts two", 32, 1, 2},
		{"bounded by the connections", 32, 1000, 32},
		{"more connections allow larger bursts", 100, 1000, 100},
		{"unset connections default to 32", 0, 1000, 32},
		{"one connection sends one at a time", 1, 20, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := OverBurst(tt.connections, tt.requests); got != tt.want {
				t.Errorf("OverBurst(%d, %d) = %d; want %d", tt.connections, tt.requests, got, tt.want)
			}
		})
	}
}

// TestBurstOver checks that BurstOver sets Burst on every paced over phase,
// the paced over phase of a derived plan included, and on nothing else.
func TestBurstOver(t *testing.T) {
	sc := planScenario(scenarios.Limit{Name: "l", Requests: 20, Window: time.Second})
	sc.Run.Connections = 4
	p := New(sc)
	p.Phases = append(p.Phases, Phase{Name: "flood", Kind: scenarios.PhaseOver, Rate: math.Inf(1)})
	p.BurstOver()
	for _, ph := range p.Phases {
		if ph.Kind.Contract() {
			continue // bursts by design (contract.go)
		}
		want := 0
		if ph.Kind == scenarios.PhaseOver && !ph.Unpaced() {
			want = 4 // min(4 connections, max(2, 20/4))
		}
		if ph.Burst != want {
			t.Errorf("BurstOver() phase %s Burst = %d; want %d", ph.Name, ph.Burst, want)
		}
	}
}

// TestNewBursts checks which derived phases burst: the over-burst phase of
// a short window and the over phase of a long one, with B from run.connections.
func TestNewBursts(t *testing.T) {
	tests := []struct {
		name        string
		limit       scenarios.Limit
		connections int
		want        map[string]int // phase name → Burst; every other phase 0
	}{
		{"short window", scenarios.Limit{Name: "l", Requests: 20, Window: time.Second}, 32, map[string]int{OverBurstPhase: 5}},
		{"connections bound the bursts", scenarios.Limit{Name: "l", Requests: 200, Window: time.Second}, 8, map[string]int{OverBurstPhase: 8}},
		{"long window bursts its over phase", scenarios.Limit{Name: "l", Requests: 100, Window: time.Minute}, 32, map[string]int{"over": 25}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := planScenario(tt.limit)
			sc.Run.Connections = tt.connections
			for _, ph := range modelPhases(New(sc)) {
				if got, want := ph.Burst, tt.want[ph.Name]; got != want {
					t.Errorf("New() phase %s Burst = %d; want %d", ph.Name, got, want)
				}
			}
		})
	}
}

// TestBurstOverNothingTested checks that a plan without a tested limit is left
// alone.
func TestBurstOverNothingTested(t *testing.T) {
	p := New(nil)
	p.BurstOver() // must not panic
	sc := planScenario(scenarios.Limit{Name: "m", Unlimited: true, Window: time.Second})
	sc.Phases = []scenarios.PhaseSpec{{Name: "over", Kind: scenarios.PhaseOver, Rate: scenarios.RateSpec{PerSec: 10}, Duration: time.Second}}
	p = New(sc)
	p.BurstOver()
	for _, ph := range p.Phases {
		if ph.Burst != 0 {
			t.Errorf("BurstOver() without a tested limit: phase %s Burst = %d; want 0", ph.Name, ph.Burst)
		}
	}
}
