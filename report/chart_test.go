package report

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ratecheck/ratecheck/results/metrics"
)

// newChart lays out the timeline without a contract drawn on it; nil when
// there is nothing to draw.
func newChart(timeline []metrics.SecondCounts, phases []metrics.PhaseSnapshot) *chart {
	return newContractChart(timeline, phases, nil, nil)
}

func TestNewChartEmpty(t *testing.T) {
	tests := []struct {
		name     string
		timeline []metrics.SecondCounts
		phases   []metrics.PhaseSnapshot
	}{
		{"nothing", nil, nil},
		{"phases but no answers", nil, []metrics.PhaseSnapshot{{Name: "p", Duration: 5 * time.Second}}},
		{"only zero counts", []metrics.SecondCounts{{Second: 0}, {Second: 1}}, nil},
		{"only negative seconds", []metrics.SecondCounts{{Second: -1, Admitted: 5}}, nil},
	}
	for _, tt := range tests {
		if got := newChart(tt.timeline, tt.phases); got != nil {
			t.Errorf("%s: newChart = %+v; want nil", tt.name, got)
		}
	}
}

func TestNewChartStacksBars(t *testing.T) {
	c := newChart([]metrics.SecondCounts{
		{Second: 0, Admitted: 10},
		{Second: 1, Admitted: 20, Limited: 15, Other: 5}, // tallest: 40, the top of the axis
	}, nil)
	if c == nil {
		t.Fatal("newChart = nil; want a chart")
	}
	if len(c.Bars) != 2 {
		t.Fatalf("got %d bars; want 2", len(c.Bars))
	}
	// Slots of 562 units (bars 80% wide, centred); 262 units high for 40 answers.
	want := []seg{
		{Class: "admitted", X: "682.2", Y: "165", W: "449.6", H: "131"},
		{Class: "limited", X: "682.2", Y: "66.75", W: "449.6", H: "98.25"},
		{Class: "other", X: "682.2", Y: "34", W: "449.6", H: "32.75"},
	}
	if diff := cmp.Diff(want, c.Bars[1].Segs); diff != "" {
		t.Errorf("second bar mismatch (-want +got):\n%s", diff)
	}
	if got, want := c.Bars[0].Segs[0].H, "65.5"; got != want {
		t.Errorf("first bar height = %s; want %s (a quarter of the tallest)", got, want)
	}
	if got, want := c.Bars[1].Title, "1s – 2s: 20 admitted, 15 × 429, 5 other"; got != want {
		t.Errorf("bar title = %q; want %q", got, want)
	}
	if got, want := c.YLabel, "answers per second"; got != want {
		t.Errorf("YLabel = %q; want %q", got, want)
	}
}

func TestNewChartBinsLongRuns(t *testing.T) {
	var timeline []metrics.SecondCounts
	for s := range 1000 {
		timeline = append(timeline, metrics.SecondCounts{Second: s, Admitted: 1, Limited: 1})
	}
	c := newChart(timeline, nil)
	if got, want := len(c.Bars), 200; got != want { // ⌈1000 / 240⌉ = 5 s per bin
		t.Errorf("got %d bars; want %d", got, want)
	}
	if got, want := c.Bars[0].Title, "0s – 5s: 5 admitted, 5 × 429, 0 other"; got != want {
		t.Errorf("first bin title = %q; want %q", got, want)
	}
	if got, want := c.YLabel, "answers per 5 s"; got != want {
		t.Errorf("YLabel = %q; want %q", got, want)
	}
}

func TestNewChartSurvivesAbsurdInput(t *testing.T) {
	c := newChart([]metrics.SecondCounts{
		{Second: 1 << 40, Admitted: 5}, {Second: -3, Limited: 9}, {Second: 2, Admitted: -4, Limited: 3},
	}, []metrics.PhaseSnapshot{{Duration: -time.Second}, {Duration: 1 << 62}})
	if c == nil {
		t.Fatal("newChart = nil; want a chart of the one sane second")
	}
	if len(c.Bars) == 0 || len(c.Bars) > maxBars {
		t.Errorf("got %d bars; want 1 to %d", len(c.Bars), maxBars)
	}
}

