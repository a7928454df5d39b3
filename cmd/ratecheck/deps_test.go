package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestDependencyDirection fails when a package imports one it must not: the
// data flow of DESIGN.md runs one way, and the reference target shares no code
// with the conformance models that judge it.
func TestDependencyDirection(t *testing.T) {
	t.Parallel()
	const mod = "github.com/ratecheck/ratecheck/"
	forbidden := map[string][]string{
		"conformance": {"attack", "report", "internal/", "std:net/http", "conformance/spill"},
		// Inside conformance, dependencies run one way: check and records at the
		// bottom, then series, model, response, contract, and the Judge on top;
		// the response checks take the family they need from the Judge.
		"conformance/check":    {"attack", "conformance", "report", "scenarios", "plan", "internal/", "std:net/http"},
		"conformance/records":  {"attack", "report", "internal/", "std:net/http", "conformance/spill", "conformance/series", "conformance/model", "conformance/response", "conformance/contract"},
		"conformance/series":   {"attack", "report", "internal/", "std:net/http", "conformance/spill", "conformance/model", "conformance/response", "conformance/contract"},
		"conformance/model":    {"attack", "report", "internal/", "std:net/http", "conformance/spill", "conformance/response", "conformance/contract"},
		"conformance/response": {"attack", "report", "internal/", "std:net/http", "conformance/spill", "conformance/series", "conformance/model", "conformance/contract"},
		"conformance/contract": {"attack", "report", "internal/", "std:net/http", "conformance/spill"},
		"conformance/spill":    {"attack", "conformance", "report", "results", "scenarios", "plan", "internal/"},
		"attack":               {"conformance", "report", "internal/"},
		"scenarios":            {"plan", "attack", "conformance", "report", "results", "internal/"},
		"plan":                 {"attack", "conformance", "report", "results", "internal/"},
		"results":              {"attack", "conformance", "report", "scenarios", "plan", "internal/"},
		"results/metrics":      {"attack", "conformance", "report", "scenarios", "plan", "internal/"},
		"results/merge":        {"attack", "conformance", "report", "internal/"},
		"report":               {"attack", "internal/"},
		"report/dashboard":     {"attack", "internal/"},
		"internal/reftarget":   {"conformance", "attack", "report", "results"},
		"internal/limiter":     {"conformance", "attack", "report", "results", "scenarios", "plan"},
		"internal/runner":      {"report"},
		"internal/runreport":   {"report/dashboard", "internal/reftarget"},
		"internal/gcpolicy":    {"attack", "conformance", "headers", "report", "results", "scenarios", "plan", "internal/runner"},
		"headers":              {"std:net/http"},
	}
	// One go list for every package (each call costs a quarter second):
	// a line per package, its import path and then its dependencies.
	args := []string{"list", "-f", "{{.ImportPath}} {{join .Deps \" \"}}"}
	for pkg := range forbidden {
		args = append(args, mod+pkg)
	}
	out, err := exec.Command("go", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	listed := 0
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		pkg := strings.TrimPrefix(f[0], mod)
		bad, ok := forbidden[pkg]
		if !ok {
			t.Fatalf("go list named %s, which was not asked for", f[0])
		}
		listed++
		for _, dep := range f[1:] {
			for _, b := range bad {
				if forbids(mod, b, dep) {
					t.Errorf("%s depends on %s; DESIGN.md forbids %s -> %s", pkg, dep, pkg, b)
				}
			}
		}
	}
	if listed != len(forbidden) {
		t.Fatalf("go list listed %d of the %d packages", listed, len(forbidden))
	}
}

// TestJudgingIsPure fails when a package of conformance other than
// conformance/spill imports file, network or process I/O itself: judging is a
// pure function of the observations and the scenario (DESIGN.md), and the
// records that outgrow memory go to storage the caller hands in.
func TestJudgingIsPure(t *testing.T) {
	const mod = "github.com/ratecheck/ratecheck/"
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", mod+"conformance/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list conformance/...: %v\n%s", err, out)
	}
	impure := []string{"os", "os/exec", "io/ioutil", "path/filepath", "net", "net/http", "syscall"}
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		if len(f) == 0 || f[0] == mod+"conformance/spill" {
			continue
		}
		for _, imp := range f[1:] {
			if slices.Contains(impure, imp) {
				t.Errorf("%s imports %s; judging must do no I/O (storage goes through conformance/spill, wired by the caller)", f[0], imp)
			}
		}
	}
}

// forbids reports whether dep is the forbidden package b or inside it. b is a
// module package ("attack"), a module folder ending in "/" ("internal/"), or a
// standard library package marked "std:" ("std:net/http").
func forbids(mod, b, dep string) bool {
	if std, ok := strings.CutPrefix(b, "std:"); ok {
		return dep == std
	}
	target := mod + b
	if strings.HasSuffix(b, "/") {
		return strings.HasPrefix(dep, target)
	}
	return dep == target || strings.HasPrefix(dep, target+"/")
}

// TestHeadersStdlibOnly fails when the package that owns the header
// conventions imports anything beyond the standard library: the scenario
// loader, the checker and the reference target all build on it.
func TestHeadersStdlibOnly(t *testing.T) {
	const pkg = "github.com/ratecheck/ratecheck/headers"
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg).CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep != pkg {
			t.Errorf("%s depends on %s; it may import only the standard library", pkg, dep)
		}
	}
}
