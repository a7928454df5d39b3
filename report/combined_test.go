package report_test

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/report"
)

func named(r *report.Report, name string) *report.Report {
	r.Scenario.Name = name
	return r
}

func TestCombined(t *testing.T) {
	pass, fail := named(passingReport(), "p"), named(failingReport(), "f")
	incomplete, inconclusive := named(incompleteReport(), "i"), named(inconclusiveReport(), "n")
	noVerdict := &report.Report{Scenario: report.ScenarioInfo{Name: "x"}}
	tests := []struct {
		name string
		rs   []*report.Report
		want check.Status
		who  []string // the runs the reason names
	}{
		{"all pass", []*report.Report{pass, pass}, check.Pass, nil},
		{"one fail among all", []*report.Report{pass, inconclusive, fail, incomplete}, check.Fail, []string{"f: "}},
		{"incomplete over inconclusive", []*report.Report{inconclusive, pass, incomplete}, check.Incomplete, []string{"i: "}},
		{"inconclusive over pass", []*report.Report{pass, inconclusive}, check.Inconclusive, []string{"n: "}},
		{"no verdict is incomplete", []*report.Report{pass, noVerdict}, check.Incomplete, []string{"x: "}},
		{"two failures named", []*report.Report{fail, pass, named(failingReport(), "g")}, check.Fail, []string{"f: ", "g: "}},
		{"none", nil, check.Incomplete, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reason := report.Combined(tt.rs)
			if got != tt.want {
				t.Errorf("Combined = %s (%s); want %s", got, reason, tt.want)
			}
			for _, w := range tt.who {
				if !strings.Contains(reason, w) {
					t.Errorf("reason %q does not name %q", reason, w)
				}
			}
			if got != check.Pass && strings.Contains(reason, "p: ") {
				t.Errorf("reason %q names the passing run", reason)
			}
		})
	}
}

func TestWriteJUnitRunsOneSuiteEach(t *testing.T) {
	rs := []*report.Report{named(failingReport(), "first"), named(passingReport(), "second"), named(inconclusiveReport(), "third")}
	var buf bytes.Buffer
	if err := report.WriteJUnitRuns(&buf, rs); err != nil {
		t.Fatal(err)
	}
	var doc xSuites
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, &buf)
	}
	if len(doc.Suites) != len(rs) {
		t.Fatalf("%d suites; want %d", len(doc.Suites), len(rs))
	}
	var tests, failures, skipped int
	for i, s := range doc.Suites {
		var one xSuites
		var single bytes.Buffer
		if err := report.WriteJUnit(&single, rs[i]); err != nil {
			t.Fatal(err)
		}
		if err := xml.Unmarshal(single.Bytes(), &one); err != nil {
			t.Fatal(err)
		}
		if want := one.Suites[0]; s.Name != want.Name || s.Tests != want.Tests || s.Failures != want.Failures || s.Errors != want.Errors || len(s.Cases) != len(want.Cases) {
			t.Errorf("suite %d = %s %d tests %d failures %d errors; want it as WriteJUnit writes it alone: %s %d %d %d",
				i, s.Name, s.Tests, s.Failures, s.Errors, want.Name, want.Tests, want.Failures, want.Errors)
		}
		tests, failures, skipped = tests+s.Tests, failures+s.Failures, skipped+s.Skipped
	}
	if doc.Tests != tests || doc.Failures != failures || doc.Skipped != skipped {
		t.Errorf("testsuites counts %d/%d/%d; want the suites' sums %d/%d/%d", doc.Tests, doc.Failures, doc.Skipped, tests, failures, skipped)
	}
	if err := report.WriteJUnitRuns(&buf, nil); err == nil {
		t.Error("WriteJUnitRuns(nil) wrote a document with no suite")
	}
}

func TestWriteMarkdownRuns(t *testing.T) {
	rs := []*report.Report{named(passingReport(), "first"), named(failingReport(), "second")}
	var buf bytes.Buffer
	if err := report.WriteMarkdownRuns(&buf, rs); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	for _, want := range []string{
		"## ratecheck: 2 scenarios: **FAIL**\n",
		"| first | **PASS** | ",
		"| second | **FAIL** | ",
		"## ratecheck: first",
		"## ratecheck: second",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Index(md, "## ratecheck: first") > strings.Index(md, "## ratecheck: second") {
		t.Error("the runs are not in the order given")
	}
}