func TestPhaseMarks(t *testing.T) {
	phases := []metrics.PhaseSnapshot{
		{Name: "warmup", Duration: 2 * time.Second},
		{Name: "a-very-long-phase-name", Duration: 500 * time.Millisecond},
		{Name: "skipped", Duration: 0},
		{Name: "burst", Duration: 7*time.Second + 500*time.Millisecond},
	}
	got := phaseMarks(phases, 10)
	// 112.4 units per second.
	want := []phaseMark{
		{X: "64", LabelX: "68", Label: "warmup", Name: "warmup"},
		{X: "288.8", LabelX: "292.8", Label: "a-ver…", Name: "a-very-long-phase-name", Line: true},
		{X: "345", LabelX: "349", Label: "burst", Name: "burst", Line: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("phaseMarks mismatch (-want +got):\n%s", diff)
	}
}

func TestAxisSteps(t *testing.T) {
	nice := []struct {
		raw  float64
		want int64
	}{{0.3, 1}, {1, 1}, {1.5, 2}, {3, 5}, {7, 10}, {11, 20}, {260, 500}}
	for _, tt := range nice {
		if got := niceStep(tt.raw); got != tt.want {
			t.Errorf("niceStep(%v) = %d; want %d", tt.raw, got, tt.want)
		}
	}
	ceil := []struct{ in, want int64 }{{0, 0}, {1, 1}, {23, 25}, {40, 40}, {101, 150}}
	for _, tt := range ceil {
		if got := niceCeil(tt.in); got != tt.want {
			t.Errorf("niceCeil(%d) = %d; want %d", tt.in, got, tt.want)
		}
	}
	clock := []struct {
		raw  float64
		want int64
	}{{0.8, 1}, {12, 15}, {40, 60}, {3000, 3600}, {100000, 2 * 86400}}
	for _, tt := range clock {
		if got := timeStep(tt.raw); got != tt.want {
			t.Errorf("timeStep(%v) = %d; want %d", tt.raw, got, tt.want)
		}
	}
}

func TestTicks(t *testing.T) {
	var got []string
	for _, tk := range yTicks(40) {
		got = append(got, tk.Label+"@"+tk.Pos)
	}
	if diff := cmp.Diff([]string{"0@296", "10@230.5", "20@165", "30@99.5", "40@34"}, got); diff != "" {
		t.Errorf("yTicks(40) mismatch (-want +got):\n%s", diff)
	}
	got = nil
	for _, tk := range xTicks(600) {
		got = append(got, tk.Label)
	}
	if diff := cmp.Diff([]string{"0s", "1m", "2m", "3m", "4m", "5m", "6m", "7m", "8m", "9m", "10m"}, got); diff != "" {
		t.Errorf("xTicks(600) mismatch (-want +got):\n%s", diff)
	}
}

func TestSecondsLabel(t *testing.T) {
	tests := map[int64]string{0: "0s", 45: "45s", 60: "1m", 150: "2m30s", 3600: "1h", 3900: "1h5m"}
	for in, want := range tests {
		if got := secondsLabel(in); got != want {
			t.Errorf("secondsLabel(%d) = %q; want %q", in, got, want)
		}
	}
}

func TestFitLabel(t *testing.T) {
	tests := []struct {
		s     string
		width float64
		want  string
	}{
		{"burst", 100, "burst"}, {"burst", 35, "burst"}, {"burst", 28, "bur…"}, {"burst", 10, ""},
		{"übergang", 28, "übe…"},
	}
	for _, tt := range tests {
		if got := fitLabel(tt.s, tt.width); got != tt.want {
			t.Errorf("fitLabel(%q, %v) = %q; want %q", tt.s, tt.width, got, tt.want)
		}
	}
}

func TestNewChartHugeCounts(t *testing.T) {
	const huge = 1<<63 - 1
	c := newChart([]metrics.SecondCounts{{Second: 0, Admitted: huge, Limited: huge, Other: huge}, {Second: 1, Admitted: 1}}, nil)
	if c == nil || len(c.YTicks) < 2 || len(c.YTicks) > 11 {
		t.Fatalf("newChart(huge counts) = %+v; want a chart with 2 to 11 y ticks", c)
	}
}

// TestLatencyChart: one line per phase that has answers (a pause has none),
// plus the whole run; percentiles on a log scale, so each decade of latency
// is the same height, and a slower percentile is drawn higher.
func TestLatencyChart(t *testing.T) {
	lat := func(p50, p90, p99, max time.Duration) metrics.LatencySummary {
		return metrics.LatencySummary{P50: p50, P90: p90, P99: p99, Max: max}
	}
	phases := []metrics.PhaseSnapshot{
		{Name: "under", Latency: lat(100*time.Microsecond, time.Millisecond, 10*time.Millisecond, 100*time.Millisecond)},
		{Name: "pause"},
		{Name: "over", Latency: lat(time.Millisecond, time.Millisecond, time.Millisecond, time.Millisecond)},
	}
	c := newLatencyChart(phases, lat(time.Millisecond, 2*time.Millisecond, 10*time.Millisecond, 100*time.Millisecond))
	if c == nil {
		t.Fatal("no chart")
	}
	var names []string
	for _, l := range c.Lines {
		names = append(names, l.Name)
	}
	if got := strings.Join(names, ","); got != "under,over,all requests" {
		t.Fatalf("lines %s; want under,over,all requests", got)
	}
	y := func(d latencyDot) float64 { v, _ := strconv.ParseFloat(d.Y, 64); return v }
	under := c.Lines[0].Dots
	step := y(under[0]) - y(under[1]) // 100 µs → 1 ms: one decade
	for i := 1; i < 3; i++ {
		if d := y(under[i]) - y(under[i+1]); math.Abs(d-step) > 0.02 {
			t.Errorf("decade %d is %.2f high; want %.2f like the first (log scale)", i, d, step)
		}
	}
	if step <= 0 {
		t.Errorf("a slower percentile is not drawn higher: %v", under)
	}
	if want := []string{"100 µs", "1 ms", "10 ms", "100 ms"}; len(c.YTicks) != len(want) || c.YTicks[0].Label != want[0] || c.YTicks[3].Label != want[3] {
		t.Errorf("y ticks %v; want decades %v", c.YTicks, want)
	}
	if newLatencyChart([]metrics.PhaseSnapshot{{Name: "pause"}}, metrics.LatencySummary{}) != nil {
		t.Error("a chart for a run without answers")
	}
}

// TestWaitChart: a mark per promise of a 429 that was followed by an
// admission, counted as short when it promised less than the measured wait;
// the ones never followed are counted, not drawn; the marks sit on the
// diagonal where promise and measure agree.
func TestWaitChart(t *testing.T) {
	c := newWaitChart([]metrics.WaitPoint{
		{Seq: 1, RetryAfter: time.Second, HasRetryAfter: true, Reset: 500 * time.Millisecond, HasReset: true, Measured: time.Second, Recovered: true},
		{Seq: 2, RetryAfter: time.Second, HasRetryAfter: true, Measured: 2 * time.Second, Recovered: true},
		{Seq: 3, RetryAfter: time.Second, HasRetryAfter: true},
	})
	if c == nil {
		t.Fatal("no chart")
	}
	if len(c.Marks) != 3 || c.RetryAfter != 2 || c.Reset != 1 || c.Unrecovered != 1 || c.Short != 2 {
		t.Errorf("marks %d, Retry-After %d, Reset %d, unrecovered %d, short %d; want 3, 2, 1, 1, 2", len(c.Marks), c.RetryAfter, c.Reset, c.Unrecovered, c.Short)
	}
	f := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
	// The first Retry-After promised exactly what it took: on the diagonal.
	x1, y1, x2, y2 := f(c.Diagonal[0]), f(c.Diagonal[1]), f(c.Diagonal[2]), f(c.Diagonal[3])
	m := c.Marks[0]
	if onLine := y1 + (f(m.X)-x1)/(x2-x1)*(y2-y1); math.Abs(onLine-f(m.Y)) > 0.05 {
		t.Errorf("a promise equal to the wait is at y %s; want on the diagonal, %.2f", m.Y, onLine)
	}
	if newWaitChart(nil) != nil {
		t.Error("a chart without waits")
	}
}

// TestWaitChartTickLabels: tick labels are round numbers, never float noise
// such as 0.6000000000000001.
func TestWaitChartTickLabels(t *testing.T) {
	c := newWaitChart([]metrics.WaitPoint{{RetryAfter: time.Second, HasRetryAfter: true, Measured: 400 * time.Millisecond, Recovered: true}})
	for _, tk := range c.XTicks {
		if len(tk.Label) > 6 {
			t.Errorf("tick label %q", tk.Label)
		}
	}
	if len(c.XTicks) < 4 {
		t.Errorf("%d ticks; want about five", len(c.XTicks))
	}
}

// TestPhaseMarksGroupContractPhases: the contract phases and the pauses
// between them are one mark, "contract", spanning their durations.
func TestPhaseMarksGroupContractPhases(t *testing.T) {
	phases := []metrics.PhaseSnapshot{
		{Name: "under", Kind: "under", Duration: 2 * time.Second},
		{Name: "pause", Kind: "pause", Duration: time.Second},
		{Name: "counted", Kind: "counted", Duration: time.Second},
		{Name: "no-key", Kind: "no-key", Duration: time.Second},
		{Name: "pause", Kind: "pause", Duration: time.Second},
		{Name: "exhaust", Kind: "exhaust", Duration: 4 * time.Second},
	}
	var names []string
	for _, m := range phaseMarks(phases, 10) {
		names = append(names, m.Name)
	}
	if want := []string{"under", "contract"}; !slices.Equal(names, want) {
		t.Errorf("phaseMarks names %v, want %v", names, want)
	}
}

// TestLatencyChartOneLineForContractPhases: a run of contract phases is one
// line whose percentiles are the worst of its phases'.
func TestLatencyChartOneLineForContractPhases(t *testing.T) {
	lat := func(p99 time.Duration) metrics.LatencySummary {
		return metrics.LatencySummary{P50: time.Millisecond, P90: time.Millisecond, P99: p99, Max: p99}
	}
	phases := []metrics.PhaseSnapshot{
		{Name: "under", Kind: "under", Latency: lat(2 * time.Millisecond)},
		{Name: "counted", Kind: "counted", Latency: lat(3 * time.Millisecond)},
		{Name: "no-key", Kind: "no-key", Latency: lat(40 * time.Millisecond)},
	}
	c := newLatencyChart(phases, lat(40*time.Millisecond))
	var names []string
	for _, l := range c.Lines {
		names = append(names, l.Name)
	}
	if want := []string{"under", "contract (worst of its phases)", "all requests"}; !slices.Equal(names, want) {
		t.Errorf("latency lines %v, want %v", names, want)
	}
	// The contract line's maximum is the no-key phase's, as high as the
	// whole run's: its last point sits where the all-requests line's does.
	last := func(points string) string { f := strings.Fields(points); return f[len(f)-1] }
	if got, want := last(c.Lines[1].Points), last(c.Lines[2].Points); got != want {
		t.Errorf("contract line ends at %s, want the worst phase's max at %s", got, want)
	}
}
