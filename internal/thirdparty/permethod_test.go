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

// perMethod is an API that limits reads and writes apart, as its docs
// state it: GET /items through one ulule/limiter middleware (reads per
// second per client address), POST /items through another (writes), each
// with its own memory store. writes 0 leaves the writes unlimited: the
// mistake of a route added without its limiter.
func perMethod(reads, writes int64) http.Handler {
	limited := func(prefix string, n int64, h http.Handler) http.Handler {
		store := ulmemory.NewStoreWithOptions(ulule.StoreOptions{Prefix: prefix})
		return ulstdlib.NewMiddleware(ulule.New(store, ulule.Rate{Period: time.Second, Limit: n})).Handler(h)
	}
	created := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"id":1}`))
	})
	get := limited("reads", reads, okHandler)
	var post http.Handler = created
	if writes > 0 {
		post = limited("writes", writes, created)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			post.ServeHTTP(w, r)
			return
		}
		get.ServeHTTP(w, r)
	})
}

// perMethodScenario is the docs' promise: reads 10 per second, writes 3
// per second, counted apart, per client address.
const perMethodScenario = `name: per-method
target: http://127.0.0.1
endpoints:
  - name: list-items
    method: GET
    path: /items
  - name: create-item
    method: POST
    path: /items
    body: '{"name":"probe"}'
limits:
  - name: reads
    requests: 10
    window: 1s
    scope: ip
    algorithm: fixed-window
    endpoints: [list-items]
  - name: writes
    requests: 3
    window: 1s
    scope: ip
    algorithm: fixed-window
    endpoints: [create-item]
`

// perMethodRuns test each limit of the scenario in a run of its own, as
// `ratecheck run` does for limits that count different endpoints. Before
// it did, only the reads were driven, and the writes cases passed whatever
// the writes limiter did.
func perMethodRuns(t *testing.T) []*run {
	return []*run{
		{name: "per-method/reads", scenario: perMethodScenario, want: allPass, target: serve(t, perMethod(10, 3))},
		{name: "per-method/writes", scenario: perMethodScenario, limit: "writes", want: allPass, target: serve(t, perMethod(10, 3))},
		// One write too many a second: the writes run fails limit.enforced.
		{name: "per-method-writes-4/writes", scenario: perMethodScenario, limit: "writes",
			want: allPass.with(expect{check.LimitEnforced: check.Fail}), target: serve(t, perMethod(10, 4))},
		// The writes route without its limiter: nothing limits them.
		{name: "per-method-writes-unlimited/writes", scenario: perMethodScenario, limit: "writes",
			want: expect{check.LimitEnforced: check.Fail}, target: serve(t, perMethod(10, 0))},
	}
}

// TestPerMethodLimits runs perMethodRuns, all at once.
func TestPerMethodLimits(t *testing.T) {
	longtest.Skip(t, "four runs of a limit per method, about 20 s")
	t.Parallel()
	runs := perMethodRuns(t)
	executeAll(t, runs)
	for _, r := range runs {
		t.Run(r.name, r.judge)
	}
}
