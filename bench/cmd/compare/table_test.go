package main

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestMedian(t *testing.T) {
	tests := []struct {
		xs   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{5, 5, 1}, 5},
	}
	for _, tt := range tests {
		if got := median(tt.xs); got != tt.want {
			t.Errorf("median(%v) = %v; want %v", tt.xs, got, tt.want)
		}
	}
	if got := median(nil); !math.IsNaN(got) {
		t.Errorf("median(nil) = %v; want NaN", got)
	}
	xs := []float64{3, 1, 2}
	median(xs)
	if xs[0] != 3 {
		t.Errorf("median sorted its argument: %v", xs)
	}
}

func testOptions() options {
	return options{N: 3, Rates: []int{1000, 20000}, Workers: 64, BestOf: []uint64{64, 128}, RSSRequests: 1_000_000, RSSRate: 16000, Quiet: 0.3}
}

// reps returns one sample per value of f, as repetitions 0, 1, 2…
func reps(base sample, set func(*sample, float64), vs ...float64) []sample {
	out := make([]sample, len(vs))
	for i, v := range vs {
		out[i] = base
		out[i].Rep = i
		set(&out[i], v)
	}
	return out
}

func achieved(s *sample, v float64) { s.Achieved = v }
func rss(s *sample, v float64)      { s.RSS, s.RSSParts = int64(v), []int64{int64(v) / 4, int64(v) * 3 / 4} }

func TestTable(t *testing.T) {
	o := testOptions()
	var ss []sample
	add := func(s []sample) { ss = append(ss, s...) }
	tp := sample{Section: "throughput", Success: 1}
	add(reps(withTool(tp, "ratecheck", 64, 0), achieved, 17000, 18000, 17500))
	add(reps(withTool(tp, "vegeta", 64, 0), achieved, 18000, 18600, 19000))
	rt := sample{Section: "rates", Success: 1}
	add(reps(withTool(rt, "ratecheck", 64, 1000), achieved, 999, 1000, 995))
	add(reps(withTool(rt, "vegeta", 64, 1000), achieved, 1000, 1000, 1000))
	add(reps(withTool(rt, "ratecheck", 64, 20000), achieved, 19000, 18800, 19200))
	add(reps(withTool(rt, "vegeta", 64, 20000), achieved, 18800, 18000, 18900))
	add(reps(withTool(rt, "vegeta", 128, 20000), achieved, 19400, 19500, 19000))
	for i := range ss {
		if ss[i].Section == "rates" && ss[i].Rate == 1000 {
			ss[i].LagP99 = time.Duration(ss[i].Rep+1) * time.Millisecond // medians: 2 ms each
			ss[i].ReportLagP99 = ss[i].LagP99 + 500*time.Microsecond     // medians: 2.5 ms
			if ss[i].Tool == "vegeta" {
				ss[i].LagP99 /= 2 // 1 ms
				ss[i].ReportLagP99 = 0
			}
		}
	}
	rs := sample{Section: "rss", Success: 1, Requests: 1_000_000}
	add(reps(withTool(rs, "ratecheck", 64, 16000), rss, 150e6, 160e6, 155e6))
	add(reps(withTool(rs, "vegeta", 64, 16000), rss, 40e6, 40e6, 40e6))
	rl := sample{Section: "rss-limited", Success: 1, Requests: 1_000_000}
	add(reps(withTool(rl, "ratecheck", 64, 16000), rss, 180e6, 170e6, 210e6))

	got := table(ss, o)
	want := []row{
		{Measurement: "max throughput, req/s (unpaced, 64 workers)", Ratecheck: "17,500 [17,000–18,000]", Vegeta: "18,600 [18,000–19,000]", Ratio: 17500.0 / 18600, Goal: "ratio ≥ 0.95", Met: "no"},
		{Measurement: "achieved ÷ requested at 1,000/s", Ratecheck: "0.999 [0.995–1.000]", Vegeta: "1.000 [1.000–1.000]", Ratio: 0.999, Goal: "≥ 0.995", Met: "yes"},
		{Measurement: "achieved ÷ requested at 20,000/s", Ratecheck: "0.950 [0.940–0.960]", Vegeta: "0.970 [0.950–0.975] (best: 128 workers)", Ratio: 0.95 / 0.97, Goal: "≥ vegeta's best", Met: "no"},
		{Measurement: "send-time deviation p99 at 1,000/s", Ratecheck: "2 ms [1 ms–3 ms]", Vegeta: "1 ms [500 µs–1.5 ms]", Ratio: 2, Goal: "≤ vegeta", Met: "no"},
		{Measurement: "send-time deviation p99 at 20,000/s", Ratecheck: "0 µs [0 µs–0 µs]", Vegeta: "0 µs [0 µs–0 µs]", Ratio: math.NaN(), Goal: "≤ vegeta", Met: "yes"},
		{Measurement: "peak RSS, 1,000,000 requests at 16,000/s", Ratecheck: "155 MB [150 MB–160 MB]", Vegeta: "40 MB [40 MB–40 MB] (attack 10 + report 30)", Ratio: 155.0 / 40, Goal: "≤ vegeta and < 200 MB", Met: "no"},
		{Measurement: "peak RSS, the same run limited to 8,000 per 1s (every request replayed)", Ratecheck: "180 MB [170 MB–210 MB]", Vegeta: "40 MB [40 MB–40 MB] (judges nothing)", Ratio: 180.0 / 40, Goal: "< 200 MB", Met: "yes"},
		{Measurement: "CPU per request at max throughput (tool's processes)", Ratecheck: "0 µs [0 µs–0 µs]", Vegeta: "0 µs [0 µs–0 µs]", Ratio: math.NaN(), Goal: "(information)"},
	}
	approx := cmp.Comparer(func(a, b float64) bool {
		return (math.IsNaN(a) && math.IsNaN(b)) || math.Abs(a-b) < 1e-9
	})
	if diff := cmp.Diff(want, got, approx); diff != "" {
		t.Errorf("table(…) mismatch (-want +got):\n%s", diff)
	}
	wantOwn := "ratecheck's own send_lag p99 (JSON report, counted from each phase's launch): 1,000/s: 2.5 ms, 20,000/s: 0 µs"
	if got := ownLag(ss, o); got != wantOwn {
		t.Errorf("ownLag(…) = %q; want %q", got, wantOwn)
	}
}

