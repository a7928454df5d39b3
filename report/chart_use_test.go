package report

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/results/metrics"
)

// admittedAt is a timeline with the given admissions by second.
func admittedAt(counts map[int]int64) []metrics.SecondCounts {
	var out []metrics.SecondCounts
	for s, n := range counts {
		out = append(out, metrics.SecondCounts{Second: s, Admitted: n, Limited: 1})
	}
	return out
}

func TestWindowPeaks(t *testing.T) {
	tl := admittedAt(map[int]int64{0: 5, 1: 5, 2: 5, 5: 10})
	tests := []struct {
		name               string
		wsec, binSec, bins int64
		want               []int64
	}{
		{"one-second window", 1, 1, 6, []int64{5, 5, 5, 0, 0, 10}},
		{"three-second window", 3, 1, 6, []int64{5, 10, 15, 10, 5, 10}},
		{"bars of two seconds keep the highest", 3, 2, 3, []int64{10, 15, 10}},
		{"a window longer than the run fills up", 100, 1, 6, []int64{5, 10, 15, 15, 15, 25}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := admittedBySecond(tl).windowPeaks(tt.wsec, tt.binSec, tt.bins); !slices.Equal(got, tt.want) {
				t.Errorf("windowPeaks(%d, %d, %d) = %v; want %v", tt.wsec, tt.binSec, tt.bins, got, tt.want)
			}
		})
	}
}

// TestWindowPeaksAgreeWithCounting compares windowPeaks with the sums it
// stands for, computed second by second, on random sparse timelines.
func TestWindowPeaksAgreeWithCounting(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		span := 1 + r.IntN(120)
		perSecond := make([]int64, span)
		counts := map[int]int64{}
		for s := range perSecond {
			if r.IntN(3) == 0 {
				perSecond[s] = r.Int64N(50)
				counts[s] = perSecond[s]
			}
		}
		wsec, binSec := 1+r.Int64N(30), 1+r.Int64N(7)
		bins := (int64(span) + binSec - 1) / binSec
		want := make([]int64, bins)
		for end := range int64(span) {
			var sum int64
			for s := max(0, end-wsec+1); s <= end; s++ {
				sum += perSecond[s]
			}
			want[end/binSec] = max(want[end/binSec], sum)
		}
		got := admittedBySecond(admittedAt(counts)).windowPeaks(wsec, binSec, bins)
		if !slices.Equal(got, want) {
			t.Fatalf("span %d, window %d s, bars of %d s: windowPeaks = %v; counting gives %v", span, wsec, binSec, got, want)
		}
	}
}

func TestUseChart(t *testing.T) {
	tl := admittedAt(map[int]int64{0: 20, 1: 25, 2: 20, 3: 0, 4: 20})
	phases := []metrics.PhaseSnapshot{{Name: "over", Duration: 5 * time.Second}}
	limits := []LimitInfo{
		{Name: "per-10s", Requests: 68, WindowMS: 10_000, Tested: true},
		{Name: "per-day", Requests: 5000, WindowMS: 24 * 3600 * 1000},
		{Name: "per-hour", Requests: 1000, WindowMS: 3600 * 1000},
		{Name: "per-second", Requests: 20, WindowMS: 1000},
		{Name: "unlimited", Unlimited: true},
	}
	c := newUseChart(tl, phases, limits)
	if c == nil {
		t.Fatal("newUseChart = nil; want a chart")
	}
	var names, peaks []string
	for _, l := range c.Lines {
		names, peaks = append(names, l.Name), append(peaks, l.Peak)
	}
	if want := []string{"per-10s: 68 per 10s", "per-day: 5,000 per 24h", "per-hour: 1,000 per 1h"}; !slices.Equal(names, want) {
		t.Errorf("lines %q; want %q", names, want)
	}
	if want := []string{"85 of 68 (125%)", "85 of 5,000 (2%)", "85 of 1,000 (9%)"}; !slices.Equal(peaks, want) {
		t.Errorf("peaks %q; want %q", peaks, want)
	}
	if !slices.Equal(c.Skipped, []string{"per-second"}) {
		t.Errorf("skipped %q; want the limit of a window too short to count by the second", c.Skipped)
	}
	if top := c.YTicks[len(c.YTicks)-1].Label; top != "150%" {
		t.Errorf("top tick %q; want 150%% (the 125%% peak, rounded up)", top)
	}
	if c.Full == c.Top {
		t.Errorf("the 100%% line is at the top of the plot (%s); want it below the 125%% peak", c.Full)
	}
	for _, l := range c.Lines {
		if l.Class == "l2" {
			t.Errorf("line %q is drawn red (l2), the colour of the 100%% line", l.Name)
		}
	}
	if got := newUseChart(tl, phases, limits[3:]); got != nil {
		t.Errorf("newUseChart with no limit of useMinWindow or more = %+v; want nil", got)
	}
	if got := newUseChart(admittedAt(map[int]int64{0: 0}), phases, limits); got != nil {
		t.Errorf("newUseChart with nothing admitted = %+v; want nil", got)
	}
}

func TestShareOf(t *testing.T) {
	for _, tt := range []struct {
		n, of int64
		want  string
	}{{0, 10, "0%"}, {1, 1000, "<1%"}, {51, 100, "51%"}, {25, 20, "125%"}} {
		if got := shareOf(tt.n, tt.of); got != tt.want {
			t.Errorf("shareOf(%d, %d) = %q; want %q", tt.n, tt.of, got, tt.want)
		}
	}
}
