package thirdparty

import (
	"net/http"
	"testing"
	"time"

	ulule "github.com/ulule/limiter/v3"
	ulstdlib "github.com/ulule/limiter/v3/drivers/middleware/stdlib"
	ulmemory "github.com/ulule/limiter/v3/drivers/store/memory"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/internal/longtest"
)

// layeredScenario is the docs' promise of two limits, one above the other:
// "each API key may make 10 requests per second; all keys together, 15".
// One key never reaches the 15: its own 10 stop it first. The overall
// limit's run (plan.TestableLimits) sends from the three keys at once.
const layeredScenario = `name: layered
target: http://127.0.0.1
auth:
  header: X-API-Key
  keys:
    a: ${LAYERED_KEY_A}
    b: ${LAYERED_KEY_B}
    c: ${LAYERED_KEY_C}
endpoints:
  - name: items
    path: /items
limits:
  - name: per-key
    requests: 10
    window: 1s
    scope: key
    algorithm: fixed-window
  - name: overall
    requests: 15
    window: 1s
    scope: global
    algorithm: fixed-window
headers:
  convention: none
`

var layeredKeys = map[string]string{"a": "la-11", "b": "lb-22", "c": "lc-33"}

// layered is an API with ulule/limiter twice, as such docs are deployed:
// an overall limiter keyed by a constant, then one keyed by the API key,
// each with its own memory store; 401 for a missing or unknown key. An
// overall limit of 0 leaves it out (the mistake of a deployment that
// forgot it); perKeyOverall keys the overall limiter by API key too (the
// mistake of a copied configuration).
func layered(overall int64, perKeyOverall bool) http.Handler {
	known := map[string]bool{}
	for _, v := range layeredKeys {
		known[v] = true
	}
	limited := func(prefix string, n int64, key func(*http.Request) string, h http.Handler) http.Handler {
		store := ulmemory.NewStoreWithOptions(ulule.StoreOptions{Prefix: prefix})
		return ulstdlib.NewMiddleware(ulule.New(store, ulule.Rate{Period: time.Second, Limit: n}),
			ulstdlib.WithKeyGetter(key)).Handler(h)
	}
	byKey := func(r *http.Request) string { return r.Header.Get("X-API-Key") }
	var h http.Handler = limited("per-key", 10, byKey, okHandler)
	if overall > 0 {
		key := func(*http.Request) string { return "all" }
		if perKeyOverall {
			key = byKey
		}
		h = limited("overall", overall, key, h)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !known[r.Header.Get("X-API-Key")] {
			http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// layeredRuns test both limits, each in its run. Before the overall
// limit's run sent from several keys, the scenario had one run, of the
// per-key limit, and an API without the overall limit passed.
func layeredRuns(t *testing.T) []*run {
	both := func(name string, h func() http.Handler, overall expect) []*run {
		return []*run{
			{name: name + "/per-key", scenario: layeredScenario, keys: layeredKeys, want: allPass, target: serve(t, h())},
			{name: name + "/overall", scenario: layeredScenario, keys: layeredKeys, limit: "overall", want: overall, target: serve(t, h())},
		}
	}
	var runs []*run
	runs = append(runs, both("layered", func() http.Handler { return layered(15, false) }, allPass)...)
	runs = append(runs, both("layered-no-overall", func() http.Handler { return layered(0, false) },
		expect{check.LimitEnforced: check.Fail})...)
	runs = append(runs, both("layered-overall-per-key", func() http.Handler { return layered(15, true) },
		expect{check.LimitEnforced: check.Fail})...)
	runs = append(runs, both("layered-overall-16", func() http.Handler { return layered(16, false) },
		allPass.with(expect{check.LimitEnforced: check.Fail}))...)
	return runs
}

// TestLayeredLimits runs layeredRuns, all at once.
func TestLayeredLimits(t *testing.T) {
	longtest.Skip(t, "eight runs of a per-key limit under an overall one, about 20 s")
	t.Parallel()
	runs := layeredRuns(t)
	executeAll(t, runs)
	for _, r := range runs {
		t.Run(r.name, r.judge)
	}
}
