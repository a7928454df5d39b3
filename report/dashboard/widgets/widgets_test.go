package widgets

import (
	"os"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/google/go-cmp/cmp"
	"github.com/muesli/termenv"
)

func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(m.Run())
}

func TestSplit(t *testing.T) {
	tests := []struct {
		name    string
		width   int
		weights []float64
		want    []int
	}{
		{"proportional", 10, []float64{1, 1, 3}, []int{2, 2, 6}},
		{"lends a column from the widest", 10, []float64{0.01, 0.01, 99}, []int{1, 1, 8}},
		{"largest remainder", 10, []float64{1, 1, 1}, []int{4, 3, 3}},
		{"tiny segment keeps a column", 10, []float64{0.01, 99}, []int{1, 9}},
		{"all zero is equal", 6, []float64{0, 0, 0}, []int{2, 2, 2}},
		{"negative counts as zero", 4, []float64{-5, 1}, []int{1, 3}},
		{"narrower than parts", 2, []float64{1, 1, 1}, []int{1, 1, 0}},
		{"no width", 0, []float64{1, 2}, []int{0, 0}},
		{"no parts", 5, nil, []int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := split(tt.width, tt.weights)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("split(%d, %v) = %v; want %v", tt.width, tt.weights, got, tt.want)
			}
			sum := 0
			for _, c := range got {
				sum += c
			}
			if len(tt.weights) > 0 && sum != tt.width {
				t.Errorf("split(%d, %v) sums to %d; want %d", tt.width, tt.weights, sum, tt.width)
			}
		})
	}
}

func TestTimelineView(t *testing.T) {
	segs := []Segment{{"under", 5}, {"over", 5}, {"pause", 2}, {"recovery", 8}}
	tests := []struct {
		name     string
		width    int
		height   int
		segs     []Segment
		current  int
		progress float64
		want     string
	}{
		{
			name: "second segment running", width: 20, height: 2, segs: segs, current: 1, progress: 0.4,
			want: "und… ▸ov… p recovery\n" +
				"━━━━━┿━━──┼─┼───────",
		},
		{
			name: "no current, done", width: 20, height: 2, segs: segs, current: -1, progress: 1,
			want: "und… over p recovery\n" +
				"━━━━━┿━━━━┿━┿━━━━━━━",
		},
		{
			name: "bar only when one row", width: 10, height: 1, segs: segs, current: 0, progress: 0,
			want: "───┼─┼┼───",
		},
		{
			name: "clamps progress", width: 5, height: 1, segs: nil, current: -1, progress: 7,
			want: "━━━━━",
		},
		{
			name: "narrower than segments draws a plain bar", width: 3, height: 2, segs: segs, current: 3, progress: 0.5,
			want: "\n━━─",
		},
		{name: "no size", width: 0, height: 0, segs: segs, current: 0, progress: 0.5, want: ""},
		{
			// copilot's phases at 80 columns: in proportion, pause would get
			// 3 columns and over-burst 7. With room for every label, the
			// short ones borrow from the long ones, and the bar fills each
			// segment by its own share: half the run is 1.75 s into the
			// 2.5 s probe, 5 of its 7 columns.
			name: "short segments borrow room for their labels", width: 60, height: 2, current: 1, progress: 0.5,
			segs: []Segment{{"under", 2}, {"over-burst", 2}, {"over", 3}, {"probe", 2.5}, {"pause", 1}, {"recovery", 2}, {"contract", 5}},
			want: "under  ▸over-burst over  probe   pause  recovery  contract\n" +
				"━━━━━━━┿━━━━━━━━━━━┿━━━━━┿━━━━━──┼──────┼─────────┼─────────",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tl Timeline
			tl.SetSize(tt.width, tt.height)
			got := tl.View(tt.segs, tt.current, tt.progress)
			if got != tt.want {
				t.Errorf("View(%v, %d, %v) =\n%q\nwant\n%q", tt.segs, tt.current, tt.progress, got, tt.want)
			}
		})
	}
}

func TestSparklineView(t *testing.T) {
	tests := []struct {
		name   string
		width  int
		height int
		vs     []float64
		top    float64
		want   string
	}{
		{"one row, eighths", 5, 1, []float64{0, 1, 4, 7, 8}, 8, " ▁▄▇█"},
		{"small values stay visible", 3, 1, []float64{0, 0.01, 100}, 100, " ▁█"},
		{"two rows", 4, 2, []float64{16, 8, 4, 12}, 16, "█  ▄\n██▄█"},
		{"right aligned, newest last", 4, 1, []float64{8, 4}, 8, "  █▄"},
		{"keeps the newest values", 2, 1, []float64{8, 4, 2, 8}, 8, "▂█"},
		{"above top is clipped", 2, 1, []float64{16, -3}, 8, "█ "},
		{"no top draws nothing", 2, 1, []float64{5, 5}, 0, "  "},
		{"no size", 0, 0, []float64{1}, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s Sparkline
			s.SetSize(tt.width, tt.height)
			got := s.View(tt.vs, tt.top)
			if got != tt.want {
				t.Errorf("View(%v, %v) = %q; want %q", tt.vs, tt.top, got, tt.want)
			}
		})
	}
}
