package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestInterruptedRunNeverPasses stops runs of the built-in target with SIGINT
// and SIGTERM once they are past their under phase (the checks that judge the
// limit have passed so far): the run exits 130 or 143, every output says
// INCOMPLETE, and the word PASS appears in none of them.
func TestInterruptedRunNeverPasses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		sig  syscall.Signal
		name string
		want int
	}{
		{syscall.SIGINT, "SIGINT", exitSIGINT},
		{syscall.SIGTERM, "SIGTERM", exitSIGTERM},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			out := func(name string) string { return filepath.Join(dir, name) }
			cmd := ratecheckCmd(t, "run", "testdata/short.yaml", "--target", "builtin", "--no-tui",
				"--out", out("run"), "--json", out("r.json"), "--html", out("r.html"),
				"--junit", out("r.xml"), "--md", out("r.md"))
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// short.yaml's under phase sends 10 requests in 1 s; past 60 the
			// over phase has been rejected and judged for a while.
			waitObservations(t, out("run"), 60, 20*time.Second)
			if err := cmd.Process.Signal(tt.sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != tt.want {
				t.Fatalf("run stopped by %s: %v; want exit status %d\nstdout:\n%s\nstderr:\n%s", tt.name, err, tt.want, &stdout, &stderr)
			}
			outputs := map[string]string{"terminal": stdout.String() + stderr.String()}
			for _, name := range []string{"r.json", "r.html", "r.xml", "r.md", "run/report.json"} {
				b, err := os.ReadFile(out(name))
				if err != nil {
					t.Fatalf("report %s not written: %v", name, err)
				}
				outputs[name] = string(b)
			}
			for name, text := range outputs {
				if strings.Contains(text, "PASS") || strings.Contains(text, `"pass"`) {
					t.Errorf("%s of a run stopped by %s says pass:\n%s", name, tt.name, text)
				}
				if !strings.Contains(strings.ToUpper(text), "INCOMPLETE") {
					t.Errorf("%s of a run stopped by %s does not say INCOMPLETE:\n%s", name, tt.name, text)
				}
			}
			if !strings.Contains(outputs["r.json"], `"verdict": "incomplete"`) {
				t.Errorf("JSON verdict is not incomplete:\n%s", outputs["r.json"])
			}
			if !strings.Contains(outputs["r.xml"], `<error message="INCOMPLETE: the run was stopped by `+tt.name) {
				t.Errorf("JUnit has no error saying INCOMPLETE:\n%s", outputs["r.xml"])
			}
		})
	}
}
