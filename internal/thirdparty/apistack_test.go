package thirdparty

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/go-chi/httprate"
	"github.com/labstack/echo/v4"
	echomw "github.com/labstack/echo/v4/middleware"
	ulule "github.com/ulule/limiter/v3"
	ulstdlib "github.com/ulule/limiter/v3/drivers/middleware/stdlib"
	ulmemory "github.com/ulule/limiter/v3/drivers/store/memory"
	xrate "golang.org/x/time/rate"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/internal/longtest"
	"github.com/ratecheck/ratecheck/scenarios"
)

// stackScenario is the docs of a small API as a team would write them:
// 20 requests per second per API key (X-API-KEY), the usage endpoint not
// counted, the admin endpoint for keys with the admin scope, signup open to
// all; errors in one JSON envelope; the limit's algorithm and the headers
// section as its limiter's docs state them (stackLimiter).
const stackScenario = `name: api-stack
target: http://127.0.0.1
auth:
  header: X-API-KEY
  keys:
    primary: ${STACK_KEY}
    second: {env: "${STACK_KEY_2}", scopes: [read]}
endpoints:
  - {name: items, path: /v1/items}
  - {name: usage, path: /v1/usage}
  - {name: admin, method: POST, path: /v1/admin, scopes: [admin]}
  - {name: signup, method: POST, path: /v1/signup, auth: none}
errors:
  401: &envelope
    body: {success: false, error: {code: string, message: string}}
  403: *envelope
  429: *envelope
limits:
  - name: per-second
    requests: 20
    window: 1s
    recovery: 1s
    scope: key
    algorithm: %s
    exclude: [usage]
%s`

// stackLimiter is a limiter library an API stack is built on: its
// middleware keyed by key, answering limited requests with limited, and
// what its docs say of it.
type stackLimiter struct {
	name      string
	algorithm string // the scenario's
	headers   string // the scenario's headers section
	print     string // how the fingerprint begins
	limit     func(key func(*http.Request) string, limited http.HandlerFunc) func(http.Handler) http.Handler
}

// stackLimiters are the libraries the stacks are built on: a
// sliding-window counter with approximate headers and Retry-After, and a
// fixed window with exact ones.
var stackLimiters = []stackLimiter{
	{
		name: "httprate", algorithm: "sliding-window", print: "sliding-window counter, 20 per 1s",
		headers: `headers:
  convention: x-ratelimit
  reset_format: epoch-seconds # the end of the current counting window
  retry_after: true           # the window length, on 429
  accuracy: approximate       # Remaining is the limit minus a weighted estimate
  staleness: 1s
`,
		limit: func(key func(*http.Request) string, limited http.HandlerFunc) func(http.Handler) http.Handler {
			return httprate.LimitBy(20, time.Second, func(r *http.Request) (string, error) { return key(r), nil }, httprate.WithLimitHandler(limited))
		},
	},
	{
		name: "ulule", algorithm: "fixed-window", print: "fixed window, 20 per 1s, first-request-aligned",
		headers: `headers:
  convention: x-ratelimit
  reset_format: epoch-seconds # the window's expiry, floored to the second
`,
		limit: func(key func(*http.Request) string, limited http.HandlerFunc) func(http.Handler) http.Handler {
			store := ulmemory.NewStoreWithOptions(ulule.StoreOptions{Prefix: "stack"}) // no cleaner goroutine
			lim := ulule.New(store, ulule.Rate{Period: time.Second, Limit: 20})
			return ulstdlib.NewMiddleware(lim, ulstdlib.WithKeyGetter(key), ulstdlib.WithLimitReachedHandler(ulstdlib.LimitReachedHandler(limited))).Handler
		},
	},
}

// stackKeys are the API's keys and the scopes of each; the key ids of
// stackScenario map to them.
var (
	stackKeys   = map[string][]string{"kp-7f3a": {"read", "admin"}, "k2-91c4": {"read"}}
	stackKeyIDs = map[string]string{"primary": "kp-7f3a", "second": "k2-91c4"}
)

// stackMistake is how an API stack departs from its docs, as teams get it
// wrong in production.
type stackMistake string

