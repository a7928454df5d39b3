package limiter

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAdmitChargesNoneOnReject(t *testing.T) {
	// 2 per second and 3 per day (clock-aligned day, t0 is mid-day).
	perSec := mustNew(t, Config{Family: FixedWindow, Limit: 2, Window: time.Second}).Cell("k")
	perDay := mustNew(t, Config{Family: FixedWindow, Limit: 3, Window: 24 * time.Hour}).Cell("k")
	cells := []*Cell{perSec, perDay}
	out := make([]Decision, 2)
	admit := func(at time.Duration) bool { return Admit(t0.Add(at), cells, out) }

	for i, want := range []bool{true, true, false, false} {
		if got := admit(0); got != want {
			t.Fatalf("Admit #%d at t0 = %v; want %v", i+1, got, want)
		}
	}
	// The two rejections charged nothing to the day: its quota still shows 1 left.
	if out[0].Allowed || !out[1].Allowed || out[1].Remaining != 1 {
		t.Errorf("rejected by per-second: decisions %+v; want per-second rejected, per-day allowed with 1 remaining", out)
	}
	if !admit(time.Second) {
		t.Fatalf("Admit at t0+1s = false; want true (the day has 1 left)")
	}
	if out[1].Remaining != 0 {
		t.Errorf("per-day Remaining after 3 admitted = %d; want 0", out[1].Remaining)
	}
	// Now the day rejects; the second must not be charged either.
	if admit(2 * time.Second) {
		t.Fatalf("Admit at t0+2s = true; want false (the day is spent)")
	}
	if !out[0].Allowed || out[0].Remaining != 2 || out[1].Allowed {
		t.Errorf("rejected by per-day: decisions %+v; want per-second allowed with 2 remaining (uncharged)", out)
	}
}

func TestAdmitDoesNotStartWindowsOnReject(t *testing.T) {
	gate := mustNew(t, Config{Family: FixedWindow, Limit: 1, Window: time.Minute}).Cell("")
	first := mustNew(t, Config{Family: FixedWindowFirst, Limit: 5, Window: time.Second}).Cell("")
	bucket := mustNew(t, Config{Family: TokenBucket, Limit: 1, Window: time.Second, Burst: 1}).Cell("")
	cells := []*Cell{gate, first, bucket}
	out := make([]Decision, 3)
	Admit(t0, cells[:1], out) // spend the gate
	if Admit(t0.Add(500*ms), cells, out) {
		t.Fatalf("Admit = true; want false (gate spent)")
	}
	want := []Decision{
		{Limit: 1, ResetAt: t0.Add(time.Minute), RetryAfter: time.Minute - 500*ms},
		{Allowed: true, Limit: 5, Remaining: 5, ResetAt: t0.Add(500 * ms)}, // no window running
		{Allowed: true, Limit: 1, Remaining: 1, ResetAt: t0.Add(500 * ms)}, // still full
	}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("decisions mismatch (-want +got):\n%s", diff)
	}
}

func TestBlockPenaltyBox(t *testing.T) {
	cfg := Config{Family: TokenBucket, Limit: 2, Window: time.Second, Burst: 2, Block: 2 * time.Second}
	runSteps(t, cfg, []step{
		ok(0, 1, 500*ms),
		ok(0, 0, time.Second),
		no(0, 2*time.Second),       // the box starts: until t0+2s
		no(1000*ms, 1*time.Second), // the bucket is full again, the box still holds
		no(1999*ms, 1*ms),          // not extended by rejections inside it
		ok(2000*ms, 1, 2500*ms),    // out of the box
		ok(2000*ms, 0, 3000*ms),    //
		no(2000*ms, 2*time.Second), // a new box
		no(2500*ms, 1500*ms),       //
		ok(4000*ms, 1, 4500*ms),    //
	})
}

func TestBlockWaitsForTheMeterToo(t *testing.T) {
	// A box shorter than the refill: the wait is the longer of the two.
	cfg := Config{Family: FixedWindow, Limit: 1, Window: 10 * time.Second, Block: time.Second}
	runSteps(t, cfg, []step{
		ok(0, 0, 10*time.Second),
		no(0, 10*time.Second),
		no(5*time.Second, 5*time.Second),
	})
}

func TestClosedLimits(t *testing.T) {
	for _, cfg := range []Config{
		{Family: FixedWindow, Limit: 0, Window: time.Second},
		{Family: TokenBucket, Limit: 5, Window: time.Second, Burst: 0}, // burst defaults to 5
		{Family: GCRA, Limit: 0, Window: time.Second, Burst: 3},
	} {
		c := mustNew(t, cfg).Cell("")
		d := c.Admit(t0)
		wantAllowed := cfg.Capacity() > 0 && cfg.Limit > 0
		if d.Allowed != wantAllowed {
			t.Errorf("%+v: Admit = %+v; want Allowed %v", cfg, d, wantAllowed)
		}
		if !wantAllowed && d.RetryAfter != cfg.Window {
			t.Errorf("%+v: Admit = %+v; want RetryAfter %v (one window, as a hint)", cfg, d, cfg.Window)
		}
	}
}

func TestNewRejectsBadConfigs(t *testing.T) {
	for _, cfg := range []Config{
		{Family: FixedWindow, Limit: 1, Window: 0},
		{Family: FixedWindow, Limit: -1, Window: time.Second},
		{Family: TokenBucket, Limit: 1, Window: time.Second, Burst: -1},
		{Family: TokenBucket, Limit: 1, Window: time.Second, Block: -1},
		{Family: Family(42), Limit: 1, Window: time.Second},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) = nil error; want an error", cfg)
		}
	}
}

func TestCellsAreKeyed(t *testing.T) {
	l := mustNew(t, Config{Family: FixedWindow, Limit: 1, Window: time.Second})
	if a, b := l.Cell("a"), l.Cell("b"); a == b {
		t.Fatalf("Cell(a) == Cell(b); want distinct state per key")
	}
	if !l.Cell("a").Admit(t0).Allowed || !l.Cell("b").Admit(t0).Allowed {
		t.Errorf("first request of each key rejected; want keys isolated")
	}
	if l.Cell("a").Admit(t0).Allowed {
		t.Errorf("second request of key a admitted; want rejected")
	}
	if got := l.Len(); got != 2 {
		t.Errorf("Len() = %d; want 2", got)
	}
}

func TestAdmitConcurrent(t *testing.T) {
	for _, f := range allFamilies {
		t.Run(f.String(), func(t *testing.T) {
			perSec := mustNew(t, Config{Family: f, Limit: 50, Window: time.Second})
			global := mustNew(t, Config{Family: FixedWindow, Limit: 30, Window: time.Minute})
			var admitted atomic.Int64
			var wg sync.WaitGroup
			for range 100 {
				wg.Go(func() { // exits after its 10 requests
					out := make([]Decision, 2)
					for range 10 {
						cells := []*Cell{perSec.Cell("k"), global.Cell("")}
						if Admit(t0, cells, out) {
							admitted.Add(1)
						}
					}
				})
			}
			wg.Wait()
			if got := admitted.Load(); got != 30 {
				t.Errorf("admitted %d of 1000 concurrent requests; want exactly 30 (the global limit)", got)
			}
			if d := perSec.Cell("k").Peek(t0); d.Remaining != 50-30-1 {
				t.Errorf("per-second Remaining after 30 admitted = %d; want %d (rejections charge nothing)", d.Remaining, 50-30-1)
			}
		})
	}
}
