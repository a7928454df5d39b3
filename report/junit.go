package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/results"
)

// The JUnit XML shapes, as read by GitLab, Jenkins and the GitHub test reporters:
// one suite per run, one test case per check.
type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Skipped  int          `xml:"skipped,attr"`
		Time     string       `xml:"time,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name       string          `xml:"name,attr"`
		Tests      int             `xml:"tests,attr"`
		Failures   int             `xml:"failures,attr"`
		Errors     int             `xml:"errors,attr"`
		Skipped    int             `xml:"skipped,attr"`
		Time       string          `xml:"time,attr"`
		Timestamp  string          `xml:"timestamp,attr,omitempty"`
		Properties []junitProperty `xml:"properties>property"`
		Cases      []junitCase     `xml:"testcase"`
		SystemOut  string          `xml:"system-out,omitempty"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		Time      string        `xml:"time,attr"`
		Failure   *junitFailure `xml:"failure"`
		Error     *junitFailure `xml:"error"`
		Skipped   *junitSkipped `xml:"skipped"`
		SystemOut string        `xml:"system-out,omitempty"`
	}
	junitFailure struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
	junitSkipped struct {
		Message string `xml:"message,attr"`
	}
)

// WriteJUnit writes r as JUnit XML: a <testsuite name="ratecheck: SCENARIO">
// with the target, plan and verdict as properties and one <testcase
// classname="SCENARIO.LIMIT" name="CHECK-ID"> per check. A failed check has a
// <failure type="CHECK-ID"> whose text is the evidence; a skipped one has
// <skipped message="REASON">; a passed one keeps its message in <system-out>.
func WriteJUnit(w io.Writer, r *Report) error {
	return WriteJUnitRuns(w, []*Report{r})
}

// WriteJUnitRuns writes the reports of several runs (the scenarios of one
// invocation, in the order they ran) as one JUnit XML document: one
// <testsuite> per run, as WriteJUnit writes it, under one <testsuites> whose
// counts add them up.
func WriteJUnitRuns(w io.Writer, rs []*Report) error {
	if len(rs) == 0 {
		return fmt.Errorf("report: write junit: %w", errNilReport)
	}
	for _, r := range rs {
		if r == nil {
			return fmt.Errorf("report: write junit: %w", errNilReport)
		}
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("report: write junit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(junitOf(rs)); err != nil {
		return fmt.Errorf("report: write junit: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("report: write junit: %w", err)
	}
	return nil
}

// junitOf builds the XML document for the runs rs.
func junitOf(rs []*Report) junitSuites {
	doc := junitSuites{Name: "ratecheck"}
	var total time.Duration
	targets := map[string]bool{}
	for _, r := range rs {
		s := junitSuiteOf(r)
		doc.Suites = append(doc.Suites, s)
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		doc.Skipped += s.Skipped
		total += max(runDuration(r), 0)
		targets[results.TargetName(r.Target, r.BuiltinTarget)] = true
	}
	doc.Time = strconv.FormatFloat(total.Seconds(), 'f', 3, 64)
	if t := results.TargetName(rs[0].Target, rs[0].BuiltinTarget); t != "" && len(targets) == 1 {
		doc.Name += " against " + t
	}
	return doc
}

// junitSuiteOf is the suite of one run.
func junitSuiteOf(r *Report) junitSuite {
	pass, fail, skip := r.Counts()
	secs := "0.000"
	if d := runDuration(r); d > 0 {
		secs = strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
	}
	suite := junitSuite{
		Name:  "ratecheck: " + titleOf(r),
		Tests: pass + fail + skip, Failures: fail, Skipped: skip,
		Time:       secs,
		Properties: junitProperties(r),
		SystemOut:  strings.Join(r.Notes, "\n"),
	}
	if !r.Started.IsZero() {
		suite.Timestamp = r.Started.UTC().Format("2006-01-02T15:04:05")
	}
	for _, c := range r.Checks {
		suite.Cases = append(suite.Cases, junitCaseOf(titleOf(r), c))
	}
	if tc, ok := junitVerdictCase(r); ok {
		suite.Cases = append(suite.Cases, tc)
		suite.Tests++
		suite.Errors = 1
	}
	return suite
}

// junitVerdictCase is the test case "verdict" of a run that reached no
// verdict (inconclusive or incomplete): an <error> with the reason, so that a
// CI reporter never shows such a run as green.
func junitVerdictCase(r *Report) (junitCase, bool) {
	if r.Verdict == check.Pass || r.Verdict == check.Fail {
		return junitCase{}, false
	}
	label := verdictOf(r.Verdict).Label
	msg := label
	if r.VerdictReason != "" {
		msg += ": " + oneLine(r.VerdictReason)
	}
	return junitCase{Name: "verdict", Classname: titleOf(r), Time: "0",
		Error: &junitFailure{Message: msg, Type: label, Text: msg}}, true
}

// junitProperties are the run's facts as <property> elements.
func junitProperties(r *Report) []junitProperty {
	props := []junitProperty{
		{"target", results.RedactTarget(r.Target)},
		{"builtin_target", strconv.FormatBool(r.BuiltinTarget)},
		{"plan", r.Scenario.Plan},
		{"tested_limit", r.Scenario.Tested},
		{"fingerprint", fingerprintText(r.Fingerprint)},
		{"measured_recovery", recoveryText(r.Recovery)},
		{"verdict", string(r.Verdict)},
		{"verdict_reason", r.VerdictReason},
		{"interrupted", strconv.FormatBool(r.Interrupted)},
		{"scenario_file", r.Scenario.File},
		{"source", r.Scenario.Source},
		{"run_id", r.RunID},
		{"tool", r.Tool},
	}
	out := props[:0]
	for _, p := range props {
		if p.Value != "" {
			out = append(out, p)
		}
	}
	return out
}

// junitCaseOf is the test case of one check.
func junitCaseOf(scenario string, c check.Result) junitCase {
	class := scenario
	if c.Limit != "" {
		class += "." + c.Limit
	}
	tc := junitCase{Name: string(c.ID), Classname: class, Time: "0"}
	switch c.Status {
	case check.Pass:
		tc.SystemOut = c.Message
	case check.Fail:
		tc.Failure = &junitFailure{Message: oneLine(c.Message), Type: string(c.ID), Text: evidenceText(c)}
	default:
		tc.Skipped = &junitSkipped{Message: oneLine(c.Message)}
	}
	return tc
}

// evidenceText is a failure's evidence as plain text with aligned columns.
func evidenceText(c check.Result) string {
	var b strings.Builder
	b.WriteString(c.Message + "\n")
	ev := evidenceOf(c.Evidence)
	if ev == nil {
		return b.String()
	}
	b.WriteString("\nExpected: " + ev.Expected + "\n\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "seq\tphase\toffset\tlatency\tstatus\theaders\tnote")
	for _, rq := range ev.Requests {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", rq.Seq, oneLine(rq.Phase), rq.Offset,
			rq.Latency, rq.Status, oneLine(strings.Join(rq.Headers, "; ")), oneLine(rq.Note))
	}
	tw.Flush()
	if ev.More != "" {
		b.WriteString(ev.More + "\n")
	}
	return b.String()
}
