package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/report"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// failedReport is a finished run with one failing check and its evidence.
func failedReport() *report.Report {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return &report.Report{
		Started: start, Finished: start.Add(12 * time.Second), Verdict: check.Fail, Requests: 260,
		Checks: []check.Result{
			{ID: check.LimitNoEarlyReject, Limit: "per-second", Status: check.Pass, Message: "no 429 under the limit"},
			{ID: check.LimitEnforced, Limit: "per-second", Status: check.Fail, Message: "admitted 21 in a 1 s window; the limit is 20",
				Evidence: &check.Evidence{Expected: "at most 20 admitted in any 1 s window", Requests: []check.RequestEvidence{
					{Seq: 41, Phase: "over", Offset: 2512 * time.Millisecond, Status: 200, Note: "admitted #21 in window starting +2.000s"},
				}}},
		},
	}
}

// TestSummaryOutlivesDashboard runs the real dashboard to its final frame and
// then prints the summary: the failing check, its evidence and the report
// paths must be on the normal screen after the dashboard's last picture, as
// they are in --no-tui mode.
func TestSummaryOutlivesDashboard(t *testing.T) {
	t.Parallel()
	var tuiOut, plainOut bytes.Buffer
	rep := failedReport()
	sc := &scenarios.Scenario{Name: "copilot"}
	p := &plan.Plan{Scenario: sc, Tested: -1}

	env := &Env{Stdin: strings.NewReader(""), Stdout: &tuiOut, Stderr: &tuiOut, IsTTY: true, Getenv: func(string) string { return "" }, Now: time.Now}
	v := newProgressView(env, false, p, results.Meta{ScenarioName: "copilot"})
	if !v.tui {
		t.Fatal("progress view did not choose the dashboard on a terminal")
	}
	v.start(t.Context(), func() {})
	v.stop(rep)
	dashboardEnd := tuiOut.Len()
	printSummary(env, rep, "runs/x", []string{"runs/x/report.json"})
	after := tuiOut.String()[dashboardEnd:]

	plain := &Env{Stdout: &plainOut}
	printSummary(plain, rep, "runs/x", []string{"runs/x/report.json"})

	for _, want := range []string{
		"FAIL  limit.enforced",
		"expected: at most 20 admitted in any 1 s window",
		"#41",
		"admitted #21 in window starting +2.000s",
		"verdict: FAIL",
		"reports: runs/x/report.json",
	} {
		if !strings.Contains(after, want) {
			t.Errorf("after the dashboard closed, the screen lacks %q; it got:\n%s", want, after)
		}
	}
	if after != plainOut.String() {
		t.Errorf("summary after the dashboard differs from --no-tui:\n--- after dashboard\n%s\n--- no-tui\n%s", after, plainOut.String())
	}
}

// TestPrintSummaryStripsTerminalEscapes checks that text quoting a target
// (a message, an expectation, an evidence note) cannot drive the terminal.
func TestPrintSummaryStripsTerminalEscapes(t *testing.T) {
	esc := "\x1b[2J\x1b]0;pwned\x07\r"
	r := &report.Report{Verdict: check.Fail, Checks: []check.Result{{
		ID: check.BodyErrorFormat, Status: check.Fail, Message: "body " + esc,
		Evidence: &check.Evidence{Expected: "shape " + esc, Requests: []check.RequestEvidence{{Seq: 1, Status: 429, Note: "note " + esc}}},
	}}}
	var out bytes.Buffer
	printSummary(&Env{Stdout: &out}, r, "", nil)
	if i := bytes.IndexAny(out.Bytes(), "\x1b\x07\r"); i >= 0 {
		t.Errorf("printSummary wrote control byte %q at %d:\n%q", out.Bytes()[i], i, out.String())
	}
	for _, want := range []string{"body ", "shape ", "note "} {
		if !bytes.Contains(out.Bytes(), []byte(want)) {
			t.Errorf("printSummary lost %q:\n%s", want, out.String())
		}
	}
}
