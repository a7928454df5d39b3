//go:build linux

package thirdparty

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/internal/longtest"
	"github.com/ratecheck/ratecheck/scenarios"
)

// pythonLimits is the Python interpreter with Debian's python3-limits
// (.ci/run installs it) and the module file that proves it is there.
const (
	pythonBinary = "/usr/bin/python3"
	pythonLimits = "/usr/lib/python3/dist-packages/limits/__init__.py"
)

// startPyLimits serves testdata/limits_server.py on a free loopback port: an
// API limited per client address by the Python `limits` library's strategy
// at rate (a `limits` rate string), with Flask-Limiter's headers. Without
// python3-limits it skips, or fails under CI, where .ci/run installs it.
func startPyLimits(t *testing.T, strategy, rate string) *url.URL {
	t.Helper()
	return startPython(t, pythonLimits, "python3-limits", "limits_server.py", strategy, rate)
}

// startPython serves the Python script testdata/script on a free loopback
// port, passing it args and then the host and port to listen on. module is
// a file of the Debian package pkg the script imports: without it the test
// skips, or fails under CI, where .ci/run installs the package.
func startPython(t *testing.T, module, pkg, script string, args ...string) *url.URL {
	t.Helper()
	if _, err := os.Stat(module); err != nil {
		if inCI() {
			t.Fatalf("%s not found at %s (.ci/run installs %s): %v", pkg, module, pkg, err)
		}
		t.Skipf("%s not found at %s; install %s (apt-get install %s) to run these tests", pkg, module, pkg, pkg)
	}
	path, err := filepath.Abs(filepath.Join("testdata", script))
	if err != nil {
		t.Fatal(err)
	}
	var errs []error
	for range 3 { // the free port may be taken between choosing and binding it
		addr, err := freeAddr()
		if err != nil {
			t.Fatalf("choose a port: %v", err)
		}
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			t.Fatal(err)
		}
		if err := launch(t, addr, pythonBinary, append(append([]string{path}, args...), host, port)...); err != nil {
			errs = append(errs, err)
			continue
		}
		return &url.URL{Scheme: "http", Host: addr}
	}
	t.Fatalf("start %s: %v", script, errors.Join(errs...))
	return nil
}

// pyLimitsHeaders is how Flask-Limiter's docs describe the headers it sends
// from the limits library's window statistics.
const pyLimitsHeaders = `headers:
  convention: x-ratelimit
  reset_format: epoch-seconds # the window's reset, floored to the second
  retry_after: true           # seconds until the reset, on 429
`

// pyLimitsRuns are the Python limits library's strategies behind a small
// HTTP API (testdata/limits_server.py), each promised as its docs describe
// it and as "20 per second": the fixed window (first-request-aligned, every
// hit counted), the moving window (a sliding log of admissions), and the
// mistakes: the elastic-expiry fixed window, whose every hit, rejected ones
// included, pushes the window's end forward, so a client that keeps
// retrying is never let in again; and 21 per second for a promise of 20.
// Then two limits at once, a second's and a minute's.
func pyLimitsRuns(t *testing.T) []*run {
	fixed := contract{algorithm: scenarios.AlgoFixedWindow, scope: "ip", headers: pyLimitsHeaders}
	moving := contract{algorithm: scenarios.AlgoSlidingWindow, scope: "ip", headers: pyLimitsHeaders}
	headersPass := allPass.with(expect{check.HeadersLimit: check.Pass, check.HeadersRemaining: check.Pass, check.HeadersReset: check.Pass, check.HeadersRetryAfter: check.Pass})
	return []*run{
		{name: "pylimits-fixed/declared", contract: fixed, want: headersPass, print: "fixed window, 20 per 1s, first-request-aligned",
			target: startPyLimits(t, "fixed-window", "20/second")},
		{name: "pylimits-fixed/any", contract: fixed.asAny(), want: headersPass, target: startPyLimits(t, "fixed-window", "20/second")},
		{name: "pylimits-moving/declared", contract: moving, want: headersPass, print: "sliding log, 20 per 1s",
			target: startPyLimits(t, "moving-window", "20/second")},
		{name: "pylimits-moving/any", contract: moving.asAny(), want: headersPass, target: startPyLimits(t, "moving-window", "20/second")},
		// Its window never ends while the client sends faster than once a
		// second: the plan's first 20 requests, at 10/s, fill it for good, so
		// the first request of the burst is rejected under the limit, and the
		// client retrying is refused until it pauses. Two promises broken,
		// two checks; the headers, which state each hit's pushed reset
		// truthfully, defer to them.
		{name: "pylimits-elastic/declared", contract: fixed, want: allPass.with(expect{check.LimitNoEarlyReject: check.Fail, check.RecoveryAfterWindow: check.Fail}),
			target: startPyLimits(t, "fixed-window-elastic-expiry", "20/second")},
		{name: "pylimits-fixed-21/declared", contract: fixed, want: allPass.with(expect{check.LimitEnforced: check.Fail, check.HeadersLimit: check.Fail}),
			target: startPyLimits(t, "fixed-window", "21/second")},
		// Two limits, hit in order as Flask-Limiter hits a view's limits:
		// the per-minute one, spent by the plan, counts the requests the
		// per-second one admitted, or (first) every request.
		{name: "pylimits-second-then-minute/declared", scenario: fmt.Sprintf(twoLimitsScenario, 200), want: allPass,
			target: startPyLimits(t, "fixed-window", "20/second;200/minute")},
		{name: "pylimits-minute-then-second/declared", scenario: fmt.Sprintf(twoLimitsScenario, 200), want: allPass,
			target: startPyLimits(t, "fixed-window", "200/minute;20/second")},
	}
}

// TestPyLimits runs pyLimitsRuns, all at once.
func TestPyLimits(t *testing.T) {
	longtest.Skip(t, "eight runs against the Python limits library, about 12 s")
	t.Parallel()
	runs := pyLimitsRuns(t)
	executeAll(t, runs)
	for _, r := range runs {
		t.Run(r.name, r.judge)
	}
}
