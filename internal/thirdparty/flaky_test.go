package thirdparty

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-chi/httprate"
	ulule "github.com/ulule/limiter/v3"
	ulstdlib "github.com/ulule/limiter/v3/drivers/middleware/stdlib"
	ulmemory "github.com/ulule/limiter/v3/drivers/store/memory"
	"golang.org/x/time/rate"

	"github.com/ratecheck/ratecheck/internal/longtest"
	"github.com/ratecheck/ratecheck/scenarios"
)

// flakyUpstream answers every nth request it gets 502 Bad Gateway, as an
// application behind the limiter that fails now and then.
func flakyUpstream(every int64) http.Handler {
	var n atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%every == 0 {
			http.Error(w, "upstream timed out", http.StatusBadGateway)
			return
		}
		okHandler(w, r)
	})
}

// flakyRuns are correct limiters in front of an upstream that answers one
// request in 37 with 502. The 502s are server errors, not the limiter's
// decisions: its first run failed go-chi/httprate's correct sliding-window
// counter (limit.no-early-reject, "285 requests were rejected while under
// the limit", judged as a fixed window), since the 502s were taken for
// rejections and no phase of the counter explained them. A token bucket's
// limit.no-early-reject may be left undecided: a 502 its limiter did not
// charge would leave it a token fuller (inconclusive, never a failure).
func flakyRuns(t *testing.T) []*run {
	ulule := ulstdlib.NewMiddleware(ulule.New(ulmemory.NewStoreWithOptions(ulule.StoreOptions{Prefix: "flaky"}),
		ulule.Rate{Period: time.Second, Limit: 20}))
	bucket := rate.NewLimiter(20, 20)
	xrate := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !bucket.Allow() {
			http.Error(w, "rate limited", http.StatusTooManyRequests)
			return
		}
		flakyUpstream(37).ServeHTTP(w, r)
	})
	return []*run{
		{name: "httprate-flaky-upstream/declared", contract: libraries[0].contract, want: allPass,
			target: serve(t, httprate.LimitBy(20, time.Second, clientIP)(flakyUpstream(37)))},
		{name: "ulule-flaky-upstream/declared", contract: libraries[1].contract, want: allPass,
			target: serve(t, ulule.Handler(flakyUpstream(37)))},
		{name: "xrate-flaky-upstream/declared", contract: contract{algorithm: scenarios.AlgoTokenBucket, burst: 20, scope: "global"},
			want: allPass, target: serve(t, xrate)},
	}
}

// TestFlakyUpstream runs flakyRuns, all at once.
func TestFlakyUpstream(t *testing.T) {
	longtest.Skip(t, "three runs of limiters before a failing upstream, about 12 s")
	t.Parallel()
	runs := flakyRuns(t)
	executeAll(t, runs)
	for _, r := range runs {
		t.Run(r.name, r.judge)
	}
}
