package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ratecheck/ratecheck/results"
)

// storedObservations decodes the observations a run directory holds (its
// observations.bin, compressed, or an old run's observations.jsonl) as JSON
// lines, so that tests can count them and search them for what must never
// be stored. A last block cut short is left out, as 'ratecheck report'
// leaves it out.
func storedObservations(dir string) (lines []byte, n int, err error) {
	run, err := results.Open(dir)
	if err != nil {
		// meta.json not written yet: read the observations alone.
		run = &results.Run{Dir: dir}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for o, err := range run.Observations() {
		if err != nil {
			return buf.Bytes(), n, err
		}
		enc.Encode(o)
		n++
	}
	return buf.Bytes(), n, nil
}

// countObservations is how many observations dir's run holds.
func countObservations(t *testing.T, dir string) int {
	t.Helper()
	_, n, err := storedObservations(dir)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// waitObservations waits until the run in dir holds at least n
// observations.
func waitObservations(t *testing.T, dir string, n int, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		if _, got, _ := storedObservations(dir); got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: fewer than %d observations after %v", dir, n, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cmdObservations writes the observations of a run directory as JSON lines
// to a file, for grep:
//
//	observations run1 run1.jsonl
func cmdObservations(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: observations RUN_DIR FILE")
	}
	b, _, err := storedObservations(ts.MkAbs(args[0]))
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), b, 0o644))
}

// hasObservations reports whether the run directory holds an observation.
func hasObservations(dir string) bool {
	if _, err := os.Stat(filepath.Join(dir, results.ObservationsFile)); err != nil {
		return false
	}
	_, n, _ := storedObservations(dir)
	return n > 0
}
