package report_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ratecheck/ratecheck/report"
)

func TestWriteFileCreatesDirsAndWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "report.json")
	r := failingReport()
	if err := report.WriteFile(path, report.WriteJSON, r); err != nil {
		t.Fatalf("WriteFile(%s) error: %v", path, err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := render(t, report.WriteJSON, r); string(got) != string(want) {
		t.Errorf("WriteFile wrote %d bytes that differ from WriteJSON's %d", len(got), len(want))
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := info.Mode().Perm(), os.FileMode(0o644); got != want {
		t.Errorf("WriteFile mode = %v; want %v", got, want)
	}
	assertOnlyFile(t, filepath.Dir(path), "report.json")
}

func TestWriteFileReplaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.md")
	if err := os.WriteFile(path, []byte(strings.Repeat("old ", 10000)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteFile(path, report.WriteMarkdown, passingReport()); err != nil {
		t.Fatalf("WriteFile error: %v", err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(got), "old") || !strings.HasPrefix(string(got), "## ratecheck: copilot") {
		t.Errorf("WriteFile did not replace the old file; it starts %q", got[:40])
	}
}

func TestWriteFileKeepsOldFileOnError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	partial := func(w io.Writer, _ *report.Report) error {
		io.WriteString(w, "half a report")
		return boom
	}
	err := report.WriteFile(path, partial, passingReport())
	if !errors.Is(err, boom) {
		t.Errorf("WriteFile with a failing writer = %v; want it to wrap %v", err, boom)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("after a failed WriteFile the file holds %q; want %q", got, "old")
	}
	assertOnlyFile(t, dir, "report.html")
}

func TestWriteFileErrors(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		path  string
		write func(io.Writer, *report.Report) error
	}{
		{"nil writer", filepath.Join(dir, "r.json"), nil},
		{"parent is a file", filepath.Join(blocker, "r.json"), report.WriteJSON},
		{"path is a directory", dir, report.WriteJSON},
		{"nil report", filepath.Join(dir, "nil.json"), report.WriteJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := passingReport()
			if tt.name == "nil report" {
				r = nil
			}
			if err := report.WriteFile(tt.path, tt.write, r); err == nil {
				t.Errorf("WriteFile(%s) = nil; want an error", tt.path)
			}
		})
	}
	assertOnlyFile(t, dir, "file")
}

// assertOnlyFile fails unless dir holds exactly the named file (no temporary files left).
func assertOnlyFile(t *testing.T, dir, name string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 1 || names[0] != name {
		t.Errorf("%s holds %v; want only %s", dir, names, name)
	}
}
