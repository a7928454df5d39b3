package dashboard

import (
	"fmt"
	"strings"

	"github.com/ratecheck/ratecheck/conformance/check"
)

// Priorities of the blocks: lower is kept first on a short screen.
const (
	prioTitle = iota
	prioProgress
	prioFooter
	prioCounts
	prioPhase
	prioChecks
	prioLatency
	prioChart
	prioRemaining
	prioNotes
)

// Growth ranks of the blocks: lower gets spare lines first.
const (
	growFooter   = iota // the full help, when asked for
	growTimeline        // phase labels above the bar
	growGaps            // blank lines between groups
	growChecks
	growNotes
	growChart
	growRemaining
)

// View draws the last frame to fit the terminal. It only formats.
func (m model) View() string {
	w, h := m.common.width, m.common.height
	if !m.started {
		return render([]block{
			fixed(prioTitle, m.title()),
			gap(growGaps),
			fixed(prioProgress, m.common.styles.dim.Render("waiting for the run to start…")),
			gap(growGaps),
			m.footerBlock(),
		}, w, h)
	}
	return render([]block{
		fixed(prioTitle, m.title()),
		gap(growGaps),
		{prio: prioProgress, grow: growTimeline, min: 1, max: 2, draw: m.timelineLines},
		gap(growGaps),
		fixed(prioPhase, m.phaseLine()),
		fixed(prioCounts, m.countsLine()),
		fixed(prioLatency, m.latencyLine()),
		gap(growGaps),
		m.chartBlock(),
		gap(growGaps),
		m.remainingBlock(),
		gap(growGaps),
		m.checksBlock(),
		m.notesBlock(),
		gap(growGaps),
		m.footerBlock(),
	}, w, h)
}

// title is the first line: ratecheck · scenario · target · tested limit.
func (m model) title() string {
	s, f := m.common.styles, m.frame
	parts := []string{s.brand.Render("ratecheck")}
	if f.Scenario != "" {
		parts = append(parts, s.heading.Render(f.Scenario))
	}
	if f.Target != "" {
		parts = append(parts, f.Target)
	}
	if f.Tested != "" {
		parts = append(parts, f.Tested)
	}
	return strings.Join(parts, s.dim.Render(" · "))
}

// notesBlock lists the notes, one per line, the first ones kept when short.
func (m model) notesBlock() block {
	notes := m.frame.Notes
	if len(notes) == 0 {
		return block{}
	}
	return block{prio: prioNotes, grow: growNotes, min: 1, max: len(notes), draw: func(n int) []string {
		lines := make([]string, 0, n)
		for _, note := range notes[:n] {
			lines = append(lines, m.common.styles.dim.Render("note: ")+note)
		}
		return lines
	}}
}

// footerBlock is the help line while running, and the outcome after.
func (m model) footerBlock() block {
	lines := 1
	if m.help.ShowAll && !m.finished() {
		lines = 2
	}
	return block{prio: prioFooter, grow: growFooter, min: 1, max: lines, draw: m.footerLines}
}

// finished reports whether the program is on its way out.
func (m model) finished() bool {
	return m.frame.Done || m.quit || m.ended
}

func (m model) footerLines(n int) []string {
	s := m.common.styles
	switch {
	case m.frame.Done:
		return []string{m.verdictLine()}
	case m.quit:
		return []string{s.limited.Render("■ stopping the run") + s.dim.Render(" · reports will still be written")}
	case m.ended:
		return []string{s.dim.Render("■ dashboard stopped")}
	}
	h := m.help
	if n < 2 {
		h.ShowAll = false
	}
	return strings.Split(h.View(m.common.keys), "\n")
}

// verdictLine shows the verdict the run reached and the checks behind it.
func (m model) verdictLine() string {
	s := m.common.styles
	pass, fail, skip := tally(m.frame.Checks)
	counts := fmt.Sprintf("%d passed · %d failed · %d skipped", pass, fail, skip)
	switch m.frame.Verdict {
	case check.Pass:
		return s.pass.Bold(true).Render("✓ PASS") + "  " + counts
	case check.Fail:
		return s.fail.Render("✗ FAIL") + "  " + counts
	case check.Incomplete:
		return s.heading.Render("■ INCOMPLETE") + "  " + counts
	case check.Inconclusive:
		return s.heading.Render("■ INCONCLUSIVE") + "  " + counts
	}
	return s.heading.Render("■ done") + "  " + counts
}
