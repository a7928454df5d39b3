package limiter

import (
	"testing"
	"time"
)

func TestFixedWindowClockAligned(t *testing.T) {
	cfg := Config{Family: FixedWindow, Limit: 3, Window: time.Second}
	tests := []struct {
		name  string
		steps []step
	}{
		{"window from the epoch", []step{
			ok(0, 2, time.Second),
			ok(100*ms, 1, time.Second),
			ok(200*ms, 0, time.Second),
			no(300*ms, 700*ms),
			no(999*ms, 1*ms),
			ok(time.Second, 2, 2*time.Second),
		}},
		{"first request mid-window does not move the window", []step{
			ok(600*ms, 2, time.Second),
			ok(700*ms, 1, time.Second),
			ok(800*ms, 0, time.Second),
			no(999*ms+999_999, 1),
			ok(time.Second, 2, 2*time.Second),
			ok(1500*ms, 1, 2*time.Second),
		}},
		{"idle windows forget", []step{
			ok(0, 2, time.Second),
			ok(5*time.Second+time.Nanosecond, 2, 6*time.Second),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { runSteps(t, cfg, tt.steps) })
	}
}

func TestFixedWindowDayAlignsToUTCMidnight(t *testing.T) {
	c := mustNew(t, Config{Family: FixedWindow, Limit: 1, Window: 24 * time.Hour}).Cell("")
	at := time.Date(2025, 3, 4, 15, 30, 0, 0, time.UTC)
	midnight := time.Date(2025, 3, 5, 0, 0, 0, 0, time.UTC)
	if d := c.Admit(at); !d.Allowed || !d.ResetAt.Equal(midnight) {
		t.Errorf("Admit(%v) = %+v; want allowed, reset at %v", at, d, midnight)
	}
	d := c.Admit(at.Add(time.Hour))
	if want := midnight.Sub(at.Add(time.Hour)); d.Allowed || d.RetryAfter != want {
		t.Errorf("second Admit = %+v; want rejected with RetryAfter %v", d, want)
	}
	if d := c.Admit(midnight); !d.Allowed {
		t.Errorf("Admit(midnight) = %+v; want allowed", d)
	}
}

func TestFixedWindowBeforeEpoch(t *testing.T) {
	c := mustNew(t, Config{Family: FixedWindow, Limit: 1, Window: time.Second}).Cell("")
	at := time.Unix(-10, 300_000_000) // -9.7 s lies in [-10 s, -9 s)
	c.Admit(at)
	d := c.Admit(at)
	if d.Allowed || d.RetryAfter != 700*ms {
		t.Errorf("Admit(%v) = %+v; want rejected with RetryAfter 700ms", at, d)
	}
}

func TestFixedWindowFirstRequestAligned(t *testing.T) {
	cfg := Config{Family: FixedWindowFirst, Limit: 3, Window: time.Second}
	tests := []struct {
		name  string
		steps []step
	}{
		{"window starts at the first request", []step{
			ok(500*ms, 2, 1500*ms),
			ok(600*ms, 1, 1500*ms),
			ok(1000*ms, 0, 1500*ms),
			no(1100*ms, 400*ms),
			no(1499*ms, 1*ms),
			ok(1500*ms, 2, 2500*ms),
		}},
		{"the next window starts at the next request, not at the old end", []step{
			ok(0, 2, time.Second),
			ok(2300*ms, 2, 3300*ms),
			ok(3200*ms, 1, 3300*ms),
			ok(3300*ms, 2, 4300*ms),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { runSteps(t, cfg, tt.steps) })
	}
}

func TestPeekChargesNothing(t *testing.T) {
	for _, f := range allFamilies {
		t.Run(f.String(), func(t *testing.T) {
			c := mustNew(t, Config{Family: f, Limit: 2, Window: time.Second}).Cell("")
			for range 5 {
				if d := c.Peek(t0); !d.Allowed || d.Remaining != 1 {
					t.Fatalf("Peek(t0) = %+v; want allowed with Remaining 1", d)
				}
			}
			c.Admit(t0)
			c.Admit(t0)
			if d := c.Peek(t0); d.Allowed {
				t.Errorf("Peek after 2 admitted = %+v; want rejected", d)
			}
		})
	}
}

var allFamilies = []Family{FixedWindow, FixedWindowFirst, SlidingLog, SlidingCounter, TokenBucket, GCRA, LeakyBucket}
