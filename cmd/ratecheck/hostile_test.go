package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/internal/hostile"
	"github.com/ratecheck/ratecheck/internal/longtest"
	"github.com/ratecheck/ratecheck/report"
)

// hostileScenario promises hostile.Limit requests a second with
// X-RateLimit headers and Retry-After, with 1 s timeouts: 1 s under the
// limit, over at twice it for the duration over, and 1 s of recovery in
// which it is seen to lift.
func hostileScenario(t *testing.T, dir, path, over string) string {
	y := fmt.Sprintf(`name: hostile
source: test
target: http://127.0.0.1:1
endpoints:
  - name: x
    path: %s
limits:
  - name: per-second
    requests: %d
    window: 1s
headers:
  convention: x-ratelimit
  reset_format: epoch-seconds
  retry_after: true
run:
  timeout: 1s
phases:
  - {kind: under, rate: 0.5x, duration: 1s}
  - {kind: over, rate: 2x, duration: %s}
  - {kind: recovery, rate: 0.5x, duration: 1s}
`, path, hostile.Limit, over)
	file := filepath.Join(dir, "hostile.yaml")
	if err := os.WriteFile(file, []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// Bounds every run against the hostile target keeps, whatever it is sent.
const (
	// hostileMaxRSS: a run of the honest case peaks near 27 MB; keeping
	// what the target sends would not fit (30 bodies of 10 MB, an endless
	// one, 1 MB headers on every connection).
	hostileMaxRSS = 80 << 20
	// hostileMaxWall: the plan is 3 s, each phase may run 1 s late
	// (phaseGrace) and each request waits at most its 1 s timeout;
	// calibration, judging and a loaded machine take the rest. A run that
	// waits on the target past its timeouts takes longer.
	hostileMaxWall = 20 * time.Second
)

// peakRSSEnv names the file where a ratecheck process started by a test
// writes its peak resident set size (VmHWM, in kB) as it exits. The rusage
// of a child is no measure: Go starts it with vfork, and Linux counts the
// parent's peak until the exec into the child's own.
const peakRSSEnv = "RATECHECK_TEST_PEAKRSS"

// writePeakRSS writes the VmHWM line of /proc/self/status to path.
func writePeakRSS(path string) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmHWM:" {
			os.WriteFile(path, []byte(f[1]), 0o644)
		}
	}
}

// readPeakRSS reads what writePeakRSS wrote, in bytes.
func readPeakRSS(t *testing.T, path string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the run wrote no peak RSS: %v", err)
	}
	kb, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		t.Fatalf("peak RSS %q: %v", b, err)
	}
	return kb << 10
}

// hostileResult is what one run against a hostile case showed.
type hostileResult struct {
	code    int
	wall    time.Duration
	peakRSS int64 // bytes
	rep     *report.Report
	stderr  string
	quoted  string // the target's failure as the report quotes it, when no check failed
}

// failedIDs lists the checks that failed with evidence.
func failedIDs(rep *report.Report) []string {
	var ids []string
	for _, ch := range rep.Checks {
		if ch.Status == check.Fail && ch.Evidence != nil && len(ch.Evidence.Requests) > 0 {
			ids = append(ids, string(ch.ID))
		}
	}
	return ids
}

// quotedFailure is the raw failure the report's reason or notes quote when
// the target gave no rate-limit decision to judge ("no answer: <error>",
// "the last: 503 …", "every request got 302 Found: …"), or "".
func quotedFailure(rep *report.Report) string {
	for _, s := range append([]string{rep.VerdictReason}, rep.Notes...) {
		for _, mark := range []string{"no answer (", "no answer: ", "(the last: ", "every request got ", "no request was admitted or limited: "} {
			if i := strings.Index(s, mark); i >= 0 {
				return s[i:]
			}
		}
	}
	return ""
}

// TestHostileTarget runs ratecheck against every behaviour of the hostile
// target. Each run must end on its own with a verdict and its reports,
// never panic, keep every record bounded however much the target sent, and
// never follow a redirect to another host. The peak RSS of each run is
// logged (go test -v -run TestHostileTarget) for the table in the notes.
func TestHostileTarget(t *testing.T) {
	longtest.Skip(t, "21 runs of 3 s, some streaming endless bodies")
	// Not parallel: it runs alone, so its endless bodies starve no timed test.
	var stolen atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { stolen.Add(1) }))
	defer other.Close()
	srv := httptest.NewUnstartedServer(hostile.New(other.URL))
	srv.Config.ErrorLog = nil
	srv.Start()
	defer srv.Close()

	cases := hostile.Cases()
	got := make([]hostileResult, len(cases))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 6) // the endless bodies are CPU-bound: a few at a time
	for i, c := range cases {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			t.Run(c.Name, func(t *testing.T) { got[i] = runHostile(t, srv.URL, c) })
		})
	}
	wg.Wait()
	if n := stolen.Load(); n > 0 {
		t.Errorf("the other host received %d requests: a redirect to another host was followed", n)
	}
	t.Logf("%-20s %-5s %-12s %-7s %-6s %s", "case", "exit", "verdict", "RSS MB", "wall", "failed checks, or the evidence quoted")
	for i, c := range cases {
		r := got[i]
		if r.rep == nil {
			continue
		}
		if r.rep.Verdict != check.Fail {
			for _, ch := range r.rep.Checks {
				if ch.Status == check.Fail {
					t.Errorf("%s: check %s fails under a verdict of %s (%s)", c.Name, ch.ID, r.rep.Verdict, r.rep.VerdictReason)
				}
			}
		}
		notable := strings.Join(failedIDs(r.rep), " ")
		if notable == "" {
			notable = r.quoted
		}
		t.Logf("%-20s %-5d %-12s %-7.1f %-6.1f %.160s", c.Name, r.code, r.rep.Verdict, float64(r.peakRSS)/(1<<20), r.wall.Seconds(), notable)
	}
}

