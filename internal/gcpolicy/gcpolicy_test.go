package gcpolicy

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
)

// Judge lowers the collector's target while judging, never loosens a
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
		got := Judge(func() int { return gcPercent() })
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
		got := Judge(func() int64 { return debug.SetMemoryLimit(-1) })
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

// While sending, the collector's target leaves at least the floor of garbage
// above a small live heap, never lowers the target, leaves a stricter or
// disabled one alone, and is restored afterwards.
func TestSendingHeapFloor(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	keep := make([]byte, 1<<20) // live, so the floor is under the cap on the target
	defer runtime.KeepAlive(keep)
	runtime.GC()
	live, _ := readMemory(memorySamples())
	for _, tt := range []struct {
		before int
		raised bool
	}{{100, true}, {200, true}, {50, false}, {-1, false}} {
		debug.SetGCPercent(tt.before)
		leave := enterGC(gcSending)
		during := gcPercent()
		leave()
		switch {
		case tt.raised && (during <= tt.before || uint64(during)*live/100 < sendingHeapFloor):
			t.Errorf("GOGC=%d with %d bytes live: the target while sending = %d; want it to leave %d bytes of garbage", tt.before, live, during, sendingHeapFloor)
		case !tt.raised && during != tt.before:
			t.Errorf("GOGC=%d: the target while sending = %d; want it left alone", tt.before, during)
		}
		if after := gcPercent(); after != tt.before {
			t.Errorf("GOGC=%d: the target after sending = %d; want it restored", tt.before, after)
		}
	}
}

// A run judged while another sends (tests run many at once) gets the sending
// settings, not the tight ones that would slow the other's sends; the
// settings there were come back when the last run leaves, whatever the order.
func TestJudgingBesideASendingRun(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	const user = int64(1 << 40)
	debug.SetMemoryLimit(user)
	leaveSending := enterGC(gcSending)
	var limit int64
	gc := Judge(func() int { limit = debug.SetMemoryLimit(-1); return gcPercent() })
	if gc < 100 || limit != user {
		t.Errorf("judging beside a sending run: GOGC %d, limit %d; want GOGC ≥ 100 and the user's limit %d", gc, limit, user)
	}
	leaveJudging := enterGC(gcJudging)
	leaveSending() // the sender leaves first: the judge is now alone
	if got := gcPercent(); got != judgingGCPercent {
		t.Errorf("judging alone after the sender left: GOGC %d; want %d", got, judgingGCPercent)
	}
	leaveJudging()
	leaveJudging() // a second call does nothing
	if gc, limit := gcPercent(), debug.SetMemoryLimit(-1); gc != 100 || limit != user {
		t.Errorf("after both left: GOGC %d, limit %d; want 100 and %d restored", gc, limit, user)
	}
}
