package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/scenarios"
)

// TestReadmeIsTrue checks what a newcomer relies on in README.md on a fresh
// clone: the Go version it names is the one go.mod needs, every relative link
// and image resolves inside the repository, and every file path it quotes
// exists.
func TestReadmeIsTrue(t *testing.T) {
	root := filepath.Join("..", "..")
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)

	goLine := regexp.MustCompile(`(?m)^go (\S+)$`).FindStringSubmatch(string(gomod))
	if goLine == nil {
		t.Fatal("go.mod has no go line")
	}
	for _, m := range regexp.MustCompile(`Go (1\.\d+(?:\.\d+)?)`).FindAllStringSubmatch(text, -1) {
		if m[1] != goLine[1] && !strings.Contains(text, "Go "+m[1]+"+") {
			t.Errorf("README names Go %s; go.mod needs %s", m[1], goLine[1])
		}
	}

	for _, m := range regexp.MustCompile(`\]\(([^)\s]+)\)`).FindAllStringSubmatch(text, -1) {
		link := m[1]
		if strings.Contains(link, "://") || strings.HasPrefix(link, "#") || strings.HasPrefix(link, "mailto:") {
			continue
		}
		link, _, _ = strings.Cut(link, "#")
		if _, err := os.Stat(filepath.Join(root, link)); err != nil {
			t.Errorf("README links to %s, which does not exist", m[1])
		}
	}

	// Paths quoted as code: `docs/ci.md`, `scenarios/copilot.yaml`, `bench/README.md`.
	quoted := regexp.MustCompile("`((?:docs|scenarios|bench|scripts|internal|cmd|report|conformance|results|attack|schema)/[^`\\s<>*]*[^`\\s<>*/.])`")
	for _, m := range quoted.FindAllStringSubmatch(text, -1) {
		if strings.Contains(m[1], "…") { // an elided name, such as docs/apis/000_…
			continue
		}
		if _, err := os.Stat(filepath.Join(root, m[1])); err != nil {
			t.Errorf("README quotes the path %s, which does not exist", m[1])
		}
	}
}

// TestReadmePlanNumbers: the requests and quota shares the README quotes for
// Copilot's full and lean plans, and the requests for the Users API's, are
// what `ratecheck plan` computes today (they went stale once when the
// contract phases were added).
func TestReadmePlanNumbers(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(readme)), " ")
	sc, err := scenarios.Load(filepath.Join("..", "..", "scenarios", "copilot.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lean   bool
		format string // with the monthly charge's requests and share
	}{
		{false, "the full Copilot plan sends %d requests, %s of a Starter plan's 2,000 a month"},
		{true, "(%d for Copilot's 20/s, %s of Starter)"},
	} {
		pf := planFlags{Lean: tc.lean}
		p, err := pf.plan(sc, plan.AffordQuotas(plan.DefaultMaxShare, 0))
		if err != nil {
			t.Fatal(err)
		}
		var monthly *plan.Charge
		for i, c := range p.Charges {
			if c.Limit == "monthly" {
				monthly = &p.Charges[i]
			}
		}
		if monthly == nil {
			t.Fatalf("copilot's plan charges no monthly quota: %+v", p.Charges)
		}
		if want := fmt.Sprintf(tc.format, monthly.Requests, formatShare(monthly.Share)); !strings.Contains(text, want) {
			t.Errorf("README lacks %q (lean %v): `ratecheck plan` says so today", want, tc.lean)
		}
	}
	users, err := scenarios.Load(filepath.Join("..", "..", "scenarios", "users.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var sent [2]int64
	for i, lean := range []bool{true, false} {
		p, err := (&planFlags{Lean: lean}).plan(users, plan.AffordQuotas(plan.DefaultMaxShare, 0))
		if err != nil {
			t.Fatal(err)
		}
		for _, ph := range p.Phases {
			sent[i] += ph.Requests
		}
	}
	if want := fmt.Sprintf("(%d requests for the Users API's 100 a minute, against the full plan's %d)", sent[0], sent[1]); !strings.Contains(text, want) {
		t.Errorf("README lacks %q: `ratecheck plan` says so today", want)
	}
}

// TestExitStatusesAreDocumented checks that the README's exit status table
// and the help name exactly the statuses exit.go decides.
func TestExitStatusesAreDocumented(t *testing.T) {
	want := []int{exitPass, exitFail, exitUsage, exitInconclusive, exitSIGINT, exitSIGTERM}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "### Exit status\n")
	if !ok {
		t.Fatal(`README.md has no "### Exit status" section`)
	}
	section, _, _ = strings.Cut(strings.TrimLeft(section, "\n"), "\n\n") // the table
	var rows []int
	for _, m := range regexp.MustCompile(`(?m)^\| (\d+) \|`).FindAllStringSubmatch(section, -1) {
		var n int
		fmt.Sscan(m[1], &n)
		rows = append(rows, n)
	}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Errorf("README.md's exit status table lists %v; exit.go decides %v", rows, want)
	}
	for _, n := range want {
		if !regexp.MustCompile(fmt.Sprintf(`\b%d\b`, n)).MatchString(exitStatusHelp) {
			t.Errorf("the help's exit statuses do not name %d:\n%s", n, exitStatusHelp)
		}
	}
}
