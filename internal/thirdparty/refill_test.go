package thirdparty

import (
	"net/http"
	"testing"

	"golang.org/x/time/rate"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/internal/longtest"
	"github.com/ratecheck/ratecheck/scenarios"
)

// xrateBucket is golang.org/x/time/rate's token bucket refilled at perSecond
// tokens a second with capacity burst, in the smallest handler that uses it.
func xrateBucket(perSecond float64, burst int) http.Handler {
	lim := rate.NewLimiter(rate.Limit(perSecond), burst)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !lim.Allow() {
			http.Error(w, "rate limited", http.StatusTooManyRequests)
			return
		}
		okHandler(w, r)
	})
}

// refillRuns are a promise of "5 requests per second, bursts of up to 20"
// against x/time/rate configured right and with the refill rate wrong, the
// mistake of rate.Limit(6) for rate.Every(200*time.Millisecond). The burst
// is right, so only the refill shows: too fast admits too many, too slow
// rejects early, one check each. Its first run failed limit.no-early-reject
// beside limit.enforced for the fast refill: the bucket model did not charge
// the admissions it had judged over the limit when it judged the rejections.
func refillRuns(t *testing.T) []*run {
	promise := contract{algorithm: scenarios.AlgoTokenBucket, requests: 5, burst: 20, scope: "global"}
	return []*run{
		{name: "xrate-5-burst-20/declared", contract: promise, want: allPass, target: serve(t, xrateBucket(5, 20))},
		{name: "xrate-refill-6/declared", contract: promise, want: allPass.with(expect{check.LimitEnforced: check.Fail}),
			target: serve(t, xrateBucket(6, 20))},
		{name: "xrate-refill-4/declared", contract: promise, want: allPass.with(expect{check.LimitNoEarlyReject: check.Fail}),
			target: serve(t, xrateBucket(4, 20))},
	}
}

// TestRefillRate runs refillRuns, all at once.
func TestRefillRate(t *testing.T) {
	longtest.Skip(t, "three runs of a token bucket, about 12 s")
	t.Parallel()
	runs := refillRuns(t)
	executeAll(t, runs)
	for _, r := range runs {
		t.Run(r.name, r.judge)
	}
}
