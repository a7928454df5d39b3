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
}
