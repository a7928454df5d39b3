package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteComparison writes c as plain text for a terminal: the two runs, the
// checks whose status changed, the measurements side by side with their
// change, and the outcome with the tolerance it was judged by.
func WriteComparison(w io.Writer, c *Comparison) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "base: %s\nrun:  %s\n", sideLine(c.Base), sideLine(c.Run))
	for _, n := range c.Notes {
		fmt.Fprintf(bw, "note: %s\n", n)
	}
	fmt.Fprintln(bw)
	if len(c.Checks) == 0 {
		fmt.Fprintln(bw, "checks: no check changed status")
	} else {
		fmt.Fprintln(bw, "checks that changed:")
		tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
		for _, ch := range c.Checks {
			mark := " "
			if ch.Worse {
				mark = "✗"
			}
			fmt.Fprintf(tw, "  %s %s\t%s\t%s → %s\t%s\n", mark, ch.ID, dash(ch.Limit), statusWord(ch.Base), statusWord(ch.Run), printable(ch.Message))
		}
		tw.Flush()
	}
	fmt.Fprintln(bw)
	tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "measurement\tbase\trun\tchange\t\n")
	for _, d := range c.deltas() {
		base, run, change := d.cells()
		mark := ""
		if d.Worse {
			mark = " ✗"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.Name, base, run, change, mark)
	}
	tw.Flush()
	fmt.Fprintf(bw, "\ntolerance: %s\n", c.Tolerance)
	if regs := c.Regressions(); len(regs) > 0 {
		fmt.Fprintf(bw, "WORSE: %d regression(s)\n", len(regs))
		for _, r := range regs {
			fmt.Fprintf(bw, "  - %s\n", r)
		}
	} else {
		fmt.Fprintln(bw, "no regression: nothing got worse beyond the tolerance")
	}
	return bw.Flush()
}

// WriteComparisonMarkdown writes c as GitHub-flavoured Markdown for a CI job
// summary or a pull-request comment. Text from the reports is escaped.
func WriteComparisonMarkdown(w io.Writer, c *Comparison) error {
	bw := bufio.NewWriter(w)
	if regs := c.Regressions(); len(regs) > 0 {
		fmt.Fprintf(bw, "### ratecheck compare: **WORSE** (%d regression(s))\n\n", len(regs))
		for _, r := range regs {
			fmt.Fprintf(bw, "- %s\n", mdText(r))
		}
		fmt.Fprintln(bw)
	} else {
		fmt.Fprintf(bw, "### ratecheck compare: **no regression**\n\n")
	}
	fmt.Fprintf(bw, "| | run | scenario | verdict | requests |\n|---|---|---|---|---:|\n")
	for _, s := range []struct {
		label string
		side  Side
	}{{"base", c.Base}, {"run", c.Run}} {
		fmt.Fprintf(bw, "| %s | %s | %s | %s | %d |\n", s.label, mdText(s.side.Name), mdText(s.side.Scenario), mdText(strings.ToUpper(string(s.side.Verdict))), s.side.Requests)
	}
	for _, n := range c.Notes {
		fmt.Fprintf(bw, "\n> %s\n", mdText(n))
	}
	fmt.Fprintln(bw)
	if len(c.Checks) == 0 {
		fmt.Fprintf(bw, "No check changed status.\n\n")
	} else {
		fmt.Fprintf(bw, "| check | limit | base | run | message |\n|---|---|---|---|---|\n")
		for _, ch := range c.Checks {
			mark := ""
			if ch.Worse {
				mark = "❌ "
			}
			fmt.Fprintf(bw, "| %s`%s` | %s | %s | %s | %s |\n", mark, ch.ID, mdText(dash(ch.Limit)), statusWord(ch.Base), statusWord(ch.Run), mdText(ch.Message))
		}
		fmt.Fprintln(bw)
	}
	fmt.Fprintf(bw, "| measurement | base | run | change |\n|---|---:|---:|---:|\n")
	for _, d := range c.deltas() {
		base, run, change := d.cells()
		name := mdText(d.Name)
		if d.Worse {
			name = "❌ " + name
		}
		fmt.Fprintf(bw, "| %s | %s | %s | %s |\n", name, base, run, change)
	}
	fmt.Fprintf(bw, "\nTolerance: %s.\n", mdText(c.Tolerance.String()))
	return bw.Flush()
}

func (c *Comparison) deltas() []Delta {
	var ds []Delta
	if c.Recovery != nil {
		ds = append(ds, *c.Recovery)
	}
	return append(ds, c.Latency...)
}

// cells formats a delta's base, run and change for a table.
func (d Delta) cells() (base, run, change string) {
	format := millis
	if strings.HasPrefix(d.Name, "recovery") {
		format = seconds
	}
	cell := func(v time.Duration, measured bool) string {
		if !measured {
			return "not measured"
		}
		return format(v)
	}
	base, run, change = cell(d.Base, d.Measured[0]), cell(d.Run, d.Measured[1]), "-"
	if d.comparable || (d.Measured[0] && d.Measured[1]) {
		change = fmt.Sprintf("%s%s (%s)", sign(d.Change()), format(abs(d.Change())), percent(d.Base, d.Run))
	}
	return base, run, change
}

func sideLine(s Side) string {
	id := ""
	if s.RunID != "" {
		id = " run " + s.RunID
	}
	return fmt.Sprintf("%s (%s%s, %s, %d requests)", s.Name, s.Scenario, id, strings.ToUpper(string(s.Verdict)), s.Requests)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func sign(d time.Duration) string {
	if d < 0 {
		return "-"
	}
	return "+"
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