const (
	stackCorrect stackMistake = "correct"
	// stackKeyedByIP: the limiter keys by client address, the library's
	// default, so two keys from one address share one budget.
	stackKeyedByIP stackMistake = "keyed-by-ip"
	// stackUsageLimited: the usage endpoint is mounted behind the limiter
	// with the others, so it spends the budget the docs say it does not.
	stackUsageLimited stackMistake = "usage-limited"
	// stackLimitFirst: the limiter runs before authentication, keyed by
	// the X-API-KEY value as sent. Refused requests (no key, an unknown
	// one) spend budgets of their own, never a real key's: nothing the docs
	// promise is broken, and nothing may fail.
	stackLimitFirst stackMistake = "limit-before-auth"
)

// apiStack is the API of stackScenario built the way Go teams build one:
// net/http's mux, an authentication middleware of its own, and lib's
// middleware keyed by API key, with the limit and error responses in the
// API's JSON envelope.
func apiStack(lib stackLimiter, m stackMistake) http.Handler {
	key := func(r *http.Request) string { return r.Header.Get("X-API-KEY") }
	if m == stackKeyedByIP {
		key = func(r *http.Request) string {
			ip, _ := clientIP(r)
			return ip
		}
	}
	limit := lib.limit(key, func(w http.ResponseWriter, _ *http.Request) {
		envelope(w, http.StatusTooManyRequests, "RATE_LIMITED", "too many requests: 20 per second per key")
	})
	guard := func(scope string, h http.Handler) http.Handler {
		if m == stackLimitFirst {
			return limit(authenticate(scope, h))
		}
		return authenticate(scope, limit(h))
	}
	mux := http.NewServeMux()
	mux.Handle("GET /v1/items", guard("read", okHandler))
	mux.Handle("POST /v1/admin", guard("admin", okHandler))
	if m == stackUsageLimited {
		mux.Handle("GET /v1/usage", guard("read", okHandler))
	} else {
		mux.Handle("GET /v1/usage", authenticate("read", okHandler))
	}
	mux.Handle("POST /v1/signup", okHandler)
	return mux
}

// authenticate admits requests whose X-API-KEY is a known key with scope:
// 401 without a key or with an unknown one, 403 without the scope.
func authenticate(scope string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scopes, ok := stackKeys[r.Header.Get("X-API-KEY")]
		switch {
		case !ok:
			envelope(w, http.StatusUnauthorized, "UNAUTHORIZED", "a valid X-API-KEY is required")
		case !slices.Contains(scopes, scope):
			envelope(w, http.StatusForbidden, "FORBIDDEN", "this key lacks the "+scope+" scope")
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// envelope writes the API's error body.
func envelope(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"success": false, "error": map[string]string{"code": code, "message": message}})
}

// stackChecks are the contract checks every stack run judges: a correct
// stack passes each of them.
var stackChecks = []check.ID{check.LimitPerKey, check.LimitExcluded, check.BodyErrorFormat,
	check.AuthMissingKey, check.AuthInvalidKey, check.AuthScope, check.AuthNotCounted}

// stackRuns is the API stack on each limiter, correct and with each
// mistake: a correct one passes every check of its docs, a mistaken one
// fails exactly its own.
func stackRuns(t *testing.T) []*run {
	var runs []*run
	for _, lib := range stackLimiters {
		for _, c := range []struct {
			m     stackMistake
			fails check.ID
		}{
			{stackCorrect, ""}, {stackLimitFirst, ""},
			{stackKeyedByIP, check.LimitPerKey}, {stackUsageLimited, check.LimitExcluded},
		} {
			want := allPass.with(expect{})
			for _, id := range stackChecks {
				want[id] = check.Pass
			}
			if c.fails != "" {
				want[c.fails] = check.Fail
			}
			runs = append(runs, &run{
				name: "api-stack-" + lib.name + "/" + string(c.m), scenario: fmt.Sprintf(stackScenario, lib.algorithm, lib.headers), keys: stackKeyIDs,
				want: want, target: serve(t, apiStack(lib, c.m)), print: lib.print,
			})
		}
	}
	return runs
}

