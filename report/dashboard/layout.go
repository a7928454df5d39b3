package dashboard

import (
	"cmp"
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// block is one part of the screen. When the screen is short, blocks are kept
// by priority, each with its minimum lines; the lines left over go to blocks
// in growth order, up to their maximum.
type block struct {
	prio int // lower is kept first
	grow int // lower gets spare lines first
	min  int // lines the block needs to be shown at all; 0 for a separator
	max  int
	sep  bool                     // a blank line between groups, shown only between two shown blocks
	draw func(lines int) []string // draws the block in at most lines lines
}

// fixed is a one-line block.
func fixed(prio int, line string) block {
	return block{prio: prio, min: 1, max: 1, draw: func(int) []string { return []string{line} }}
}

// gap is a separator that gets its line in growth order at rank.
func gap(rank int) block {
	return block{sep: true, grow: rank, max: 1}
}

// render lays blocks out in height-1 lines of width columns, cutting any
// longer line with "…", and ends them with a newline. The last line stays
// empty because bubbletea's renderer erases the cursor's line when the
// program ends: without it the verdict would vanish from the final screen.
// A one-line screen gets its one line and no newline.
func render(blocks []block, width, height int) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	end := "\n"
	if height == 1 {
		end = ""
	} else {
		height--
	}
	lines := allot(blocks, height)
	var out []string
	for i, b := range blocks {
		if lines[i] == 0 {
			continue
		}
		if b.sep {
			out = append(out, "")
			continue
		}
		drawn := b.draw(lines[i])
		for _, l := range drawn[:min(lines[i], len(drawn))] {
			out = append(out, ansi.Truncate(l, width, "…"))
		}
	}
	return strings.Join(out[:min(len(out), height)], "\n") + end
}

// allot decides how many lines each block gets out of height.
func allot(blocks []block, height int) []int {
	lines := make([]int, len(blocks))
	left := height
	for _, i := range order(blocks, func(b block) int { return b.prio }) {
		b := blocks[i]
		if !b.sep && b.min > 0 && b.min <= left {
			lines[i] = b.min
			left -= b.min
		}
	}
	useful := usefulGaps(blocks, lines)
	for _, i := range order(blocks, func(b block) int { return b.grow }) {
		b := blocks[i]
		if (b.sep && !useful[i]) || (!b.sep && lines[i] == 0) {
			continue
		}
		add := min(b.max-lines[i], left)
		lines[i] += add
		left -= add
	}
	return lines
}

// order returns the indexes of blocks sorted by key, stable.
func order(blocks []block, key func(block) int) []int {
	idx := make([]int, len(blocks))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(key(blocks[a]), key(blocks[b])) })
	return idx
}

// usefulGaps marks the separators that fall between two shown blocks, at most
// one per pair.
func usefulGaps(blocks []block, lines []int) []bool {
	useful := make([]bool, len(blocks))
	pending, seen := -1, false
	for i, b := range blocks {
		switch {
		case b.sep && seen && pending < 0:
			pending = i
		case !b.sep && lines[i] > 0:
			if pending >= 0 {
				useful[pending] = true
			}
			pending, seen = -1, true
		}
	}
	return useful
}
