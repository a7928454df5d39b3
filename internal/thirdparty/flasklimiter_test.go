//go:build linux

package thirdparty

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/internal/longtest"
	"github.com/ratecheck/ratecheck/scenarios"
)

// flaskLimiter is a file of Debian's python3-flask-limiter (.ci/run
// installs it).
const flaskLimiter = "/usr/lib/python3/dist-packages/flask_limiter/__init__.py"

// startFlaskLimiter serves testdata/flask_limiter_server.py: a Flask app
// limited per client address by Flask-Limiter's strategy at limits (its
// limit string), with Flask-Limiter's own headers and a Retry-After written
// as retryAfter (delta-seconds or http-date).
func startFlaskLimiter(t *testing.T, strategy, limits, retryAfter string) *url.URL {
	t.Helper()
	return startPython(t, flaskLimiter, "python3-flask-limiter", "flask_limiter_server.py", strategy, limits, retryAfter)
}

// flaskHeaders is how Flask-Limiter's docs describe its headers: the
// limit, what remains, the reset in epoch seconds, and Retry-After.
const flaskHeaders = `headers:
  convention: x-ratelimit
  reset_format: epoch-seconds
  retry_after: %s
`

// flaskLimiterRuns are Flask-Limiter 3.3 as an API deploys it, promised as
// its docs describe it: its fixed window (first-request-aligned) and moving
// window (a sliding log), declared and as "20 per second", with Retry-After
// in seconds and as an HTTP-date; the mistakes: the elastic-expiry window
// (every hit pushes its end forward, so a client that keeps retrying stays
// locked out) and 21 per second for a promise of 20; two limits at once;
// and 1000 per hour, correct and one over, declared and left open.
// Unlike the limits library behind a server of our own (TestPyLimits), the
// headers here are Flask-Limiter's: read after the view ran, with a reset
// of int(reset)+1 and Retry-After on every response. Their first runs failed
// headers.remaining on the correct fixed window in 4 of 6 runs (a window
// that ended between the decision and the headers' reading answers the full
// quota with the ended window's reset a second late; see respRec.resetCome).
func flaskLimiterRuns(t *testing.T) []*run {
	fixed := contract{algorithm: scenarios.AlgoFixedWindow, scope: "ip", headers: fmt.Sprintf(flaskHeaders, "seconds")}
	moving := contract{algorithm: scenarios.AlgoSlidingWindow, scope: "ip", headers: fmt.Sprintf(flaskHeaders, "seconds")}
	hourly := contract{algorithm: scenarios.AlgoAny, scope: "ip", requests: 1000, window: "1h"}
	hourlyFixed := contract{algorithm: scenarios.AlgoFixedWindow, scope: "ip", requests: 1000, window: "1h"}
	dated := contract{algorithm: scenarios.AlgoAny, scope: "ip", headers: fmt.Sprintf(flaskHeaders, "http-date")}
	headersPass := allPass.with(expect{check.HeadersLimit: check.Pass, check.HeadersRemaining: check.Pass, check.HeadersReset: check.Pass, check.HeadersRetryAfter: check.Pass})
	return []*run{
		{name: "flask-fixed/declared", contract: fixed, want: headersPass, print: "fixed window, 20 per 1s, first-request-aligned",
			target: startFlaskLimiter(t, "fixed-window", "20/second", "delta-seconds")},
		{name: "flask-fixed/any", contract: fixed.asAny(), want: headersPass, target: startFlaskLimiter(t, "fixed-window", "20/second", "delta-seconds")},
		{name: "flask-moving/declared", contract: moving, want: headersPass, print: "sliding log, 20 per 1s",
			target: startFlaskLimiter(t, "moving-window", "20/second", "delta-seconds")},
		{name: "flask-fixed-http-date/any", contract: dated, want: headersPass, target: startFlaskLimiter(t, "fixed-window", "20/second", "http-date")},
		{name: "flask-elastic/declared", contract: fixed, want: allPass.with(expect{check.LimitNoEarlyReject: check.Fail, check.RecoveryAfterWindow: check.Fail}),
			target: startFlaskLimiter(t, "fixed-window-elastic-expiry", "20/second", "delta-seconds")},
		{name: "flask-fixed-21/declared", contract: fixed, want: allPass.with(expect{check.LimitEnforced: check.Fail, check.HeadersLimit: check.Fail}),
			target: startFlaskLimiter(t, "fixed-window", "21/second", "delta-seconds")},
		{name: "flask-second-and-minute/declared", scenario: fmt.Sprintf(twoLimitsScenario, 200), want: allPass,
			target: startFlaskLimiter(t, "fixed-window", "20/second;200/minute", "delta-seconds")},
		// An hour's window, driven past once in a 30 s run: recovery is
		// not measured (the plan says so). One more per hour fails the
		// fixed window declared: the window the first request opened holds
		// it (series.ClockPhase.Pinned). Left open, a sliding-window counter
		// whose window turned inside the run admits one more as well, and
		// only such a run shows it: limit.enforced is undecided, not a pass.
		{name: "flask-hourly/any", contract: hourly, want: allPass.with(expect{check.RecoveryAfterWindow: check.Skip}),
			target: startFlaskLimiter(t, "fixed-window", "1000/hour", "delta-seconds")},
		{name: "flask-hourly/declared", contract: hourlyFixed, want: allPass.with(expect{check.RecoveryAfterWindow: check.Skip}),
			target: startFlaskLimiter(t, "fixed-window", "1000/hour", "delta-seconds")},
		{name: "flask-hourly-1001/declared", contract: hourlyFixed, want: allPass.with(expect{check.LimitEnforced: check.Fail, check.RecoveryAfterWindow: check.Skip}),
			target: startFlaskLimiter(t, "fixed-window", "1001/hour", "delta-seconds")},
		{name: "flask-hourly-1001/any", contract: hourly, want: allPass.with(expect{check.LimitEnforced: failOrUndecided, check.RecoveryAfterWindow: check.Skip}),
			target: startFlaskLimiter(t, "fixed-window", "1001/hour", "delta-seconds")},
	}
}

// TestFlaskLimiter runs flaskLimiterRuns, all at once.
func TestFlaskLimiter(t *testing.T) {
	longtest.Skip(t, "eleven runs against Flask-Limiter, about 35 s")
	t.Parallel()
	runs := flaskLimiterRuns(t)
	executeAll(t, runs)
	for _, r := range runs {
		t.Run(r.name, r.judge)
	}
}