func withTool(s sample, tool string, workers uint64, rate int) sample {
	s.Tool, s.Workers, s.Rate = tool, workers, rate
	return s
}

func TestTableSkipsMissingSections(t *testing.T) {
	o := testOptions()
	ss := reps(withTool(sample{Section: "throughput"}, "ratecheck", 64, 0), achieved, 17000)
	if got := table(ss, o); len(got) != 0 {
		t.Errorf("table(ratecheck only) = %v; want no rows without vegeta's samples", got)
	}
}

func TestThousands(t *testing.T) {
	tests := []struct {
		x    float64
		want string
	}{
		{0, "0"}, {999, "999"}, {1000, "1,000"}, {18600.4, "18,600"}, {1234567, "1,234,567"},
		{-1234, "-1,234"}, {math.NaN(), "—"},
	}
	for _, tt := range tests {
		if got := thousands(tt.x); got != tt.want {
			t.Errorf("thousands(%v) = %q; want %q", tt.x, got, tt.want)
		}
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		ns   float64
		want string
	}{
		{565_000, "565 µs"}, {2_731_000, "2.73 ms"}, {1_508_373_000, "1.51 s"}, {math.NaN(), "—"},
	}
	for _, tt := range tests {
		if got := duration(tt.ns); got != tt.want {
			t.Errorf("duration(%v) = %q; want %q", tt.ns, got, tt.want)
		}
	}
}

func TestWriteTable(t *testing.T) {
	var b strings.Builder
	writeTable(&b, []row{{Measurement: "m", Ratecheck: "1", Vegeta: "2", Ratio: 0.5, Goal: "g", Met: "no"}, {Measurement: "n", Ratio: math.Inf(1)}})
	want := "| measurement | ratecheck | vegeta CLI | ratio | goal | met |\n|---|---:|---:|---:|---|---|\n| m | 1 | 2 | 0.500 | g | no |\n| n |  |  | — |  |  |\n"
	if got := b.String(); got != want {
		t.Errorf("writeTable(…) =\n%s\nwant\n%s", got, want)
	}
}

func TestNotes(t *testing.T) {
	o := testOptions()
	ss := []sample{
		{Section: "rates", Tool: "vegeta", Workers: 64, Rate: 1000, Success: 1},
		{Section: "rates", Tool: "vegeta", Workers: 64, Rate: 5000, Success: 0.5, Rep: 1},
		{Section: "rss", Tool: "vegeta", Workers: 64, Rate: 16000, Success: 1, Requests: 900_000, usage: usage{Other: 0.9}},
	}
	want := []string{
		"rates rep 2 vegeta w=64 rate 5000: only 50.00% of requests succeeded",
		"rss rep 1 vegeta w=64 rate 16000: other processes used 0.90 cores meanwhile",
		"rss rep 1 vegeta w=64 rate 16000: sent 900000 of 1000000 requests",
	}
	if diff := cmp.Diff(want, notes(ss, o)); diff != "" {
		t.Errorf("notes(…) mismatch (-want +got):\n%s", diff)
	}
}
