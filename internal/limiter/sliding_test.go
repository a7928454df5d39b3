package limiter

import (
	"testing"
	"time"
)

func TestSlidingLog(t *testing.T) {
	cfg := Config{Family: SlidingLog, Limit: 3, Window: time.Second}
	runSteps(t, cfg, []step{
		ok(0, 2, 1000*ms), // reset: the newest admission leaves the window
		ok(400*ms, 1, 1400*ms),
		ok(800*ms, 0, 1800*ms),
		no(900*ms, 100*ms),      // the request at 0 leaves at 1000
		ok(1000*ms, 0, 2000*ms), // (0, 1000] holds 400, 800 and this one
		no(1100*ms, 300*ms),     // the request at 400 leaves at 1400
		no(1399*ms, 1*ms),
		ok(1400*ms, 0, 2400*ms),
		ok(3000*ms, 2, 4000*ms), // everything left
	})
}

func TestSlidingLogRetryAfterSkipsToTheRightEntry(t *testing.T) {
	// With 2 admitted at 0 and 1 at 500 (limit 3), a burst at 600 must wait for
	// both admissions at 0 to leave: the first one rejected waits 400 ms.
	cfg := Config{Family: SlidingLog, Limit: 3, Window: time.Second}
	runSteps(t, cfg, []step{
		ok(0, 2, 1000*ms),
		ok(0, 1, 1000*ms),
		ok(500*ms, 0, 1500*ms),
		no(600*ms, 400*ms),
		ok(1000*ms, 1, 2000*ms),
		ok(1000*ms, 0, 2000*ms),
		no(1000*ms, 500*ms),
	})
}

func TestSlidingLogCompactsLongLogs(t *testing.T) {
	c := mustNew(t, Config{Family: SlidingLog, Limit: 5000, Window: time.Second}).Cell("")
	admitted := 0
	for i := range 20000 {
		if c.Admit(t0.Add(time.Duration(i) * 100 * time.Microsecond)).Allowed {
			admitted++
		}
	}
	// 10000 requests per second against 5000 per second for 2 s.
	if admitted != 10000 {
		t.Errorf("admitted %d of 20000 requests over 2 s; want 10000", admitted)
	}
	if s := c.m.(*slidingLog); cap(s.log) > 4*5000 {
		t.Errorf("log capacity %d; want at most %d (old entries are dropped)", cap(s.log), 4*5000)
	}
}

func TestSlidingCounter(t *testing.T) {
	cfg := Config{Family: SlidingCounter, Limit: 10, Window: time.Second}
	tests := []struct {
		name  string
		steps []step
	}{
		{"previous window weighs by its overlap", cat(
			burst(0, 10, 10, fixed(2*time.Second)),
			// at 1.000 s the previous 10 weigh fully: ⌈10·1000/1000⌉ = 10.
			[]step{no(1000*ms, 100*ms)},
			// at 1.100 s they weigh ⌈10·900/1000⌉ = 9: one more fits.
			[]step{ok(1100*ms, 0, 3000*ms)},
			// now curr = 1: k = 10−1−1 = 8, admitted from e = 1000 − 800 = 200 ms.
			[]step{no(1100*ms, 100*ms), no(1150*ms, 50*ms), ok(1200*ms, 0, 3000*ms)},
		)},
		{"rounding up the weighted count", cat(
			burst(0, 10, 10, fixed(2*time.Second)),
			// at 1.150 s: ⌈10·850/1000⌉ = ⌈8.5⌉ = 9, so only one fits.
			[]step{ok(1150*ms, 0, 3000*ms), no(1150*ms, 50*ms)},
		)},
		{"full current window waits into the next one", cat(
			burst(0, 10, 10, fixed(2*time.Second)),
			// curr = 10 = limit: next window, prev' = 10, admitted from e' = 1000 − ⌊9000/10⌋ = 100.
			[]step{no(500*ms, 600*ms)},
		)},
		{"older windows are forgotten", cat(
			burst(0, 10, 10, fixed(2*time.Second)),
			burst(2500*ms, 10, 10, fixed(4*time.Second)),
		)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { runSteps(t, cfg, tt.steps) })
	}
}

func TestSlidingCounterRemainingCountsWeightedPrevious(t *testing.T) {
	c := mustNew(t, Config{Family: SlidingCounter, Limit: 10, Window: time.Second}).Cell("")
	for range 4 {
		c.Admit(t0)
	}
	// At 1.500 s the 4 previous weigh ⌈4·500/1000⌉ = 2: 10−2 = 8 remain, 7 after this one.
	d := c.Admit(t0.Add(1500 * ms))
	if !d.Allowed || d.Remaining != 7 || !d.ResetAt.Equal(t0.Add(3*time.Second)) {
		t.Errorf("Admit(t0+1.5s) = %+v; want allowed, Remaining 7, ResetAt t0+3s", d)
	}
}
