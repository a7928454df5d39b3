package runner

import (
	"runtime/debug"
	"testing"
)

// gcPercent reads the collector's target without changing it.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// Judging lowers the collector's target while judging, never loosens a
// stricter or disabled one, and restores it afterwards.
func TestJudgingSetsAndRestoresGCPercent(t *testing.T) {
	tests := []struct {
		before, during int
	}{
		{100, judgingGCPercent},
		{50, judgingGCPercent},
		{10, 10},
		{-1, -1}, // GOGC=off
	}
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	for _, tt := range tests {
		debug.SetGCPercent(tt.before)
		got := Judging(func() int { return gcPercent() })
		if got != tt.during {
			t.Errorf("with GOGC=%d, the target while judging = %d; want %d", tt.before, got, tt.during)
		}
		if after := gcPercent(); after != tt.before {
			t.Errorf("with GOGC=%d, the target after judging = %d; want it restored", tt.before, after)
		}
	}
}
