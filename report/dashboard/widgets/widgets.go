// Package widgets holds the small drawing components of the live dashboard: a
// phase timeline that doubles as a progress bar, and a block-character sparkline.
// They draw plain numbers and labels and know nothing about runs, checks or
// metrics. They import lipgloss and x/ansi only; never the dashboard or any
// ratecheck package.
package widgets

// Component is a widget the dashboard lays out: it is told its size before it
// is drawn.
type Component interface {
	SetSize(width, height int)
}

var (
	_ Component = (*Timeline)(nil)
	_ Component = (*Sparkline)(nil)
)

// split divides width columns among weights in proportion (largest remainder),
// then, when width allows it, lends a column to every part left with none,
// taken from the widest part. Non-positive weights count as zero; when all are
// zero the parts are equal. The parts always sum to width.
func split(width int, weights []float64) []int {
	n := len(weights)
	cols := make([]int, n)
	if n == 0 || width <= 0 {
		return cols
	}
	exact := shares(weights)
	used := 0
	for i, e := range exact {
		exact[i] = e * float64(width)
		cols[i] = int(exact[i])
		used += cols[i]
	}
	for ; used < width; used++ {
		best := 0
		for i := range exact {
			if exact[i]-float64(cols[i]) > exact[best]-float64(cols[best]) {
				best = i
			}
		}
		cols[best]++
		exact[best] = float64(cols[best]) // remainder spent
	}
	if width < n {
		return cols
	}
	for i := range cols {
		if cols[i] == 0 {
			cols[widest(cols)]--
			cols[i] = 1
		}
	}
	return cols
}

// shares turns weights into fractions summing to 1.
func shares(weights []float64) []float64 {
	total := 0.0
	for _, w := range weights {
		total += max(w, 0)
	}
	out := make([]float64, len(weights))
	for i, w := range weights {
		if total == 0 {
			out[i] = 1 / float64(len(weights))
		} else {
			out[i] = max(w, 0) / total
		}
	}
	return out
}

// widest returns the index of the largest of cols, the first on a tie.
func widest(cols []int) int {
	best := 0
	for i, c := range cols {
		if c > cols[best] {
			best = i
		}
	}
	return best
}
