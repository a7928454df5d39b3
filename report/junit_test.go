package report_test

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/report"
)

// The JUnit shape as a CI system reads it, declared independently of the writer.
type (
	xSuites struct {
		XMLName  xml.Name `xml:"testsuites"`
		Tests    int      `xml:"tests,attr"`
		Failures int      `xml:"failures,attr"`
		Skipped  int      `xml:"skipped,attr"`
		Suites   []xSuite `xml:"testsuite"`
	}
	xSuite struct {
		Name       string      `xml:"name,attr"`
		Tests      int         `xml:"tests,attr"`
		Failures   int         `xml:"failures,attr"`
		Errors     int         `xml:"errors,attr"`
		Skipped    int         `xml:"skipped,attr"`
		Time       string      `xml:"time,attr"`
		Properties []xProperty `xml:"properties>property"`
		Cases      []xCase     `xml:"testcase"`
	}
	xProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	xCase struct {
		Name      string `xml:"name,attr"`
		Classname string `xml:"classname,attr"`
		Failure   *struct {
			Message string `xml:"message,attr"`
			Type    string `xml:"type,attr"`
			Text    string `xml:",chardata"`
		} `xml:"failure"`
		Skipped *struct {
			Message string `xml:"message,attr"`
		} `xml:"skipped"`
	}
)

func TestWriteJUnitParses(t *testing.T) {
	tests := []struct {
		name                     string
		r                        *report.Report
		tests, failures, skipped int
	}{
		{"failing", failingReport(), 6, 2, 2},
		{"passing", passingReport(), 3, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc xSuites
			if err := xml.Unmarshal(render(t, report.WriteJUnit, tt.r), &doc); err != nil {
				t.Fatalf("xml.Unmarshal(WriteJUnit(r)) error: %v", err)
			}
			if len(doc.Suites) != 1 {
				t.Fatalf("WriteJUnit wrote %d suites; want 1", len(doc.Suites))
			}
			s := doc.Suites[0]
			got := [...]int{doc.Tests, doc.Failures, doc.Skipped, s.Tests, s.Failures, s.Skipped, len(s.Cases), s.Errors}
			want := [...]int{tt.tests, tt.failures, tt.skipped, tt.tests, tt.failures, tt.skipped, tt.tests, 0}
			if got != want {
				t.Errorf("WriteJUnit counts (suites t/f/s, suite t/f/s, cases, errors) = %v; want %v", got, want)
			}
			if want := "ratecheck: copilot"; s.Name != want {
				t.Errorf("suite name = %q; want %q", s.Name, want)
			}
			var fails, skips int
			for _, c := range s.Cases {
				if c.Failure != nil {
					fails++
				}
				if c.Skipped != nil {
					skips++
				}
			}
			if fails != tt.failures || skips != tt.skipped {
				t.Errorf("cases with <failure>, <skipped> = %d, %d; want %d, %d", fails, skips, tt.failures, tt.skipped)
			}
		})
	}
}

func TestWriteJUnitCases(t *testing.T) {
	r := failingReport()
	var doc xSuites
	if err := xml.Unmarshal(render(t, report.WriteJUnit, r), &doc); err != nil {
		t.Fatalf("xml.Unmarshal error: %v", err)
	}
	s := doc.Suites[0]
	if len(s.Cases) != len(r.Checks) {
		t.Fatalf("got %d cases; want %d", len(s.Cases), len(r.Checks))
	}
	for i, c := range r.Checks {
		tc := s.Cases[i]
		if tc.Name != string(c.ID) || tc.Classname != "copilot."+c.Limit {
			t.Errorf("case %d = %s/%s; want copilot.%s/%s", i, tc.Classname, tc.Name, c.Limit, c.ID)
		}
		switch c.Status {
		case check.Fail:
			if tc.Failure == nil || tc.Failure.Type != string(c.ID) || tc.Failure.Message != c.Message {
				t.Errorf("case %s failure = %+v; want type %s and message %q", c.ID, tc.Failure, c.ID, c.Message)
				continue
			}
			for _, want := range []string{"Expected: " + c.Evidence.Expected, "seq", c.Evidence.Requests[0].Note} {
				if !strings.Contains(tc.Failure.Text, want) {
					t.Errorf("case %s failure text lacks %q:\n%s", c.ID, want, tc.Failure.Text)
				}
			}
		case check.Skip:
			if tc.Skipped == nil || tc.Skipped.Message != c.Message {
				t.Errorf("case %s skipped = %+v; want message %q", c.ID, tc.Skipped, c.Message)
			}
		}
	}
	if !strings.Contains(s.Cases[1].Failure.Text, "+17 more") {
		t.Errorf("limit.enforced failure text lacks the omitted count:\n%s", s.Cases[1].Failure.Text)
	}
	props := map[string]string{}
	for _, p := range s.Properties {
		props[p.Name] = p.Value
	}
	want := map[string]string{"target": r.Target, "plan": "starter", "verdict": "fail"}
	for k, v := range want {
		if props[k] != v {
			t.Errorf("property %s = %q; want %q", k, props[k], v)
		}
	}
}

func TestWriteJUnitClassnameWithoutLimit(t *testing.T) {
	r := &report.Report{Scenario: report.ScenarioInfo{Name: "s"}, Verdict: check.Pass, Checks: []check.Result{
		{ID: check.BodyErrorFormat, Status: check.Pass},
		{ID: "auth.missing-key", Status: "weird"},
	}}
	var doc xSuites
	if err := xml.Unmarshal(render(t, report.WriteJUnit, r), &doc); err != nil {
		t.Fatalf("xml.Unmarshal error: %v", err)
	}
	var got []string
	for _, c := range doc.Suites[0].Cases {
		got = append(got, c.Classname+"/"+c.Name)
	}
	if diff := cmp.Diff([]string{"s/body.error-format", "s/auth.missing-key"}, got); diff != "" {
		t.Errorf("cases mismatch (-want +got):\n%s", diff)
	}
	if doc.Suites[0].Cases[1].Skipped == nil {
		t.Errorf("a check with an unknown status is not reported as skipped")
	}
}

func TestWriteJUnitInvalidXMLCharacters(t *testing.T) {
	r := &report.Report{Checks: []check.Result{
		{ID: check.LimitStatus, Status: check.Fail, Message: "body had \x00\x1b[31m bytes"},
	}}
	var doc xSuites
	if err := xml.Unmarshal(render(t, report.WriteJUnit, r), &doc); err != nil {
		t.Errorf("xml.Unmarshal(WriteJUnit(r with control bytes)) error: %v", err)
	}
}
