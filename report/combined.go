package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/ratecheck/ratecheck/conformance/check"
)

// combinedOrder ranks verdicts for Combined, most telling first: a proven
// defect in any run is the news; then a run that did not carry out its plan
// (the invocation as a whole did not finish); then a run whose evidence
// settled nothing. Only runs that all passed pass.
var combinedOrder = []check.Status{check.Fail, check.Incomplete, check.Inconclusive}

// Combined is the verdict of several runs judged together (the scenarios of
// one invocation): FAIL if any run failed, else INCOMPLETE if any did not
// carry out its plan, else INCONCLUSIVE if any settled nothing, else PASS.
// A run with no verdict counts as INCOMPLETE. The reason names the runs that
// decided it, with their own reasons.
func Combined(rs []*Report) (check.Status, string) {
	if len(rs) == 0 {
		return check.Incomplete, "no scenario was run"
	}
	for _, s := range combinedOrder {
		var why []string
		for _, r := range rs {
			if verdictOrIncomplete(r) == s {
				why = append(why, titleOf(r)+": "+oneLine(r.VerdictReason))
			}
		}
		if len(why) > 0 {
			return s, strings.Join(why, "; ")
		}
	}
	return check.Pass, fmt.Sprintf("every one of the %d scenarios passed", len(rs))
}

// verdictOrIncomplete is r's verdict, and INCOMPLETE when it has none.
func verdictOrIncomplete(r *Report) check.Status {
	switch r.Verdict {
	case check.Pass, check.Fail, check.Inconclusive:
		return r.Verdict
	}
	return check.Incomplete
}

// WriteMarkdownRuns writes the reports of several runs (the scenarios of one
// invocation) as one Markdown document: the combined verdict (Combined) and a
// table of the runs, then each run's report as WriteMarkdown writes it.
func WriteMarkdownRuns(w io.Writer, rs []*Report) error {
	status, reason := Combined(rs)
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "## ratecheck: %d scenarios: **%s**\n\n**%s**: %s\n\n", len(rs), verdictOf(status).Label, verdictOf(status).Label, mdQuoted(reason))
	buf.WriteString("| Scenario | Verdict | Why |\n|---|---|---|\n")
	for _, r := range rs {
		fmt.Fprintf(&buf, "| %s | **%s** | %s |\n", mdText(titleOf(r)), verdictOf(verdictOrIncomplete(r)).Label, mdQuoted(r.VerdictReason))
	}
	for _, r := range rs {
		buf.WriteString("\n")
		if err := WriteMarkdown(&buf, r); err != nil {
			return err
		}
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("report: write markdown: %w", err)
	}
	return nil
}
