package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/results"
)

// TestUnwritableOutputSendsNothing gives run an output it cannot write: it
// exits 2 naming the output, and the target receives no request at all.
func TestUnwritableOutputSendsNothing(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	file := filepath.Join(tmp, "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	stored := filepath.Join(tmp, "stored")
	if err := os.MkdirAll(stored, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(stored, results.LinesFile), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"--html under a file", []string{"--html", filepath.Join(file, "report.html")}, "--html " + filepath.Join(file, "report.html")},
		{"--json is a directory", []string{"--json", tmp}, "is a directory"},
		{"--md under a file", []string{"--md", filepath.Join(file, "sub", "r.md")}, "--md "},
		{"--out under a file", []string{"--out", filepath.Join(file, "run")}, "run directory " + filepath.Join(file, "run")},
		{"--out holds a run", []string{"--out", stored}, "holds a run already"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, n := countingTarget(t)
			var stdout, stderr bytes.Buffer
			env := &Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }, Now: time.Now}
			args := append([]string{"run", floodScenario(t, 10, time.Second), "--target", srv.URL, "--no-tui"}, tt.args...)
			if !slices.Contains(tt.args, "--out") {
				args = append(args, "--out", filepath.Join(t.TempDir(), "run"))
			}
			code := run(context.Background(), env, args)
			if code != exitUsage {
				t.Errorf("run %s: exit %d; want %d\nstderr:\n%s", strings.Join(tt.args, " "), code, exitUsage, &stderr)
			}
			if !strings.Contains(stderr.String(), tt.want) || !strings.Contains(stderr.String(), "nothing was sent") {
				t.Errorf("stderr = %q; want it to name %q and say nothing was sent", &stderr, tt.want)
			}
			if got := n.Load(); got != 0 {
				t.Errorf("the target received %d requests; want none", got)
			}
		})
	}
}

// TestFailedWriteAfterRun makes the Markdown report's directory unmakeable
// while the run sends: the run exits non-zero, says which report was lost,
// and still writes the others.
func TestFailedWriteAfterRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := func(name string) string { return filepath.Join(dir, name) }
	cmd := ratecheckCmd(t, "run", "testdata/short.yaml", "--target", "builtin", "--no-tui",
		"--out", out("run"), "--json", out("r.json"), "--md", out("gone/r.md"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitObservations(t, out("run"), 1, 20*time.Second)
	// The check before the run made gone/; a file in its place now makes it
	// impossible to write into.
	if err := os.RemoveAll(out("gone")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out("gone"), []byte("in the way"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() == exitPass {
		t.Fatalf("run whose --md could not be written: %v; want a non-zero exit\nstdout:\n%s\nstderr:\n%s", err, &stdout, &stderr)
	}
	if !strings.Contains(stderr.String(), "r.md") {
		t.Errorf("stderr does not name the lost report:\n%s", &stderr)
	}
	for _, name := range []string{"r.json", "run/report.json"} {
		if _, err := os.Stat(out(name)); err != nil {
			t.Errorf("report %s not written: %v", name, err)
		}
	}
}
