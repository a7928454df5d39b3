package series

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/records"
)

// TestMayOpen checks which requests may open a first-request-aligned window.
func TestMayOpen(t *testing.T) {
	s := &Series{Rej: []bool{true, false, true, false}, Known: []bool{true, true, true, false}}
	tests := []struct {
		name  string
		cands []int
		want  []int
	}{
		{"an admission opens, not the rejections beside it", []int{0, 1, 2}, []int{1}},
		{"an unknown outcome may open", []int{2, 3}, []int{3}},
		{"only rejections: one of them opens", []int{0, 2}, []int{0, 2}},
		{"none", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mayOpen(s, slices.Clone(tt.cands)); !slices.Equal(got, tt.want) {
				t.Errorf("mayOpen(%v) = %v; want %v", tt.cands, got, tt.want)
			}
		})
	}
}

// TestMedianWidth checks the counted median against a sorted one, for
// latencies all under the counted range, some beyond it, and most beyond it.
func TestMedianWidth(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name      string
		n         int
		longShare float64 // latencies beyond widthBuckets µs
	}{
		{"one request", 1, 0}, {"two requests", 2, 0}, {"short", 1001, 0},
		{"some long", 1000, 0.2}, {"most long", 999, 0.8}, {"all long", 10, 1},
	} {
		s := &Series{}
		for range tc.n {
			lat := uint32(rng.IntN(5000))
			if rng.Float64() < tc.longShare {
				lat = widthBuckets + uint32(rng.IntN(1_000_000))
			}
			s.Reqs = append(s.Reqs, records.Record{Latency: lat})
		}
		widths := make([]int64, len(s.Reqs))
		for i := range widths {
			widths[i] = s.Hi(i) - s.Lo(i)
		}
		slices.Sort(widths)
		if got, want := medianWidth(s), widths[len(widths)/2]; got != want {
			t.Errorf("%s: medianWidth = %d; want %d", tc.name, got, want)
		}
	}
}

// The first-request chain search keeps the nodes it expanded, a beam's worth
// per window, not every node it reached: a long run of uncertain expiries
// must not keep candidates × beam nodes for each window.
func TestFirstRequestSearchForgetsPrunedNodes(t *testing.T) {
	const (
		windows = 40
		perWin  = 500 // 0.2 ms apart: about 25 candidates straddle each expiry
	)
	w := int64(100 * time.Millisecond)
	var recs []records.Record
	for i := range windows * perWin {
		recs = append(recs, records.Record{Seq: int32(i), Sent: int64(i) * w / perWin, Latency: 1000, Status: 200})
	}
	s := New("", recs, 0)
	d := &fraSearch{s: s, w: w, n: perWin, outlier: outliers(s, w)}
	wins := d.run()
	if len(wins) < windows-1 {
		t.Fatalf("the search found %d windows; want about %d", len(wins), windows)
	}
	if most := 2*fraBeam*len(wins) + fraBeam*fraMaxCandidates; d.nodes > most {
		t.Errorf("the search kept %d nodes for %d windows; want at most %d", d.nodes, len(wins), most)
	}
}
