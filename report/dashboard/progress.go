package dashboard

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/ratecheck/ratecheck/report/dashboard/widgets"
	"github.com/ratecheck/ratecheck/scenarios"
)

// minBar is the narrowest progress bar worth drawing next to its numbers.
const minBar = 10

// timelineLines draws the phases over a progress bar followed by
// "elapsed / total  percent"; with one line, only the bar.
func (m model) timelineLines(n int) []string {
	f, w := m.frame, m.common.width
	p := f.progress()
	suffix := ""
	for _, s := range []string{
		"  " + clock(f.Elapsed) + " / " + clock(f.total()) + "  " + percent(p),
		" " + percent(p),
	} {
		if w-ansi.StringWidth(s) >= minBar {
			suffix = s
			break
		}
	}
	kinds := make([]scenarios.PhaseKind, len(f.Phases))
	for i, ph := range f.Phases {
		kinds[i] = scenarios.PhaseKind(ph.Kind)
	}
	// The contract phases are short bursts, up to twenty of them: one
	// segment, so that the derived phases keep readable labels.
	current := -1
	var segs []widgets.Segment
	for _, st := range scenarios.Stretches(kinds) {
		seg := widgets.Segment{Label: f.Phases[st[0]].Name}
		if st[1]-st[0] > 1 {
			seg.Label = scenarios.ContractStretch
		}
		for _, ph := range f.Phases[st[0]:st[1]] {
			seg.Length += ph.Duration.Seconds()
		}
		if !f.Done && st[0] <= f.Current && f.Current < st[1] {
			current = len(segs)
		}
		segs = append(segs, seg)
	}
	tl := widgets.Timeline{Styles: m.common.styles.timeline}
	tl.SetSize(w-ansi.StringWidth(suffix), n)
	lines := strings.Split(tl.View(segs, current, p), "\n")
	lines[len(lines)-1] += m.common.styles.dim.Render(suffix)
	return lines
}
