package thirdparty

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
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

// nginxLayeredScenario is layeredScenario as buckets, the way nginx's
// limit_req counts: 10 a second per key in bursts of up to 10, 15 a second
// in all in bursts of up to 15.
var nginxLayeredScenario = strings.NewReplacer(
	"name: layered\n", "name: nginx-layered\n",
	"path: /items", "path: "+nginxPath,
	"    scope: key\n    algorithm: fixed-window\n", "    scope: key\n    algorithm: token-bucket\n    burst: 10\n",
	"    scope: global\n    algorithm: fixed-window\n", "    scope: global\n    algorithm: token-bucket\n    burst: 15\n",
).Replace(layeredScenario)

// nginxLayered is nginx with two limit_req zones, by API key and one for
// all, 429 beyond either, and 401 for a key it does not know;
// overall is the overall zone's rate a second (its burst 14, a bucket of
// 15), 0 for none.
func nginxLayered(t *testing.T, overall int) *url.URL {
	zones := "limit_req_zone $http_x_api_key zone=perkey:1m rate=10r/s;"
	location := `if ($http_x_api_key !~ "^(la-11|lb-22|lc-33)$") { return 401; }
      limit_req zone=perkey burst=9 nodelay;
      limit_req_status 429;`
	if overall > 0 {
		// One key for every request: nginx does not count an empty one
		// ($server_name is empty here), so the key is a map's constant.
		zones += fmt.Sprintf("\n  map $http_x_api_key $everyone { default all; }\n  limit_req_zone $everyone zone=all:1m rate=%dr/s;", overall)
		location += "\n      limit_req zone=all burst=14 nodelay;"
	}
	return startNginxWith(t, zones, location)
}

// nginxLayeredRuns are layeredRuns against nginx: the gateway that does
// both limits in one configuration.
func nginxLayeredRuns(t *testing.T) []*run {
	var runs []*run
	for _, c := range []struct {
		name    string
		overall int
		want    expect
	}{
		{"nginx-layered", 15, allPass},
		{"nginx-layered-no-overall", 0, expect{check.LimitEnforced: check.Fail}},
	} {
		runs = append(runs,
			&run{name: c.name + "/per-key", scenario: nginxLayeredScenario, keys: layeredKeys, want: allPass, target: nginxLayered(t, c.overall)},
			&run{name: c.name + "/overall", scenario: nginxLayeredScenario, keys: layeredKeys, limit: "overall", want: c.want, target: nginxLayered(t, c.overall)})
	}
	return runs
}

// TestLayeredLimits runs layeredRuns, all at once.
func TestLayeredLimits(t *testing.T) {
	longtest.Skip(t, "twelve runs of a per-key limit under an overall one, about 20 s")
	t.Parallel()
	runs := append(layeredRuns(t), nginxLayeredRuns(t)...)
	executeAll(t, runs)
	for _, r := range runs {
		t.Run(r.name, r.judge)
	}
}
