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

// nginxBinary is where Debian's nginx-light package (.ci/run installs it) puts nginx.
const nginxBinary = "/usr/sbin/nginx"

// nginxPath is the file nginx serves: a static file, because limit_req runs in
// the preaccess phase and a `return 200` would answer in the earlier rewrite
// phase, before any limit applies.
const nginxPath = "/ok"

// limitReq is the location's directives for limit_req with args ("",
// "burst=20 nodelay") answering 429, as the docs' examples set it.
func limitReq(args string) string {
	return "limit_req zone=z " + args + ";\n      limit_req_status 429;"
}

// nginxConfig is a complete configuration for one nginx in dir, listening on
// addr, whose zone z allows every client address 20 requests per second;
// location holds the directives that apply it (see limitReq). master_process
// off keeps it to one process that runs as the user who started it and stops
// with it.
func nginxConfig(dir, addr, httpExtra, location string) string {
	return fmt.Sprintf(`daemon off;
master_process off;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  limit_req_zone $binary_remote_addr zone=z:1m rate=20r/s;
  %[4]s
  server {
    listen %[2]s;
    root %[1]s/www;
    location / {
      %[3]s
    }
  }
}
`, dir, addr, location, httpExtra)
}

// startNginx starts nginx with the location's directives on a free loopback
// port and stops it when the test ends. Without nginx it skips, or fails under CI, where .ci/run
// must have installed it.
func startNginx(t *testing.T, location string) *url.URL {
	t.Helper()
	return startNginxWith(t, "", location)
}

// startNginxWith is startNginx with more directives in the http block
// (zones of its own).
func startNginxWith(t *testing.T, httpExtra, location string) *url.URL {
	t.Helper()
	if _, err := os.Stat(nginxBinary); err != nil {
		if inCI() {
			t.Fatalf("nginx not found at %s (.ci/run installs nginx-light): %v", nginxBinary, err)
		}
		t.Skipf("nginx not found at %s; install nginx-light (apt-get install nginx-light) to run these tests", nginxBinary)
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "www"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "www", nginxPath), []byte("ok"), 0o644); err != nil {
		t.Fatal(err)
	}
	var errs []error
	for range 3 { // the free port may be taken between choosing and binding it
		addr, err := freeAddr()
		if err != nil {
			t.Fatalf("choose a port: %v", err)
		}
		if err := launchNginx(t, dir, addr, httpExtra, location); err != nil {
			errs = append(errs, err)
			continue
		}
		return &url.URL{Scheme: "http", Host: addr}
	}
	t.Fatalf("start nginx: %v", errors.Join(errs...))
	return nil
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// launchNginx writes the configuration and runs nginx until it accepts
// connections on addr (at most 5 s); it is killed at the end of the test.
func launchNginx(t *testing.T, dir, addr, httpExtra, location string) error {
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte(nginxConfig(dir, addr, httpExtra, location)), 0o644); err != nil {
		return err
	}
	var out bytes.Buffer
	cmd := exec.Command(nginxBinary, "-p", dir, "-c", conf, "-e", filepath.Join(dir, "error.log"))
	cmd.Stdout, cmd.Stderr = &out, &out
	// nginx dies with the test binary, even when a timeout kills it before cleanup.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("run %s: %w", nginxBinary, err)
	}
	exited := make(chan error, 1)
	// This goroutine exits when nginx does: on its own or when killed at cleanup.
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
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			return fmt.Errorf("nginx exited (%v): %s%s", err, out.Bytes(), log)
		case <-time.After(20 * time.Millisecond):
		}
	}
	return fmt.Errorf("nginx did not accept connections on %s within 5 s", addr)
}

// The fingerprints of nginx's two configurations (issue 11.9: capacity
// exact, rate within 5%): one admission every 50 ms, and a bucket of 21
// (burst=20 beyond the one the rate allows) refilled at 20/s. Under "any" the
// burst configuration is not asserted: its decisions fit a bucket of 20 and
// one of 21 equally well in some runs (one over-admission against the other
// model's one wrongful rejection, within nginx's millisecond clock).
const (
	oneIn50ms = "leaky bucket, 1 per 50 ms (smoothing, burst 1)"
	burst21   = "token bucket, burst 21, refill 20/s"
)

