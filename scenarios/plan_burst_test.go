package scenarios

import (
	"math"
	"testing"
	"time"
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

// TestBurstOver checks that BurstOver sets Burst on paced over phases only, and
// that NewPlan alone sets none.
func TestBurstOver(t *testing.T) {
	sc := planScenario(Limit{Name: "l", Requests: 20, Window: time.Second})
	sc.Run.Connections = 4
	p := NewPlan(sc)
	for _, ph := range p.Phases {
		if ph.Burst != 0 {
			t.Errorf("NewPlan() phase %s Burst = %d; want 0", ph.Name, ph.Burst)
		}
	}
	p.Phases = append(p.Phases, Phase{Name: "flood", Kind: PhaseOver, Rate: math.Inf(1)})
	p.BurstOver()
	for _, ph := range p.Phases {
		want := 0
		if ph.Kind == PhaseOver && !ph.Unpaced() {
			want = 4 // min(4 connections, max(2, 20/4))
		}
		if ph.Burst != want {
			t.Errorf("BurstOver() phase %s Burst = %d; want %d", ph.Name, ph.Burst, want)
		}
	}
}

// TestBurstOverNothingTested checks that a plan without a tested limit is left
// alone.
func TestBurstOverNothingTested(t *testing.T) {
	p := NewPlan(nil)
	p.BurstOver() // must not panic
	sc := planScenario(Limit{Name: "m", Unlimited: true, Window: time.Second})
	sc.Phases = []PhaseSpec{{Name: "over", Kind: PhaseOver, Rate: RateSpec{PerSec: 10}, Duration: time.Second}}
	p = NewPlan(sc)
	p.BurstOver()
	for _, ph := range p.Phases {
		if ph.Burst != 0 {
			t.Errorf("BurstOver() without a tested limit: phase %s Burst = %d; want 0", ph.Name, ph.Burst)
		}
	}
}
