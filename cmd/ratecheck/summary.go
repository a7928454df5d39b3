package main

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/internal/runreport"
	"github.com/ratecheck/ratecheck/report"
)

// printSummary prints the checks and the verdict, failing checks with the
// requests that prove them, then where the reports are. It prints the same
// after the dashboard as in --no-tui mode: the dashboard's picture does not
// outlive the terminal's scrollback, the evidence on the normal screen does.
func printSummary(env *Env, r *report.Report, dir string, written []string) {
	w := env.Stdout
	fmt.Fprintln(w)
	for _, c := range r.Checks {
		limit := c.Limit
		if limit == "" {
			limit = "-"
		}
		fmt.Fprintf(w, "  %-4s  %-24s %-12s %s\n", strings.ToUpper(string(c.Status)), c.ID, printable(limit), printable(c.Message))
		if c.Status == check.Fail && c.Evidence != nil {
			printEvidence(env, c.Evidence)
		}
	}
	if r.Fingerprint != nil && r.Fingerprint.Summary != "" {
		fmt.Fprintf(w, "\nbest explanation: %s\n", printable(r.Fingerprint.Summary))
	}
	if r.Recovery != nil {
		fmt.Fprintf(w, "measured recovery: %s\n", printable(r.Recovery.Summary))
	}
	if !r.Interrupted {
		for _, sf := range runreport.Shortfalls(r.Phases) {
			fmt.Fprintf(w, "warning: %s\n", sf)
		}
	}
	pass, fail, skip := r.Counts()
	fmt.Fprintf(w, "\nverdict: %s  %d passed, %d failed, %d skipped; %d requests in %s\n",
		strings.ToUpper(string(r.Verdict)), pass, fail, skip, r.Requests, r.Finished.Sub(r.Started).Round(10*time.Millisecond))
	if r.Verdict != check.Pass && r.VerdictReason != "" {
		fmt.Fprintf(w, "why: %s\n", r.VerdictReason)
	}
	if dir != "" {
		fmt.Fprintf(w, "run directory: %s\n", dir)
	}
	if len(written) > 0 {
		fmt.Fprintf(w, "reports: %s\n", strings.Join(written, ", "))
	}
}

func printEvidence(env *Env, e *check.Evidence) {
	w := env.Stdout
	fmt.Fprintf(w, "          expected: %s\n", printable(e.Expected))
	shown := e.Requests
	if len(shown) > 6 {
		shown = shown[:6]
	}
	for _, q := range shown {
		fmt.Fprintf(w, "          #%-6d %-9s +%8.3fs  %d", q.Seq, q.Phase, q.Offset.Seconds(), q.Status)
		if q.Note != "" {
			fmt.Fprintf(w, "  %s", printable(q.Note))
		}
		fmt.Fprintln(w)
	}
	if more := len(e.Requests) - len(shown) + e.Omitted; more > 0 {
		fmt.Fprintf(w, "          … %d more in the report\n", more)
	}
}

// printable makes text that may quote a target safe for a terminal: control
// characters (escape sequences, carriage returns, bells) become spaces.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}
