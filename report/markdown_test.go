package report_test

import (
	"strings"
	"testing"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/report"
)

func TestWriteMarkdownVerdictLine(t *testing.T) {
	tests := []struct {
		name string
		r    *report.Report
		want string
	}{
		{"failing", failingReport(), "**FAIL**: 2 failed, 2 passed, 2 skipped (6 checks)\n"},
		{"passing", passingReport(), "**PASS**: 0 failed, 2 passed, 1 skipped (3 checks)\n"},
		{"incomplete", incompleteReport(), "**INCOMPLETE**: 0 failed, 0 passed, 3 skipped (3 checks). the run was stopped by SIGINT before its plan ended, so only what was sent is judged. **Interrupted**: the run stopped before its plan ended.\n"},
		{"inconclusive", inconclusiveReport(), "**INCONCLUSIVE**: 0 failed, 0 passed, 2 skipped (2 checks). every request got 401 Unauthorized: is COPILOT\\_API\\_KEY a valid key?\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(render(t, report.WriteMarkdown, tt.r)); !strings.Contains(got, "\n"+tt.want) {
				t.Errorf("WriteMarkdown output lacks the line %q:\n%s", tt.want, got)
			}
		})
	}
}

func TestWriteMarkdownEscapes(t *testing.T) {
	r := &report.Report{Verdict: check.Fail, Checks: []check.Result{{
		ID: "odd|id`x", Limit: "a|b", Status: check.Fail, Message: "two\nlines | <img src=x> **bold**",
		Evidence: &check.Evidence{Expected: "</details> <summary>", Requests: []check.RequestEvidence{
			{Seq: 1, Phase: "p|q", Headers: map[string]string{"X-A": "<b>", "X-B": "1|2"}, Note: "# heading"},
		}},
	}}, Notes: []string{"- not a list", "1. not a list either", "## nor a heading"}}
	got := string(render(t, report.WriteMarkdown, r))
	for _, want := range []string{
		"| **FAIL** | `odd\\|id'x` | a\\|b | two lines \\| &lt;img src=x&gt; \\*\\*bold\\*\\* |",
		"<details><summary>Evidence for <code>odd|id`x</code> (a|b): 1 request</summary>",
		"Expected: &lt;/details&gt; &lt;summary&gt;",
		"| 1 | p\\|q | +0.000 s | 0.00 ms | error | X-A: &lt;b&gt;<br>X-B: 1\\|2 | \\# heading |",
		"- \\- not a list\n", "- 1\\. not a list either\n", "- \\## nor a heading\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("WriteMarkdown output lacks %q:\n%s", want, got)
		}
	}
	for _, bad := range []string{"<img", "<b>", "</details> <summary>"} {
		if strings.Contains(got, bad) {
			t.Errorf("WriteMarkdown output contains unescaped %q", bad)
		}
	}
}

func TestWriteMarkdownTablesHaveEvenColumns(t *testing.T) {
	got := string(render(t, report.WriteMarkdown, failingReport()))
	var header int
	for i, line := range strings.Split(got, "\n") {
		if !strings.HasPrefix(line, "|") {
			header = 0
			continue
		}
		n := strings.Count(line, "|") - strings.Count(line, `\|`)
		if header == 0 {
			header = n
		} else if n != header {
			t.Errorf("line %d has %d cell separators; its table has %d: %q", i+1, n, header, line)
		}
	}
}

// TestWriteMarkdownMakesNoLinkOfWhatATargetSent checks that URLs quoted from
// a target (in messages, expectations, headers and notes of evidence) do not
// become links, which GitHub makes of bare URLs and of www. names.
func TestWriteMarkdownMakesNoLinkOfWhatATargetSent(t *testing.T) {
	r := &report.Report{Verdict: check.Fail, Checks: []check.Result{{
		ID: "x", Status: check.Fail, Message: `said "http://evil.example/a" and [c](javascript:alert(1))`,
		Evidence: &check.Evidence{Expected: "see www.evil.example", Requests: []check.RequestEvidence{
			{Seq: 1, Headers: map[string]string{"X-RateLimit-Limit": "https://evil.example/h"}, Note: "ftp://evil.example/n"},
		}},
	}}}
	got := string(render(t, report.WriteMarkdown, r))
	for _, bad := range []string{"://evil", "www.evil"} {
		if strings.Contains(got, bad) {
			t.Errorf("WriteMarkdown output holds %q, which renders as a link:\n%s", bad, got)
		}
	}
	if strings.Contains(strings.ReplaceAll(got, `\](`, ""), "](") {
		t.Errorf("WriteMarkdown output holds an unescaped \"](\", which makes a link:\n%s", got)
	}
	if !strings.Contains(got, `http:\/\/evil.example/a`) {
		t.Errorf("WriteMarkdown output lost the quoted URL's text:\n%s", got)
	}
}