// TestAPIStacks runs ratecheck against an API built on a real limiter's
// middleware with its own authentication, per-key limit and excluded
// endpoint, as its docs state them (stackScenario): the contract checks
// (isolation, exclusion, auth, error bodies) judged against a real
// limiter, not only the reference target.
func TestAPIStacks(t *testing.T) {
	longtest.Skip(t, "eight runs of an API's contract against httprate and ulule/limiter behind its own auth, about 25 s")
	t.Parallel()
	runs := stackRuns(t)
	executeAll(t, runs)
	for _, r := range runs {
		t.Run(r.name, r.judge)
	}
}

// perIPRuns are limits per client address judged with a second client
// from 127.0.0.2, as `ratecheck run` sends against a loopback target:
// httprate and ulule keyed by address (their default) keep the clients
// apart; httprate keyed by a constant (Key("*"), a limit meant per client
// shipped global) makes them share one budget, which limit.per-ip fails.
func perIPRuns(t *testing.T) []*run {
	want := allPass.with(expect{check.LimitPerIP: check.Pass})
	shared := allPass.with(expect{check.LimitPerIP: check.Fail})
	// F9 (docs/findings.md): in 1 of the matrix script's 10 runs, at its
	// load, both httprate cases were judged against the sliding log, which
	// the counter's approximation violates (limit.enforced and
	// limit.no-early-reject failed).
	f9 := "F9: under load the sliding-window fit loses the counter for the log"
	counterBugs := map[check.ID]string{check.LimitEnforced: f9, check.LimitNoEarlyReject: f9}
	return []*run{
		{name: "httprate-per-ip/declared", contract: libraries[0].contract, want: want, secondSource: true, bugs: counterBugs,
			target: serve(t, httprateHandler(t)), print: libraries[0].print},
		{name: "ulule-per-ip/declared", contract: libraries[1].contract, want: want, secondSource: true,
			target: serve(t, ululeHandler(t)), print: libraries[1].print},
		{name: "httprate-global-for-per-ip/declared", contract: libraries[0].contract, want: shared, secondSource: true, bugs: counterBugs,
			target: serve(t, httprate.LimitBy(20, time.Second, httprate.Key("*"))(okHandler))},
		// labstack/echo's RateLimiter: x/time/rate per client address.
		{name: "echo-per-ip/declared", contract: contract{algorithm: scenarios.AlgoTokenBucket, burst: 20, scope: "ip"}, want: want, secondSource: true,
			target: serve(t, echoLimited(20, 20)), print: "token bucket, burst 20, refill 20/s:"},
		// Configured with a burst of 1, as NewRateLimiterMemoryStore gives
		// a rate of 1 (for "60 per minute"): it smooths, and refuses all
		// but one of the other address's burst too. One defect:
		// limit.no-early-reject fails, limit.per-ip points to it (it
		// failed "the clients share one budget" before).
		{name: "echo-burst-1/any", contract: contract{algorithm: scenarios.AlgoAny, scope: "ip"}, secondSource: true,
			want:   expect{check.LimitNoEarlyReject: check.Fail, check.LimitPerIP: passOrSkip},
			target: serve(t, echoLimited(20, 1))},
	}
}

// echoLimited is an echo server limited by its RateLimiter middleware with
// the in-memory store: rate a second and burst per client address (echo's
// RealIP), 429 beyond.
func echoLimited(rate float64, burst int) http.Handler {
	e := echo.New()
	store := echomw.NewRateLimiterMemoryStoreWithConfig(echomw.RateLimiterMemoryStoreConfig{
		Rate: xrate.Limit(rate), Burst: burst, ExpiresIn: time.Minute})
	e.Use(echomw.RateLimiter(store))
	e.GET("/*", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]bool{"ok": true}) })
	return e
}

// TestPerIPLimiters runs perIPRuns, all at once.
func TestPerIPLimiters(t *testing.T) {
	longtest.Skip(t, "three runs of a per-IP limit from two loopback addresses, about 10 s")
	t.Parallel()
	if libraries[0].name != "httprate" || libraries[1].name != "ulule" {
		t.Fatalf("libraries begin %s, %s; want httprate, ulule", libraries[0].name, libraries[1].name)
	}
	runs := perIPRuns(t)
	executeAll(t, runs)
	for _, r := range runs {
		t.Run(r.name, r.judge)
	}
}
