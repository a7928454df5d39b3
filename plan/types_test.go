package plan

import (
	"testing"

	"github.com/ratecheck/ratecheck/scenarios"
)

// TestStretchesOfCopilot groups the phases of the shipped copilot plan: 27
// phases, 8 stretches.
func TestStretchesOfCopilot(t *testing.T) {
	sc, err := scenarios.Load("../scenarios/copilot.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p := New(sc.WithSpareKey(), ExhaustQuotas())
	var kinds []scenarios.PhaseKind
	for _, ph := range p.Phases {
		kinds = append(kinds, ph.Kind)
	}
	s := scenarios.Stretches(kinds)
	if last := s[len(s)-1]; last[1] != len(kinds) || len(s) >= len(kinds) {
		t.Errorf("copilot's %d phases in %d stretches %v: want fewer, covering all", len(kinds), len(s), s)
	}
	t.Logf("copilot: %d phases, stretches %v", len(kinds), s)
}
