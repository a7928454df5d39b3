package widgets

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// Segment is one stretch of a timeline: a label and a length in any unit, the
// same unit for every segment of a timeline.
type Segment struct {
	Label  string
	Length float64
}

// TimelineStyles colour the parts of a timeline.
type TimelineStyles struct {
	Label   lipgloss.Style // labels of the other segments
	Current lipgloss.Style // label of the current segment
	Done    lipgloss.Style // bar up to the progress point
	Todo    lipgloss.Style // bar after it
}

// Timeline draws segments side by side in widths proportional to their
// lengths, as two lines: the labels, with the current one marked "▸", and a bar
// that is heavy (━) up to the progress point and light (─) after it, with a
// cross (┿ or ┼) where one segment ends and the next begins. It is readable
// without colour.
type Timeline struct {
	Styles TimelineStyles
	width  int
	height int
}

// SetSize sets the width of the bar; with a height below 2 only the bar is
// drawn.
func (t *Timeline) SetSize(width, height int) {
	t.width, t.height = max(width, 0), max(height, 0)
}

// View draws segs with segment current highlighted (-1 for none) and the bar
// filled to progress, a fraction in [0, 1] (values outside are clamped).
func (t Timeline) View(segs []Segment, current int, progress float64) string {
	if t.width == 0 || t.height == 0 {
		return ""
	}
	weights := make([]float64, len(segs))
	for i, s := range segs {
		weights[i] = s.Length
	}
	cols := widenForLabels(split(t.width, weights), segs)
	if len(segs) > t.width {
		cols = nil // too narrow to show boundaries: one plain bar
	}
	bar := t.bar(cols, fillTo(cols, weights, progress, t.width))
	if t.height < 2 {
		return bar
	}
	return t.labels(segs, cols, current) + "\n" + bar
}

// labels draws each segment's label in its columns, cut to leave one column
// free before the next segment.
func (t Timeline) labels(segs []Segment, cols []int, current int) string {
	var b strings.Builder
	used := 0
	for i, w := range cols {
		text := segs[i].Label
		style := t.Styles.Label
		if i == current {
			text = "▸" + text
			style = t.Styles.Current
		}
		room := w - 1
		if i == len(cols)-1 {
			room = w
		}
		if room <= 0 {
			b.WriteString(strings.Repeat(" ", w))
			used += w
			continue
		}
		tail := "…"
		if room < 3 {
			tail = "" // "p" says more than "…"
		}
		text = ansi.Truncate(text, room, tail)
		pad := w - ansi.StringWidth(text)
		b.WriteString(style.Render(text) + strings.Repeat(" ", pad))
		used += w
	}
	if used < t.width {
		b.WriteString(strings.Repeat(" ", t.width-used))
	}
	return strings.TrimRight(b.String(), " ")
}

// labelRoom is the room a label is given beyond its text: a column before the
// next segment and one for the current segment's "▸", so that the widths do
// not move as the run goes from one segment to the next.
const labelRoom = 2

// widenForLabels lends columns to segments too narrow for their labels (a
// short phase, "pause" in one second of eighteen), taken one at a time from
// the segment with the most columns beyond its own label's room, when every
// label fits; else it leaves cols as they are. Widths are then no longer in
// proportion to the lengths: fillTo fills the bar segment by segment.
func widenForLabels(cols []int, segs []Segment) []int {
	need := make([]int, len(cols))
	total := 0
	for i := range cols {
		need[i] = ansi.StringWidth(segs[i].Label) + labelRoom
		if i == len(cols)-1 {
			need[i]-- // nothing follows the last one
		}
		total += need[i]
	}
	width := 0
	for _, c := range cols {
		width += c
	}
	if total > width {
		return cols
	}
	out := append([]int(nil), cols...)
	for i := range out {
		for out[i] < need[i] {
			lender := 0
			for j := range out {
				if out[j]-need[j] > out[lender]-need[lender] {
					lender = j
				}
			}
			out[lender]--
			out[i]++
		}
	}
	return out
}

// fillTo is how many of width columns the bar fills at progress, a fraction
// of the summed weights: the segments before the one progress is in whole,
// and that one in proportion to how far into it progress is.
func fillTo(cols []int, weights []float64, progress float64, width int) int {
	progress = min(max(progress, 0), 1)
	total := 0.0
	for _, w := range weights {
		total += max(w, 0)
	}
	if len(cols) == 0 || total == 0 {
		return int(progress*float64(width) + 0.5)
	}
	at, filled := progress*total, 0.0
	for i, c := range cols {
		w := max(weights[i], 0)
		switch {
		case at >= w:
			filled += float64(c)
			at -= w
		case w > 0:
			filled += float64(c) * at / w
			at = 0
		}
	}
	return int(filled + 0.5)
}

// bar draws the progress bar with segment boundaries at the starts of cols,
// filled up to column filled.
func (t Timeline) bar(cols []int, filled int) string {
	boundary := make(map[int]bool, len(cols))
	x := 0
	for i, w := range cols {
		if i > 0 {
			boundary[x] = true
		}
		x += w
	}
	var done, todo strings.Builder
	for x := range t.width {
		switch {
		case x < filled && boundary[x]:
			done.WriteRune('┿')
		case x < filled:
			done.WriteRune('━')
		case boundary[x]:
			todo.WriteRune('┼')
		default:
			todo.WriteRune('─')
		}
	}
	return t.Styles.Done.Render(done.String()) + t.Styles.Todo.Render(todo.String())
}
