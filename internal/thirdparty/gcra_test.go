package thirdparty

import (
	"math"
	"net/http"
	"strconv"
	"testing"

	"github.com/go-redis/redis_rate/v10"
	"github.com/throttled/throttled/v2"
	"github.com/throttled/throttled/v2/store/goredisstore.v9"
	"github.com/throttled/throttled/v2/store/memstore"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/internal/longtest"
	"github.com/ratecheck/ratecheck/scenarios"
)

// The GCRA limiters: throttled/throttled (its own HTTP middleware, on its
// memory store and on Redis) and go-redis/redis_rate (a Lua script on Redis,
// behind the handler its README's Allow call suggests). Both are a bucket of
// burst requests refilled one per period/rate; a rejection charges nothing.

// throttledQuota is 20 per second with a burst of 20: throttled's MaxBurst
// counts the requests beyond the first, so 19 lets 20 through at once.
var throttledQuota = throttled.RateQuota{MaxRate: throttled.PerSec(20), MaxBurst: 19}

// throttledHandler is throttled's HTTPRateLimiterCtx over store, varying by
// the client's IP. It sends X-RateLimit-Limit (the burst),
// X-RateLimit-Remaining, X-RateLimit-Reset (seconds, rounded up, until the
// bucket is full again) and, on 429, Retry-After (seconds, rounded up, until
// the next request is allowed).
func throttledHandler(t *testing.T, store throttled.GCRAStoreCtx, quota throttled.RateQuota) http.Handler {
	t.Helper()
	lim, err := throttled.NewGCRARateLimiterCtx(store, quota)
	if err != nil {
		t.Fatalf("throttled: %v", err)
	}
	mw := throttled.HTTPRateLimiterCtx{RateLimiter: lim, VaryBy: &throttled.VaryBy{RemoteAddr: true}}
	return mw.RateLimit(okHandler)
}

func throttledMemory(t *testing.T, quota throttled.RateQuota) http.Handler {
	t.Helper()
	store, err := memstore.NewCtx(65536)
	if err != nil {
		t.Fatalf("throttled memstore: %v", err)
	}
	return throttledHandler(t, store, quota)
}

func throttledRedis(t *testing.T) http.Handler {
	t.Helper()
	store, err := goredisstore.NewCtx(startRedis(t), "ratecheck:")
	if err != nil {
		t.Fatalf("throttled goredisstore: %v", err)
	}
	return throttledHandler(t, store, throttledQuota)
}

// redisRateHandler is go-redis/redis_rate's Allow per client IP, with the
// headers an API writes from its Result: X-RateLimit-Limit, -Remaining,
// -Reset (seconds until the bucket is full again, rounded up) and
// Retry-After on 429.
func redisRateHandler(t *testing.T, limit redis_rate.Limit) http.Handler {
	lim := redis_rate.NewLimiter(startRedis(t))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip, err := clientIP(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		res, err := lim.Allow(r.Context(), ip, limit)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		h := w.Header()
		h.Set("X-RateLimit-Limit", strconv.Itoa(limit.Burst))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(res.Remaining))
		h.Set("X-RateLimit-Reset", strconv.Itoa(int(math.Ceil(res.ResetAfter.Seconds()))))
		if res.Allowed == 0 {
			h.Set("Retry-After", strconv.Itoa(int(math.Ceil(res.RetryAfter.Seconds()))))
			http.Error(w, "rate limit exceeded", http.StatusTooManyRequests)
			return
		}
		okHandler(w, r)
	})
}

// gcraContract is what an API behind either limiter documents: 20 per
// second as a GCRA with a burst of 20, the headers in seconds from now.
var gcraContract = contract{algorithm: scenarios.AlgoGCRA, burst: 20, scope: "ip", headers: `headers:
  convention: x-ratelimit
  reset_format: delta-seconds # until the bucket is full again, rounded up
  retry_after: true           # until the next request is allowed, rounded up
`}

var gcraFacts = headerFacts{spec: headers.Spec{Convention: headers.ConventionXRateLimit, ResetFormat: headers.ResetDeltaSeconds},
	limit: 20, remaining: reads, reset: reads, retryAfter: reads}

// gcraRuns is each GCRA limiter against its declared contract and against
// the open promise, and the mistakes made configuring them: throttled's
// MaxBurst taken for the burst (21 admitted at once), and redis_rate's
// PerSecond(20) under a promise of 20 per second with a burst of 10.
func gcraRuns(t *testing.T) []*run {
	// A GCRA decides as a token bucket of the same burst and rate does; the
	// fingerprint names the family by its decisions.
	const print = "token bucket, burst 20, refill 20/s:"
	burst21 := throttled.RateQuota{MaxRate: throttled.PerSec(20), MaxBurst: 20}
	burst10 := gcraContract
	burst10.burst = 10
	return []*run{
		{name: "throttled/declared", contract: gcraContract, want: allPass, facts: &gcraFacts, print: print,
			target: serve(t, throttledMemory(t, throttledQuota))},
		{name: "throttled/any", contract: gcraContract.asAny(), want: allPass, facts: &gcraFacts,
			target: serve(t, throttledMemory(t, throttledQuota))},
		// Under a burst its Redis store's compare-and-swap may give up
		// (after 10 attempts) and the middleware answers 500 (throttled's
		// DefaultError): requests over the limit then get 500, not 429, and
		// limit.status rightly fails ("15 of 281 limited requests got 500",
		// 1 of 5 matrix runs of 2026-12-07, with 53 runs sending at once).
		// With 72 runs at once, 3 of 10 answered so many 500s that the
		// attack backed off, rightly.
		{name: "throttled-redis/declared", contract: gcraContract, want: allPass.with(expect{check.LimitStatus: passOrFail}), facts: &gcraFacts, print: print,
			failsUnderLoad: "throttled's Redis store gives up its compare-and-swap under load and answers 500",
			target:         serve(t, throttledRedis(t))},
		{name: "redis-rate/declared", contract: gcraContract, want: allPass, facts: &gcraFacts, print: print,
			target: serve(t, redisRateHandler(t, redis_rate.PerSecond(20)))},
		{name: "redis-rate/any", contract: gcraContract.asAny(), want: allPass, facts: &gcraFacts,
			target: serve(t, redisRateHandler(t, redis_rate.PerSecond(20)))},
		// MaxBurst 20 is a bucket of 21: the 21st request of a burst is
		// admitted, and X-RateLimit-Limit says 21.
		{name: "throttled-maxburst-20/declared", contract: gcraContract,
			target: serve(t, throttledMemory(t, burst21)),
			want: expect{check.LimitEnforced: check.Fail, check.HeadersLimit: check.Fail,
				check.HeadersRemaining: passOrFail}},
		// PerSecond(20) is a burst of 20 where the docs promise 10: ten
		// requests of a burst too many. X-RateLimit-Limit states the 20 per
		// second the docs promise too, and is right.
		{name: "redis-rate-burst-20-for-10/declared", contract: burst10,
			target: serve(t, redisRateHandler(t, redis_rate.PerSecond(20))),
			want:   expect{check.LimitEnforced: check.Fail, check.HeadersRemaining: passOrFail}},
	}
}

// TestGCRALimiters runs ratecheck against throttled and redis_rate.
func TestGCRALimiters(t *testing.T) {
	longtest.Skip(t, "seven runs of a 20/s plan against throttled and redis_rate")
	t.Parallel()
	runs := gcraRuns(t)
	executeAll(t, runs)
	for _, r := range runs {
		t.Run(r.name, r.judge)
	}
}
