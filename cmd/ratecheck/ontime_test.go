package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRunEndsOnTime asks for a rate no machine reaches (1,000,000/s for 0.3 s):
// the phase ends at its planned time, the run reports the shortfall, and the
// whole run takes its plan's 2 s plus calibration and judging, not the minute
// or more that sending 1,000,000 requests takes.
func TestRunEndsOnTime(t *testing.T) {
	t.Parallel()
	scen := filepath.Join(t.TempDir(), "fast.yaml")
	if err := os.WriteFile(scen, []byte(`name: fast
endpoints:
  - name: items
    path: /v1/items
limits:
  - name: per-second
    requests: 10
    window: 1s
phases:
  - {kind: under, rate: 0.5x, duration: 1s}
  - {kind: over, rate: 1000000/s, duration: 300ms}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := ratecheckCmd(t, "run", scen, "--no-tui", "--out", filepath.Join(t.TempDir(), "run"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	cmd.Run() // the verdict does not matter here, only when the run ended
	took := time.Since(start)
	// The bound is generous for a loaded machine; without ending phases on
	// time the over phase alone sends for a minute or more.
	if took > 20*time.Second {
		t.Errorf("a run planned for 1.3 s took %v; want it to end on time\nstdout:\n%s", took, &stdout)
	}
	if !strings.Contains(stdout.String(), "warning: shortfall: phase over sent ") {
		t.Errorf("no shortfall reported for a phase at 1,000,000/s:\nstdout:\n%s\nstderr:\n%s", &stdout, &stderr)
	}
}
