package main

import (
	"path/filepath"
	"testing"
)

func TestRunWrapper(t *testing.T) {
	tests := []struct {
		script string
		want   int
	}{
		{"exit 0", 0},
		{"exit 3", 3},
	}
	for _, tt := range tests {
		file := filepath.Join(t.TempDir(), "usage.json")
		if got := runWrapper([]string{file, "/bin/sh", "-c", tt.script}); got != tt.want {
			t.Errorf("runWrapper(sh -c %q) = %d; want %d", tt.script, got, tt.want)
		}
		u, err := readChildUsage(file)
		if err != nil {
			t.Errorf("sh -c %q: %v", tt.script, err)
			continue
		}
		if u.Exit != tt.want || u.MaxRSS <= 0 {
			t.Errorf("sh -c %q: usage %+v; want exit %d and a positive max RSS", tt.script, u, tt.want)
		}
	}
	if got := runWrapper([]string{filepath.Join(t.TempDir(), "u.json"), "/nonexistent/program"}); got != 2 {
		t.Errorf("runWrapper(missing program) = %d; want 2", got)
	}
	if got := runWrapper(nil); got != 2 {
		t.Errorf("runWrapper(no args) = %d; want 2", got)
	}
}
