package widgets

import (
	"math"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// levels are the block elements from empty to full, one eighth apart.
var levels = []rune(" ▁▂▃▄▅▆▇█")

// Sparkline draws a series as vertical bars, one column per value and newest
// on the right, in as many rows as its height, with eighth-of-a-row
// resolution. Several sparklines given the same top share one scale.
type Sparkline struct {
	Style  lipgloss.Style
	width  int
	height int
}

// SetSize sets how many values fit (width) and how many rows tall the bars are.
func (s *Sparkline) SetSize(width, height int) {
	s.width, s.height = max(width, 0), max(height, 0)
}

// View draws the last width values of vs, scaled so that top fills every row:
// a value v rises v/top × height×8 eighths, at least one eighth when v > 0.
// Fewer values than the width leave blank columns on the left. Rows are
// returned top first, joined by newlines; a non-positive top draws empty rows.
func (s Sparkline) View(vs []float64, top float64) string {
	if s.width == 0 || s.height == 0 {
		return ""
	}
	if len(vs) > s.width {
		vs = vs[len(vs)-s.width:]
	}
	eighths := make([]int, s.width)
	offset := s.width - len(vs)
	for i, v := range vs {
		eighths[offset+i] = scale(v, top, s.height*8)
	}
	rows := make([]string, s.height)
	for r := range s.height {
		floor := (s.height - 1 - r) * 8 // eighths below this row
		var b strings.Builder
		for _, e := range eighths {
			b.WriteRune(levels[min(max(e-floor, 0), 8)])
		}
		rows[r] = s.Style.Render(b.String())
	}
	return strings.Join(rows, "\n")
}

// scale maps v in [0, top] to [0, steps] eighths, rounding, with any positive
// v at least one step so that a little traffic is never invisible.
func scale(v, top float64, steps int) int {
	if v <= 0 || top <= 0 || math.IsNaN(v) || math.IsNaN(top) {
		return 0
	}
	e := int(math.Round(min(v/top, 1) * float64(steps)))
	return max(e, 1)
}
