package limiter

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// randomSchedule returns n request times from t0, in bursts and gaps around window.
func randomSchedule(seed uint64, n int, window time.Duration) []time.Time {
	r := rand.New(rand.NewPCG(seed, 7))
	at := t0.Add(time.Duration(r.Int64N(int64(window))))
	out := make([]time.Time, 0, n)
	for range n {
		switch r.IntN(4) {
		case 0: // same instant
		case 1:
			at = at.Add(time.Duration(r.Int64N(int64(window) / 10)))
		case 2:
			at = at.Add(time.Duration(r.Int64N(int64(window))))
		default:
			at = at.Add(time.Duration(r.Int64N(1000)))
		}
		out = append(out, at)
	}
	return out
}

func randomBucketConfig(seed uint64) Config {
	r := rand.New(rand.NewPCG(seed, 11))
	return Config{
		Limit:  1 + r.Int64N(20),
		Window: time.Duration(1+r.Int64N(3000)) * ms,
		Burst:  1 + r.Int64N(20),
	}
}

// replay admits times[:n] on a fresh cell of cfg and returns the cell.
func replay(t *testing.T, cfg Config, times []time.Time) *Cell {
	c := mustNew(t, cfg).Cell("")
	for _, at := range times {
		c.Admit(at)
	}
	return c
}

// TestDecisionsKeepTheirWord checks every family against the meaning of a
// Decision, without knowing the algorithm: after a rejection, a request at
// now+RetryAfter is admitted and one a nanosecond earlier is not; after any
// decision, exactly Remaining more requests are admitted at the same instant.
func TestDecisionsKeepTheirWord(t *testing.T) {
	for _, f := range allFamilies {
		t.Run(f.String(), func(t *testing.T) {
			for seed := range uint64(8) {
				cfg := randomBucketConfig(seed)
				cfg.Family = f
				times := randomSchedule(seed, 60, cfg.Window)
				c := mustNew(t, cfg).Cell("")
				for i, at := range times {
					d := c.Admit(at)
					checkRemaining(t, cfg, times[:i+1], d)
					if !d.Allowed {
						checkRetryAfter(t, cfg, times[:i+1], d)
					}
				}
			}
		})
	}
}

func checkRemaining(t *testing.T, cfg Config, times []time.Time, d Decision) {
	t.Helper()
	at := times[len(times)-1]
	c := replay(t, cfg, times)
	for k := range d.Remaining {
		if e := c.Admit(at); !e.Allowed {
			t.Fatalf("%v: decision %+v at request %d, but extra request %d was rejected", cfg, d, len(times), k+1)
		}
	}
	if e := c.Admit(at); e.Allowed {
		t.Fatalf("%v: decision %+v at request %d, but request %d more was admitted", cfg, d, len(times), d.Remaining+1)
	}
}

func checkRetryAfter(t *testing.T, cfg Config, times []time.Time, d Decision) {
	t.Helper()
	at := times[len(times)-1]
	if d.RetryAfter <= 0 || !d.ResetAt.Equal(at.Add(d.RetryAfter)) {
		t.Fatalf("%v: rejected decision %+v: want RetryAfter > 0 and ResetAt = now+RetryAfter", cfg, d)
	}
	before := replay(t, cfg, times).Peek(at.Add(d.RetryAfter - 1))
	after := replay(t, cfg, times).Peek(at.Add(d.RetryAfter))
	if before.Allowed || !after.Allowed {
		t.Fatalf("%v: rejected with RetryAfter %v at request %d, but Peek 1ns before = %v, at = %v",
			cfg, d.RetryAfter, len(times), before.Allowed, after.Allowed)
	}
}

// TestSlidingLogMatchesDefinition compares the sliding log with a count of the
// admitted requests in (t−W, t], computed naively.
func TestSlidingLogMatchesDefinition(t *testing.T) {
	for seed := range uint64(10) {
		cfg := randomBucketConfig(seed)
		cfg.Family = SlidingLog
		c := mustNew(t, cfg).Cell("")
		var admitted []time.Time
		for i, at := range randomSchedule(seed, 400, cfg.Window) {
			n := int64(0)
			for _, a := range admitted {
				if a.After(at.Add(-cfg.Window)) {
					n++
				}
			}
			want := n < cfg.Limit
			if got := c.Admit(at).Allowed; got != want {
				t.Fatalf("seed %d request %d: Allowed = %v; want %v (%d admitted in the last %v, limit %d)",
					seed, i, got, want, n, cfg.Window, cfg.Limit)
			}
			if want {
				admitted = append(admitted, at)
			}
		}
	}
}

// TestFixedWindowMatchesDefinition compares both fixed windows with naive counts.
func TestFixedWindowMatchesDefinition(t *testing.T) {
	for seed := range uint64(10) {
		cfg := randomBucketConfig(seed)
		times := randomSchedule(seed, 400, cfg.Window)
		cfg.Family = FixedWindow
		clock := mustNew(t, cfg).Cell("")
		cfg.Family = FixedWindowFirst
		first := mustNew(t, cfg).Cell("")
		counts := map[int64]int64{}
		var start time.Time
		var n int64
		for i, at := range times {
			w := at.UnixNano() / int64(cfg.Window)
			want := counts[w] < cfg.Limit
			if got := clock.Admit(at).Allowed; got != want {
				t.Fatalf("seed %d request %d: clock-aligned Allowed = %v; want %v", seed, i, got, want)
			}
			if want {
				counts[w]++
			}
			if !start.IsZero() && at.Sub(start) >= cfg.Window {
				start, n = time.Time{}, 0
			}
			want = n < cfg.Limit
			if got := first.Admit(at).Allowed; got != want {
				t.Fatalf("seed %d request %d: first-aligned Allowed = %v; want %v", seed, i, got, want)
			}
			if want && start.IsZero() {
				start = at
			}
			if want {
				n++
			}
		}
	}
}

func TestClockSteppingBackIsClamped(t *testing.T) {
	for _, f := range allFamilies {
		c := mustNew(t, Config{Family: f, Limit: 1, Window: time.Second}).Cell("")
		c.Admit(t0.Add(10 * time.Second))
		// A clock that steps back must not reopen the window or refill the bucket.
		if d := c.Admit(t0); d.Allowed {
			t.Errorf("%v: Admit after the clock stepped back = %+v; want rejected", f, d)
		}
	}
}

func TestFamilyNames(t *testing.T) {
	for _, f := range allFamilies {
		got, err := ParseFamily(f.String())
		if err != nil || got != f {
			t.Errorf("ParseFamily(%q) = %v, %v; want %v", f.String(), got, err, f)
		}
	}
	if _, err := ParseFamily("bogus"); err == nil {
		t.Errorf("ParseFamily(bogus) = nil error; want an error")
	}
	if got := Family(99).String(); got != "family(99)" {
		t.Errorf("Family(99).String() = %q; want family(99)", got)
	}
	if !slices.Equal(bucketFamilies, slices.DeleteFunc(slices.Clone(allFamilies), func(f Family) bool { return !f.Bucket() })) {
		t.Errorf("Bucket() disagrees with the bucket families %v", bucketFamilies)
	}
}
