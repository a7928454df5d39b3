package dashboard

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/ratecheck/ratecheck/report/dashboard/widgets"
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
	// The contract phases are short bursts, up to twenty of them: one
	// segment, so that the derived phases keep readable labels.
	current := -1
	var segs []widgets.Segment
	for _, st := range f.stretches() {
		seg := widgets.Segment{Label: st.label}
		for _, ph := range f.Phases[st.from:st.to] {
			seg.Length += ph.Duration.Seconds()
		}
		if !f.Done && st.from <= f.Current && f.Current < st.to {
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
