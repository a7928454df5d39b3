package runner

import (
	"math"
	"runtime"
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

// While judging, the memory limit follows the live heap: it is set, it covers
// what is live, it never rises above a limit the user set, and the limit there
// was comes back afterwards.
func TestJudgingLimitsMemoryNearLive(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	for _, user := range []int64{math.MaxInt64, 1 << 40, 16 << 20} {
		debug.SetMemoryLimit(user)
		keep := make([]byte, 8<<20) // live while judging
		runtime.GC()
		got := Judging(func() int64 { return debug.SetMemoryLimit(-1) })
		live, other := readMemory(memorySamples())
		switch {
		case user < got:
			t.Errorf("with GOMEMLIMIT=%d, the limit while judging = %d; want it never raised", user, got)
		case user == 16<<20 && got != user:
			t.Errorf("with GOMEMLIMIT=%d below what is live, the limit while judging = %d; want the user's", user, got)
		case user > 16<<20 && (got >= user || uint64(got) < live+other):
			t.Errorf("with GOMEMLIMIT=%d, the limit while judging = %d; want below it and above live %d + other %d", user, got, live, other)
		}
		if after := debug.SetMemoryLimit(-1); after != user {
			t.Errorf("with GOMEMLIMIT=%d, the limit after judging = %d; want it restored", user, after)
		}
		runtime.KeepAlive(keep)
	}
}