func runHostile(t *testing.T, url string, c hostile.Case) hostileResult {
	dir := t.TempDir()
	scen := hostileScenario(t, dir, c.Path(), "1s")
	out := filepath.Join(dir, "run")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := ratecheckCmd(t, "run", scen, "--target", url, "--no-tui", "--out", out, "--json", filepath.Join(dir, "r.json"),
		"--html", filepath.Join(dir, "r.html"), "--junit", filepath.Join(dir, "r.xml"), "--md", filepath.Join(dir, "r.md"))
	cmd = exec.CommandContext(ctx, cmd.Path, cmd.Args[1:]...)
	cmd.Env = append(os.Environ(), asMainEnv+"=1", "CI=true", peakRSSEnv+"="+filepath.Join(dir, "peak-rss"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	res := hostileResult{wall: time.Since(start), stderr: stderr.String()}
	if ctx.Err() != nil {
		t.Fatalf("still running after 60 s (a 3 s plan with 1 s timeouts): killed\nstdout:\n%s", tail(stdout.String()))
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	res.code = cmd.ProcessState.ExitCode()
	if strings.Contains(res.stderr, "panic:") || strings.Contains(res.stderr, "goroutine ") {
		t.Fatalf("ratecheck panicked:\n%s", res.stderr)
	}
	res.peakRSS = readPeakRSS(t, filepath.Join(dir, "peak-rss"))
	if res.wall > hostileMaxWall {
		t.Errorf("the run took %s; want at most %s (a 3 s plan with 1 s timeouts)", res.wall.Round(time.Millisecond), hostileMaxWall)
	}
	if res.peakRSS > hostileMaxRSS {
		t.Errorf("peak RSS %.1f MB; want at most %d MB whatever the target sends", float64(res.peakRSS)/(1<<20), hostileMaxRSS>>20)
	}
	if res.code != exitPass && res.code != exitFail && res.code != exitInconclusive {
		t.Errorf("exit %d; want a verdict (0, 1 or 3)\nstdout:\n%s\nstderr:\n%s", res.code, tail(stdout.String()), res.stderr)
	}
	f, err := os.Open(filepath.Join(dir, "r.json"))
	if err != nil {
		t.Fatalf("no JSON report: %v\nstderr:\n%s", err, res.stderr)
	}
	defer f.Close()
	if res.rep, err = report.ReadJSON(f); err != nil {
		t.Fatalf("JSON report: %v", err)
	}
	// Only the honest case keeps the promise; every other breaks it or
	// gives nothing to judge, and must never pass. The honest case fails
	// nothing; it may be INCONCLUSIVE when its one or two windows over the
	// limit fall within the timing tolerance (seen on a quiet machine).
	if c.Name == "honest" {
		var failed []check.ID
		for _, ch := range res.rep.Checks {
			if ch.Status == check.Fail {
				failed = append(failed, ch.ID)
			}
		}
		if res.rep.Verdict != check.Pass && res.rep.Verdict != check.Inconclusive || len(failed) > 0 {
			t.Errorf("honest case: verdict %s, failed %v; want PASS (or INCONCLUSIVE) and no failure\nstdout:\n%s", res.rep.Verdict, failed, tail(stdout.String()))
		}
	} else if res.rep.Verdict == check.Pass {
		t.Errorf("verdict PASS (exit %d); want never a pass from a hostile case\nstdout:\n%s", res.code, tail(stdout.String()))
	}
	// Every verdict but a pass shows the raw evidence: a failed check with
	// the requests that prove it, or, when nothing could be judged, what
	// the target did instead of answering.
	res.quoted = quotedFailure(res.rep)
	if c.Name != "honest" && len(failedIDs(res.rep)) == 0 && res.quoted == "" {
		t.Errorf("verdict %s with no failed check and no failure quoted; want the raw evidence\nreason: %s\nnotes: %q", res.rep.Verdict, res.rep.VerdictReason, res.rep.Notes)
	}
	// Every record bounded: lines of observations, and every report file.
	lines, _, err := storedObservations(out)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(lines))
	sc.Buffer(nil, 64<<20)
	for n := 1; sc.Scan(); n++ {
		if len(sc.Bytes()) > 32<<10 {
			t.Errorf("observation line %d is %d bytes; want each bounded (32 KB)", n, len(sc.Bytes()))
			break
		}
	}
	for _, name := range []string{"r.json", "r.html", "r.xml", "r.md"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Size() > 2<<20 {
			t.Errorf("report %s: %v, size %d; want it written and under 2 MB", name, err, fi.Size())
		}
	}
	return res
}
