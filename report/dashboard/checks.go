package dashboard

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/ratecheck/ratecheck/conformance/check"
)

// Widest id and limit columns; longer ones are cut.
const (
	maxIDWidth    = 24
	maxLimitWidth = 16
)

// checksBlock lists the checks under a header with their counts. When short of
// lines it shows failures first and, with room, sums up the rest on a last
// line.
func (m model) checksBlock() block {
	want := 1 + len(m.frame.Checks)
	for _, c := range m.frame.Checks {
		if evidenceLine(c) != "" {
			want++
		}
	}
	return block{prio: prioChecks, grow: growChecks, min: min(want, 2), max: want, draw: m.checkLines}
}

func (m model) checkLines(n int) []string {
	s, checks := m.common.styles, m.frame.Checks
	head := s.heading.Render("checks")
	if len(checks) == 0 {
		return []string{head + s.dim.Render("  none yet")}
	}
	head += "  " + m.checkCounts(checks)
	fail := m.counts(checks).fail
	if !m.frame.Done {
		head += s.dim.Render("  provisional")
	}
	rows := n - 1
	shown := checks
	var hidden []check.Result
	switch {
	case rows >= len(checks):
		rows = min(rows, len(checks)+fail) // failures may take a line of evidence
	case rows >= 4 && hasEvidence(checks): // a failure's first evidence, then what is not listed
		shown, hidden = pick(checks, rows-2)
	case rows >= 3: // room to say what is not listed
		shown, hidden = pick(checks, rows-1)
	default: // the header's counts say it; list what matters most
		shown, _ = pick(checks, rows)
	}
	idW, limW := columns(checks) // from all checks, so the columns stay put
	lines := []string{head}
	spare := rows - len(shown)
	if len(hidden) > 0 {
		spare--
	}
	for _, c := range shown {
		lines = append(lines, m.checkRow(c, idW, limW))
		if ev := evidenceLine(c); ev != "" && spare > 0 {
			lines = append(lines, "    "+s.dim.Render("└ ")+ev)
			spare--
		}
	}
	if len(hidden) > 0 {
		lines = append(lines, s.dim.Render(fmt.Sprintf("… %d more: ", len(hidden)))+m.checkCounts(hidden))
	}
	return lines
}

// checkRow is one check: symbol, id, limit and message.
func (m model) checkRow(c check.Result, idW, limW int) string {
	s := m.common.styles
	sym, style := "•", s.skip
	switch c.Status {
	case check.Pass:
		sym, style = "✓", s.pass
	case check.Fail:
		sym, style = "✗", s.fail
	}
	msg := c.Message
	if p := m.frame.pending(c); p != "" {
		sym, msg = "○", p
	} else if msg == "" && c.Status != check.Pass && c.Status != check.Fail {
		sym, msg = "○", "pending"
	}
	row := style.Render(sym) + " " + pad(string(c.ID), idW)
	if limW > 0 {
		row += "  " + s.dim.Render(pad(c.Limit, limW))
	}
	if c.Status == check.Fail {
		return row + "  " + msg
	}
	return row + "  " + s.dim.Render(msg)
}

// pick chooses rows checks to list, failures first, keeping their order, and
// returns the others too.
func pick(checks []check.Result, rows int) (shown, hidden []check.Result) {
	keep := make([]bool, len(checks))
	left := rows
	for _, first := range []bool{true, false} {
		for i, c := range checks {
			if left > 0 && !keep[i] && (c.Status == check.Fail) == first {
				keep[i] = true
				left--
			}
		}
	}
	for i, c := range checks {
		if keep[i] {
			shown = append(shown, c)
		} else {
			hidden = append(hidden, c)
		}
	}
	return shown, hidden
}

// columns returns the widths of the id and limit columns. The limit column is
// 0 unless the checks judge more than one limit: with one, the title names it.
func columns(checks []check.Result) (idW, limW int) {
	limits := map[string]bool{}
	for _, c := range checks {
		idW = max(idW, ansi.StringWidth(string(c.ID)))
		limW = max(limW, ansi.StringWidth(c.Limit))
		if c.Limit != "" {
			limits[c.Limit] = true
		}
	}
	if len(limits) < 2 {
		limW = 0
	}
	return min(idW, maxIDWidth), min(limW, maxLimitWidth)
}

// pad cuts or pads s to exactly w columns.
func pad(s string, w int) string {
	s = ansi.Truncate(s, w, "…")
	return s + strings.Repeat(" ", max(w-ansi.StringWidth(s), 0))
}

// tally counts checks by status; anything but pass and fail (skip, pending)
// counts as skip.
func tally(checks []check.Result) (pass, fail, skip int) {
	return check.Tally(checks)
}

// checkCount is checks counted by what the list shows of them.
type checkCount struct{ pass, fail, pending, skip int }

// counts counts checks by status; while the run goes, a check not judged
// yet or waiting for its phases (Frame.pending) is pending, not skipped.
func (m model) counts(checks []check.Result) checkCount {
	var n checkCount
	for _, c := range checks {
		switch {
		case c.Status == check.Pass:
			n.pass++
		case c.Status == check.Fail:
			n.fail++
		case !m.frame.Done && (c.Status != check.Skip || m.frame.pending(c) != ""):
			n.pending++
		default:
			n.skip++
		}
	}
	return n
}

// checkCounts reads "✓ 3 passed  ✗ 1 failed  ○ 4 pending  • 2 skipped",
// leaving out zero failures, pending checks and skips.
func (m model) checkCounts(checks []check.Result) string {
	s, n := m.common.styles, m.counts(checks)
	parts := []string{s.pass.Render("✓") + fmt.Sprintf(" %d passed", n.pass)}
	if n.fail > 0 {
		parts = append(parts, s.fail.Render("✗")+fmt.Sprintf(" %d failed", n.fail))
	}
	if n.pending > 0 {
		parts = append(parts, s.skip.Render("○")+fmt.Sprintf(" %d pending", n.pending))
	}
	if n.skip > 0 {
		parts = append(parts, s.skip.Render("•")+fmt.Sprintf(" %d skipped", n.skip))
	}
	return strings.Join(parts, "  ")
}

// hasEvidence reports whether a failing check has an evidence line to show.
func hasEvidence(checks []check.Result) bool {
	for _, c := range checks {
		if evidenceLine(c) != "" {
			return true
		}
	}
	return false
}

// evidenceLine is the first request of a failure's evidence, "#34 over
// +1.176s 200 admitted #11 in the window…", or "" for a check that did not
// fail or has none.
func evidenceLine(c check.Result) string {
	q, ok := c.Evidence.First()
	if c.Status != check.Fail || !ok {
		return ""
	}
	line := fmt.Sprintf("#%d %s +%.3fs %d", q.Seq, q.Phase, q.Offset.Seconds(), q.Status)
	if q.Note != "" {
		line += " " + q.Note
	}
	return line
}
