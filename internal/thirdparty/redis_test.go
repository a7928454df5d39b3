package thirdparty

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	libredis "github.com/redis/go-redis/v9"
	ulule "github.com/ulule/limiter/v3"
	ulstdlib "github.com/ulule/limiter/v3/drivers/middleware/stdlib"
	ulredis "github.com/ulule/limiter/v3/drivers/store/redis"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/internal/longtest"
	"github.com/ratecheck/ratecheck/scenarios"
)

// startRedis runs miniredis on loopback for the test's lifetime and returns a
// client of it whose commands see the real clock. miniredis decreases TTLs
// only when told (FastForward), so the client's hook first moves miniredis's
// clock on by the real time passed since the last command: keys expire when
// they would on a real Redis, as seen by every command.
func startRedis(t *testing.T) *libredis.Client {
	t.Helper()
	m := miniredis.RunT(t)
	c := libredis.NewClient(&libredis.Options{Addr: m.Addr()})
	c.AddHook(&realClock{m: m, last: time.Now()})
	t.Cleanup(func() { c.Close() })
	return c
}

// realClock is a go-redis hook that keeps miniredis's TTLs on the real clock.
type realClock struct {
	m    *miniredis.Miniredis
	mu   sync.Mutex
	last time.Time
}

// advance moves miniredis's clock to now.
func (h *realClock) advance() {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := time.Now()
	h.m.FastForward(now.Sub(h.last))
	h.last = now
}

func (h *realClock) DialHook(next libredis.DialHook) libredis.DialHook { return next }

func (h *realClock) ProcessHook(next libredis.ProcessHook) libredis.ProcessHook {
	return func(ctx context.Context, cmd libredis.Cmder) error {
		h.advance()
		return next(ctx, cmd)
	}
}

func (h *realClock) ProcessPipelineHook(next libredis.ProcessPipelineHook) libredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []libredis.Cmder) error {
		h.advance()
		return next(ctx, cmds)
	}
}

// ululeRedisHandler is ulule/limiter with its Redis store (a Lua INCRBY and
// PEXPIRE on the key's first request) and stdlib middleware, limit per second:
// a fixed window that starts at the first request after the key expired,
// counted in Redis, so shared by every instance of the API.
func ululeRedisHandler(t *testing.T, limit int64) http.Handler {
	store, err := ulredis.NewStoreWithOptions(startRedis(t), ulule.StoreOptions{Prefix: "ratecheck"})
	if err != nil {
		t.Fatalf("redis store: %v", err)
	}
	lim := ulule.New(store, ulule.Rate{Period: time.Second, Limit: limit})
	return ulstdlib.NewMiddleware(lim).Handler(okHandler)
}

// ululeRedisContract is what ulule's documentation states: a fixed window of
// 20 per second with X-RateLimit-* headers, Reset in epoch seconds.
var ululeRedisContract = contract{algorithm: scenarios.AlgoFixedWindow, scope: "ip", headers: `headers:
  convention: x-ratelimit
  reset_format: epoch-seconds # the key's expiry, floored to the second
`}

// redisRuns are a Redis-backed limiter configured right, and with two
// mistakes seen in production: a limit one above the promise, and docs that
// promise a Retry-After the middleware never sends.
func redisRuns(t *testing.T) []*run {
	facts := headerFacts{spec: headers.Spec{Convention: headers.ConventionXRateLimit, ResetFormat: headers.ResetEpochSeconds},
		limit: 20, remaining: reads, reset: reads, retryAfter: absent}
	// At a window's end ulule's Redis store takes the expiry from PTTL,
	// and when PTTL is not positive (the key's last millisecond) answers
	// now + period: a request counted in the ending window names the next
	// window's reset. The countdown no longer ties such an answer to the
	// next window (TestHeadersRemainingRaceAtTheEnd; before, 3 runs in 10
	// failed headers.remaining).
	promisesRetryAfter := ululeRedisContract
	promisesRetryAfter.headers += "  retry_after: true # promised by the API's docs; ulule sends none\n"
	return []*run{
		{name: "ulule-redis/declared", contract: ululeRedisContract, want: allPass, facts: &facts,
			target: serve(t, ululeRedisHandler(t, 20))},
		{name: "ulule-redis/any", contract: ululeRedisContract.asAny(), want: allPass, facts: &facts,
			target: serve(t, ululeRedisHandler(t, 20))},
		// Configured with 21 for a promise of 20: it admits one more per
		// window, and says so in X-RateLimit-Limit. limit.enforced must
		// fail, and headers.limit, which reads 21 where 20 is promised.
		// (Finding F11 was limit.enforced passing in some runs, no window
		// judged cleanly but one that showed nothing; not seen in 33 runs
		// since 2026-12-06. A point chain a request late, which hid the
		// 21st admission of every window it kept, is fixed:
		// TestPointFirstRequestFollowsTheServersResets.)
		{name: "ulule-redis-limit-21/declared", contract: ululeRedisContract,
			target: serve(t, ululeRedisHandler(t, 21)),
			want: expect{check.LimitEnforced: check.Fail, check.HeadersLimit: check.Fail,
				check.HeadersRemaining: passOrFail}},
		// F19 (docs/findings.md): under heavy load, headers.remaining once
		// said an admission came before the reset stated with a 0; the
		// cause is not known.
		{name: "ulule-redis-no-retry-after/declared", contract: promisesRetryAfter,
			target: serve(t, ululeRedisHandler(t, 20)),
			want:   allPass.with(expect{check.HeadersRetryAfter: check.Fail}),
			bugs:   map[check.ID]string{check.HeadersRemaining: "F19: under load, an admission seen before the reset stated with a 0, cause unknown"}},
	}
}

// TestRedisLimiters runs ratecheck against limiters that keep their counts in
// Redis (miniredis on loopback), through each library's own middleware.
func TestRedisLimiters(t *testing.T) {
	longtest.Skip(t, "four runs of a 20/s plan against Redis-backed limiters, 13 s")
	t.Parallel()
	runs := redisRuns(t)
	executeAll(t, runs)
	for _, r := range runs {
		t.Run(r.name, r.judge)
	}
}
