package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/results"
)

// railsRun runs ratecheck in-process and returns its exit status and output.
func railsRun(t *testing.T, env *Env, args ...string) (int, string, string) {
	var out, errb syncBuffer
	env.Stdout, env.Stderr, env.Now = &out, &errb, time.Now
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if env.Stdin == nil {
		env.Stdin = strings.NewReader("")
	}
	code := run(context.Background(), env, args)
	return code, string(out.Bytes()), string(errb.Bytes())
}

func TestCapsRefuseAPlanAboveThem(t *testing.T) {
	t.Parallel()
	srv, received := countingTarget(t)
	scen := floodScenario(t, 100, time.Second) // 100 requests at 100/s
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"requests", []string{"--max-requests", "99"}, "the plan sends 100 requests, more than --max-requests 99"},
		{"rate", []string{"--max-rate", "50"}, "phase under sends at 100/s, more than --max-rate 50.00/s"},
		{"negative", []string{"--max-rate", "-1"}, "positive numbers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"run", scen, "--target", srv.URL, "--no-tui", "--out", filepath.Join(t.TempDir(), "r")}, tt.args...)
			code, _, stderr := railsRun(t, &Env{}, args...)
			if code != exitUsage || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
		})
	}
	if n := received.Load(); n != 0 {
		t.Errorf("the target received %d requests; want none from a refused plan", n)
	}
	// At the caps, the plan runs (a loaded machine may send fewer: a phase
	// ends at its planned time), and never beyond them.
	code, stdout, stderr := railsRun(t, &Env{}, "run", scen, "--target", srv.URL, "--no-tui", "--out", filepath.Join(t.TempDir(), "r"), "--max-requests", "100", "--max-rate", "100")
	if code == exitUsage || received.Load() == 0 || received.Load() > 100 {
		t.Errorf("at the caps: exit %d, %d requests received; want a run of at most 100\n%s\n%s", code, received.Load(), stdout, stderr)
	}
}

// TestRemoteTargetFromATerminalIsConfirmed pretends a loopback target is
// another host (no traffic ever leaves this machine) and checks that a run
// from a terminal states what it will send and asks first.
func TestRemoteTargetFromATerminalIsConfirmed(t *testing.T) {
	t.Parallel()
	srv, received := countingTarget(t)
	scen := floodScenario(t, 100, 500*time.Millisecond)
	remote := func(string) bool { return false }
	args := func() []string {
		return []string{"run", scen, "--target", srv.URL, "--no-tui", "--out", filepath.Join(t.TempDir(), "r")}
	}
	statement := "ratecheck will send 50 requests to 127.0.0.1, at up to 100/s, over 500ms."

	code, stdout, stderr := railsRun(t, &Env{IsTTY: true, Loopback: remote, Stdin: strings.NewReader("\n")}, args()...)
	if code != exitUsage || !strings.Contains(stdout, statement) || !strings.Contains(stderr, "not confirmed") || received.Load() != 0 {
		t.Errorf("declined: exit %d, %d sent\nstdout:\n%s\nstderr:\n%s\nwant exit 2, nothing sent, the statement %q", code, received.Load(), stdout, stderr, statement)
	}
	code, stdout, _ = railsRun(t, &Env{IsTTY: true, Loopback: remote, Stdin: strings.NewReader("y\n")}, args()...)
	if code != exitPass || !strings.HasPrefix(stdout, statement) || received.Load() == 0 || received.Load() > 50 {
		t.Errorf("confirmed: exit %d, %d sent, stdout:\n%s\nwant the statement first, then the run", code, received.Load(), stdout)
	}
	code, stdout, _ = railsRun(t, &Env{IsTTY: true, Loopback: remote}, append(args(), "--yes")...)
	if code != exitPass || !strings.HasPrefix(stdout, statement) || strings.Contains(stdout, "[y/N]") {
		t.Errorf("--yes: exit %d, stdout:\n%s\nwant the statement and no question", code, stdout)
	}
	// Nobody types and the run is cancelled (Ctrl-C): a no, not a hang.
	in, w := io.Pipe()
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	done := make(chan int, 1)
	go func() {
		var out, errb syncBuffer
		done <- run(ctx, &Env{IsTTY: true, Loopback: remote, Stdin: in, Stdout: &out, Stderr: &errb, Now: time.Now, Getenv: func(string) string { return "" }}, args())
	}()
	select {
	case code := <-done:
		if code == exitPass || received.Load() > 100 {
			t.Errorf("cancelled at the question: exit %d, %d sent in all; want a refusal and nothing more sent", code, received.Load())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("cancelled at the question: still waiting for an answer 10 s later")
	}
	// Not on a terminal (CI), or to this machine: no question.
	for _, env := range []*Env{{Loopback: remote}, {IsTTY: true}} {
		if code, stdout, _ = railsRun(t, env, args()...); code != exitPass || strings.Contains(stdout, "[y/N]") {
			t.Errorf("IsTTY %v, remote %v: exit %d, stdout:\n%s\nwant no question", env.IsTTY, env.Loopback != nil, code, stdout)
		}
	}
}

// TestFailingTargetMakesTheRunBackOff: a target answering 503 to nine
// requests in ten is hurting; the run stops sending, says so, and is not
// reported as passed.
func TestFailingTargetMakesTheRunBackOff(t *testing.T) {
	t.Parallel()
	var received atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if received.Add(1)%10 != 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	scen := floodScenario(t, 200, 2*time.Second)
	dir := filepath.Join(t.TempDir(), "r")
	code, stdout, stderr := railsRun(t, &Env{}, "run", scen, "--target", srv.URL, "--no-tui", "--out", dir)
	if code == exitPass || strings.Contains(stdout, "verdict: PASS") || !strings.Contains(stderr, "backed off: ") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s\nwant a run that backs off, says so, and does not pass", code, stdout, stderr)
	}
	if n := received.Load(); n >= 100 {
		t.Errorf("the failing target received %d of 400 requests; want the run to stop soon", n)
	}
	b, _ := os.ReadFile(filepath.Join(dir, results.ReportFile))
	if !bytes.Contains(b, []byte("backed off: ")) {
		t.Errorf("report.json does not say the run backed off:\n%s", b)
	}
}
