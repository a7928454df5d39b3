package conformance

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ratecheck/ratecheck/conformance/model"
	"github.com/ratecheck/ratecheck/conformance/series"
	"github.com/ratecheck/ratecheck/scenarios"
)

// streakReq is one request of a streak test: sent at offset at with a 300 µs
// latency, answered with status; wrongful marks a rejection the model blames.
type streakReq struct {
	at       time.Duration
	status   int
	wrongful bool
}

// streakSeries builds the series of reqs, as the collector would.
func streakSeries(reqs []streakReq) (*series.Series, func(i int) bool) {
	l := limitOf(20, time.Second, scenarios.AlgoFixedWindow)
	c := modelCollector(nil, &l, attribution(nil))
	h := hand{start: base}
	for _, r := range reqs {
		h.add(0, r.at, 300*time.Microsecond, r.status)
	}
	for i, o := range h.obs {
		c.Observe(i, o)
	}
	s := series.Build(c)[0]
	limiting := func(i int) bool { return !reqs[i].wrongful }
	return s, limiting
}

// TestStreaks checks how rejections group into streaks when requests in flight
// together may have been decided in any order. Requests 20 µs apart are in
// flight together (a burst); 50 ms apart, never.
func TestStreaks(t *testing.T) {
	const us, ms = time.Microsecond, time.Millisecond
	tests := []struct {
		name string
		reqs []streakReq
		want [][]int
	}{
		{"an admission surely between two rejections ends the streak",
			[]streakReq{{0, 429, false}, {50 * ms, 200, false}, {100 * ms, 429, false}},
			[][]int{{0}, {2}}},
		{"an admission in flight with the next rejection may come after it",
			[]streakReq{{0, 429, false}, {100 * ms, 200, false}, {100*ms + 20*us, 429, false}},
			[][]int{{0, 2}}},
		// A burst decided last-sent first: the admissions sent last were
		// decided first, so the limiting rejections of the burst go on into
		// the next burst's.
		{"admissions sent after limiting rejections of their burst",
			[]streakReq{{0, 429, false}, {20 * us, 429, false}, {40 * us, 429, false},
				{60 * us, 200, false}, {80 * us, 200, false}, {125 * ms, 429, false}},
			[][]int{{0, 1, 2, 5}}},
		{"a wrongful rejection in flight with the admission ends its streak",
			[]streakReq{{0, 429, false}, {125 * ms, 429, true}, {125*ms + 20*us, 200, false}, {250 * ms, 429, false}},
			[][]int{{0, 1}, {3}}},
		{"a limiting rejection in flight with the admission begins the next",
			[]streakReq{{0, 429, false}, {125 * ms, 429, false}, {125*ms + 20*us, 200, false}, {250 * ms, 429, false}},
			[][]int{{0}, {1, 3}}},
		{"an unknown outcome does not break a streak",
			[]streakReq{{0, 429, false}, {50 * ms, 0, false}, {100 * ms, 429, false}},
			[][]int{{0, 2}}},
		{"admissions only", []streakReq{{0, 200, false}, {50 * ms, 200, false}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, limiting := streakSeries(tt.reqs)
			if got := model.Streaks(s, limiting); !cmp.Equal(got, tt.want) {
				t.Errorf("streaks(%v) = %v; want %v", tt.reqs, got, tt.want)
			}
		})
	}
}
