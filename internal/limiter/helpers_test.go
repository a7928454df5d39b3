package limiter

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// t0 is a multiple of every window under a minute used in the tests.
var t0 = time.Unix(1_700_000_040, 0)

const ms = time.Millisecond

// step is one request of a scripted sequence and the decision it must get.
// For a rejected request the wanted ResetAt is at+retry.
type step struct {
	at      time.Duration // offset from t0
	allowed bool
	rem     int64
	reset   time.Duration // offset from t0; allowed requests only
	retry   time.Duration // rejected requests only
}

func ok(at time.Duration, rem int64, reset time.Duration) step {
	return step{at: at, allowed: true, rem: rem, reset: reset}
}

func no(at, retry time.Duration) step {
	return step{at: at, retry: retry}
}

func (s step) want(capacity int64) Decision {
	if s.allowed {
		return Decision{Allowed: true, Limit: capacity, Remaining: s.rem, ResetAt: t0.Add(s.reset)}
	}
	return Decision{Limit: capacity, ResetAt: t0.Add(s.at + s.retry), RetryAfter: s.retry}
}

func mustNew(t *testing.T, cfg Config) *Limiter {
	t.Helper()
	l, err := New(cfg)
	if err != nil {
		t.Fatalf("New(%+v) = %v", cfg, err)
	}
	return l
}

// runSteps admits each step's request on one fresh cell and compares decisions.
func runSteps(t *testing.T, cfg Config, steps []step) {
	t.Helper()
	c := mustNew(t, cfg).Cell("k")
	for i, s := range steps {
		got := c.Admit(t0.Add(s.at))
		if diff := cmp.Diff(s.want(cfg.Capacity()), got); diff != "" {
			t.Errorf("step %d: Admit(t0+%v) mismatch (-want +got):\n%s", i, s.at, diff)
		}
	}
}

// burst returns n steps at the same instant with Remaining counting down from n-1... to
// n-count, all resetting at reset.
func burst(at time.Duration, count int, capacity int64, reset func(i int) time.Duration) []step {
	var out []step
	for i := range count {
		out = append(out, ok(at, capacity-int64(i)-1, reset(i)))
	}
	return out
}

func fixed(d time.Duration) func(int) time.Duration { return func(int) time.Duration { return d } }

func cat(parts ...[]step) []step {
	var out []step
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