// twentyPerSecond is the promise "20 requests per second" with the family left open.
var twentyPerSecond = contract{algorithm: scenarios.AlgoAny, scope: "ip"}

// nginxRuns are the two nginx configurations, each against the contract nginx
// documents (limit_req is a leaky bucket) and against window promises.
//
// Without burst nginx spaces admissions 1/20 s apart: a leaky bucket of one.
// With burst=20 nodelay, up to 20 requests beyond the one the rate allows pass
// at once: a bucket of 21, refilled at 20/s.
func nginxRuns(t *testing.T) []*run {
	smooth, burst := limitReq(""), limitReq("burst=20 nodelay")
	smoothingSeen := expect{
		check.LimitEnforced:      check.Pass,
		check.LimitNoEarlyReject: check.Fail, // right: it rejects bursts a window admits
		// The same defect: each window's first 429 comes early, and
		// timing.onset points to limit.no-early-reject instead of failing.
		check.TimingOnset:         check.Skip,
		check.RecoveryAfterWindow: check.Pass,
	}
	return []*run{
		{name: "nginx/leaky-bucket-1", path: nginxPath, want: allPass, target: startNginx(t, smooth), print: oneIn50ms,
			contract: contract{algorithm: scenarios.AlgoLeakyBucket, burst: 1, scope: "ip"}},
		{name: "nginx/fixed-window", path: nginxPath, want: smoothingSeen, target: startNginx(t, smooth),
			contract: contract{algorithm: scenarios.AlgoFixedWindow, scope: "ip"}},
		{name: "nginx/any", path: nginxPath, want: smoothingSeen, target: startNginx(t, smooth), print: oneIn50ms,
			contract: twentyPerSecond},
		{name: "nginx-burst/leaky-bucket-21", path: nginxPath, want: allPass, target: startNginx(t, burst), print: burst21,
			contract: contract{algorithm: scenarios.AlgoLeakyBucket, burst: 21, scope: "ip"}},
		// Without nodelay the 20 of the burst are queued and answered one per
		// 50 ms, not at once: the same decisions as a bucket of 21, taken when
		// each request arrives, with answers up to 1 s late. A sceptic's case
		// for the timing tolerances, which grow with the latency.
		{name: "nginx-delay/leaky-bucket-21", path: nginxPath, want: allPass, target: startNginx(t, limitReq("burst=20")), print: burst21,
			contract: contract{algorithm: scenarios.AlgoLeakyBucket, burst: 21, scope: "ip"}},
		// The mistake: limit_req_status left out, so nginx answers its
		// default 503 to a limited request. Only limit.status may fail.
		{name: "nginx-503/leaky-bucket-1", path: nginxPath, target: startNginx(t, "limit_req zone=z;"),
			contract: contract{algorithm: scenarios.AlgoLeakyBucket, burst: 1, scope: "ip"},
			want:     expect{check.LimitStatus: check.Fail}},
		{name: "nginx-burst/any", path: nginxPath, target: startNginx(t, burst), contract: twentyPerSecond,
			want: expect{
				check.LimitEnforced: failOrAmbiguous, // right: 21 at once, then 20/s
				// The 429 after the burst comes late, but only when the full
				// bucket first runs dry, which the derived plan does in its
				// over-burst phase: requests in flight together may have been
				// decided in any order, so the late onset may be hidden there.
				// When it is seen, timing.onset points to limit.enforced
				// (a skip) instead of failing.
				check.TimingOnset:         passOrSkip,
				check.LimitNoEarlyReject:  check.Pass,
				check.LimitStatus:         check.Pass,
				check.RecoveryAfterWindow: check.Pass,
			}},
	}
}

// TestNginx runs ratecheck against nginx's limit_req on loopback: the verdict
// against nginx's own contract is a pass; against "20 per second" ratecheck
// must see that nginx smooths (no burst) or over-admits (burst=20 nodelay).
func TestNginx(t *testing.T) {
	longtest.Skip(t, "seven runs of a 20/s plan against nginx, 13 s")
	t.Parallel()
	runs := nginxRuns(t)
	executeAll(t, runs)
	for _, r := range runs {
		t.Run(r.name, r.judge)
	}
}
