package scenarios

import (
	"fmt"
	"testing"
)

func TestStretches(t *testing.T) {
	const (
		u, o, pa, r = PhaseUnder, PhaseOver, PhasePause, PhaseRecovery
		c, nk, ex   = PhaseCounted, PhaseNoKey, PhaseExhaust
	)
	tests := []struct {
		kinds []PhaseKind
		want  string
	}{
		{nil, "[]"},
		{[]PhaseKind{u, o, pa, r}, "[[0 1] [1 2] [2 3] [3 4]]"},
		// The contract segment after a derived plan: its leading pause and
		// the pauses between its attempts belong to it.
		{[]PhaseKind{u, o, pa, r, pa, c, nk, c, pa, ex, c}, "[[0 1] [1 2] [2 3] [3 4] [4 11]]"},
		// A single contract phase is a stretch too; a trailing pause is not.
		{[]PhaseKind{u, c, pa}, "[[0 1] [1 2] [2 3]]"},
		// A derived phase breaks the run.
		{[]PhaseKind{c, nk, r, c}, "[[0 2] [2 3] [3 4]]"},
	}
	for _, tt := range tests {
		if got := fmt.Sprint(Stretches(tt.kinds)); got != tt.want {
			t.Errorf("Stretches(%v) = %s, want %s", tt.kinds, got, tt.want)
		}
	}
	// The shipped copilot plan: 27 phases, 8 stretches.
	sc, err := Load("copilot.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p := NewPlan(sc.WithSpareKey(), ExhaustQuotas())
	var kinds []PhaseKind
	for _, ph := range p.Phases {
		kinds = append(kinds, ph.Kind)
	}
	s := Stretches(kinds)
	if last := s[len(s)-1]; last[1] != len(kinds) || len(s) >= len(kinds) {
		t.Errorf("copilot's %d phases in %d stretches %v: want fewer, covering all", len(kinds), len(s), s)
	}
	t.Logf("copilot: %d phases, stretches %v", len(kinds), s)
}
