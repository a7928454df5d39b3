package main

import (
	"bytes"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestReadVersion(t *testing.T) {
	info := func(main string, settings ...string) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) {
			bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/ratecheck/ratecheck", Version: main}}
			for i := 0; i+1 < len(settings); i += 2 {
				bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
			}
			return bi, true
		}
	}
	tests := []struct {
		name    string
		ldflags string
		read    func() (*debug.BuildInfo, bool)
		short   string
	}{
		{"go install at a tag", "dev", info("v1.2.3"), "v1.2.3 (go1.26.8)"},
		{"built in a clone", "dev", info("v0.0.0-20261204171136-0123456789ab", "vcs.revision", "0123456789abcdef0123", "vcs.time", "2026-12-04T17:11:36Z", "vcs.modified", "false"),
			"v0.0.0-20261204171136-0123456789ab (commit 0123456789ab, go1.26.8)"},
		{"dirty tree", "dev", info("(devel)", "vcs.revision", "0123456789abcdef0123", "vcs.modified", "true"), "dev (commit 0123456789ab+modified, go1.26.8)"},
		{"ldflags win", "v9.9.9", info("v1.2.3"), "v9.9.9 (go1.26.8)"},
		{"no build info", "dev", func() (*debug.BuildInfo, bool) { return nil, false }, "dev (" + runtime.Version() + ")"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := readVersion(tt.ldflags, tt.read).Short(); got != tt.short {
				t.Errorf("Short() = %q; want %q", got, tt.short)
			}
		})
	}
}

// TestVersionCommand checks that `ratecheck version` and `--version` print the
// same facts, from this binary's build info.
func TestVersionCommand(t *testing.T) {
	want := currentVersion().Long()
	if !strings.Contains(want, runtime.Version()) {
		t.Fatalf("version text %q lacks the Go version %s", want, runtime.Version())
	}
	for _, args := range [][]string{{"version"}, {"--version"}} {
		var out, errb bytes.Buffer
		env := &Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
		if code := run(t.Context(), env, args); code != 0 {
			t.Fatalf("ratecheck %v exited %d: %s", args, code, errb.String())
		}
		if out.String() != want {
			t.Errorf("ratecheck %v printed %q; want %q", args, out.String(), want)
		}
	}
}
