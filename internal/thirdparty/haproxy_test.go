//go:build linux

package thirdparty

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/internal/longtest"
	"github.com/ratecheck/ratecheck/scenarios"
)

// haproxyBinary is where Debian's haproxy package (.ci/run installs it) puts HAProxy.
const haproxyBinary = "/usr/sbin/haproxy"

// haproxyConfig is a complete HAProxy configuration listening on addr and
// answering 200 "ok" itself, with the given frontend rules that track and
// limit each client address in a stick table.
func haproxyConfig(addr, rules string) string {
	return fmt.Sprintf(`global
  maxconn 512
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend fe
  bind %s
%s
  http-request return status 200 content-type text/plain string ok
`, addr, rules)
}

// HAProxy's rate limiting, as its documentation and blog show it: a stick
// table keyed by source address, a counter over a 1 s period, and a deny with
// status 429 above the limit. Its rate counters are sliding-window counters:
// the current period's count plus the previous one's, weighted by how much of
// it is still inside the last second.
const (
	// haproxyAdmitted counts only admitted requests: general purpose counter
	// 0 is incremented after the deny rule, which ends a denied request's
	// processing first. 20 admitted per rolling second.
	haproxyAdmitted = `  stick-table type ip size 1k expire 10s store gpc0_rate(1s)
  http-request track-sc0 src
  http-request deny deny_status 429 if { sc0_gpc0_rate ge 20 }
  http-request sc-inc-gpc0(0)`
	// haproxyEveryRequest is the common configuration that rates every request,
	// denied ones included (http_req_rate counts at tracking): a client that
	// keeps sending above the limit is denied for as long as it does.
	haproxyEveryRequest = `  stick-table type ip size 1k expire 10s store http_req_rate(1s)
  http-request track-sc0 src
  http-request deny deny_status 429 if { sc0_http_req_rate gt 20 }`
)

// startHAProxy starts HAProxy with rules on a free loopback port and stops it
// when the test ends. Without HAProxy it skips, or fails under CI, where
// .ci/run must have installed it.
func startHAProxy(t *testing.T, rules string) *url.URL {
	t.Helper()
	if _, err := os.Stat(haproxyBinary); err != nil {
		if inCI() {
			t.Fatalf("HAProxy not found at %s (.ci/run installs haproxy): %v", haproxyBinary, err)
		}
		t.Skipf("HAProxy not found at %s; install haproxy (apt-get install haproxy) to run these tests", haproxyBinary)
	}
	dir := t.TempDir()
	var errs []error
	for range 3 { // the free port may be taken between choosing and binding it
		addr, err := freeAddr()
		if err != nil {
			t.Fatalf("choose a port: %v", err)
		}
		conf := filepath.Join(dir, "haproxy.cfg")
		if err := os.WriteFile(conf, []byte(haproxyConfig(addr, rules)), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := launch(t, addr, haproxyBinary, "-db", "-f", conf); err != nil {
			errs = append(errs, err)
			continue
		}
		return &url.URL{Scheme: "http", Host: addr}
	}
	t.Fatalf("start HAProxy: %v", errors.Join(errs...))
	return nil
}

// launch runs binary with args until it accepts connections on addr (at most
// 5 s); it is killed at the end of the test, or with the test binary.
func launch(t *testing.T, addr, binary string, args ...string) error {
	var out bytes.Buffer
	cmd := exec.Command(binary, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("run %s: %w", binary, err)
	}
	exited := make(chan error, 1)
	// This goroutine exits when the process does: on its own or when killed at cleanup.
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond); err == nil {
			c.Close()
			return nil
		}
		select {
		case err := <-exited:
			exited <- err // for the cleanup
			return fmt.Errorf("%s exited (%v): %s", binary, err, out.Bytes())
		case <-time.After(20 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s did not accept connections on %s within 5 s", binary, addr)
}

// haproxyRuns are HAProxy's stick-table limiter configured right, promised as
// a sliding window of 20 per second and as "20 per second", and configured
// with the usual mistake of rating denied requests too.
func haproxyRuns(t *testing.T) []*run {
	sliding := contract{algorithm: scenarios.AlgoSlidingWindow, scope: "ip"}
	// F9 (docs/findings.md): on a loaded machine (latencies of
	// seconds) the sliding-window fit falls back from the counter to a
	// sliding log, which a counter rightly violates by one request.
	f9 := "F9: under load the sliding-window fit loses the counter for the log"
	// F12: seen once at load average 35, not yet explained (which side is
	// wrong is open): a streak timed in the over phase lifted 2.6 s after
	// its first rejection against a counter of admitted requests.
	admittedBugs := map[check.ID]string{check.LimitEnforced: f9, check.LimitNoEarlyReject: f9,
		check.RecoveryAfterWindow: "F12: a 2.6 s lift in the over phase under load, unexplained"}
	return []*run{
		{name: "haproxy/sliding-window", want: allPass, bugs: admittedBugs, target: startHAProxy(t, haproxyAdmitted), contract: sliding},
		{name: "haproxy/any", want: allPass, bugs: admittedBugs, target: startHAProxy(t, haproxyAdmitted), contract: twentyPerSecond},
		// The over phase sends 40/s: the rate of all requests never falls
		// under 20, so after the first 20 every request is denied, and the
		// probe's 100/s keeps the client denied with 19 or fewer admitted in
		// the last second, long past the promised recovery. One defect (a
		// denied request counts), one failing check: recovery.after-window,
		// which measures from the first rejection of the streak (issue 11
		// item 7), not limit.no-early-reject as well. Nor limit.enforced:
		// where the over phase begins the counter lets 21 through within a
		// second, which the sliding log would blame; the counter explains
		// every admission and every onset, and only the lift was late. On a
		// loaded machine (the matrix script runs every case at once) the
		// run's one rejection streak may be undecidable for limit.enforced:
		// never a fail.
		{name: "haproxy-counts-denied/sliding-window", target: startHAProxy(t, haproxyEveryRequest), contract: sliding,
			want: expect{
				check.LimitEnforced:       passOrUndecided,
				check.LimitNoEarlyReject:  passOrUndecided,
				check.RecoveryAfterWindow: check.Fail,
			}},
	}
}

// TestHAProxy runs ratecheck against HAProxy's stick-table rate limiting on
// loopback.
func TestHAProxy(t *testing.T) {
	longtest.Skip(t, "three runs of a 20/s plan against HAProxy, 13 s")
	t.Parallel()
	runs := haproxyRuns(t)
	executeAll(t, runs)
	for _, r := range runs {
		t.Run(r.name, r.judge)
	}
}
