package main

import (
	"os/exec"
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
		"conformance":        {"attack", "report", "internal/", "std:net/http"},
		"attack":             {"conformance", "report", "internal/"},
		"scenarios":          {"attack", "conformance", "report", "results", "internal/"},
		"results":            {"attack", "conformance", "report", "scenarios", "internal/"},
		"results/metrics":    {"attack", "conformance", "report", "scenarios", "internal/"},
		"report":             {"attack", "internal/"},
		"report/dashboard":   {"attack", "internal/"},
		"internal/reftarget": {"conformance", "attack", "report", "results"},
		"internal/limiter":   {"conformance", "attack", "report", "results", "scenarios"},
		"internal/runner":    {"report"},
	}
	for pkg, bad := range forbidden {
		out, err := exec.Command("go", "list", "-deps", mod+pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, b := range bad {
				if forbids(mod, b, dep) {
					t.Errorf("%s depends on %s; DESIGN.md forbids %s -> %s", pkg, dep, pkg, b)
				}
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
