package conformance

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// Runs of the reference target's first-request-aligned window recorded by the
// matrix, each of which the chain search once got wrong. Each verdict must
// name the fault, and only it.
//
//   - fra-burst-expiry: the off-by-one fault, sent with every request delayed
//     up to 30 ms at the target (a loaded server). A burst straddled an
//     expiry: four of its requests arrived before it and were rejected, and
//     the one admitted arrived after and opened the next window. The chain
//     once opened it with a rejected request (its arrival interval was the
//     narrowest), which found the window empty and was blamed as a late
//     recovery.
//   - fra-penalty-box: the slow-recovery fault's 2 s penalty box. While the
//     box held, no request was admitted, so no window opened; the first
//     admission after it opened one, and the 21st request of that window was
//     rightly rejected. The chain once opened windows with the boxed
//     rejections instead, one of which was still open when the box ended, so
//     the window that really followed seemed to start with the 20th
//     admission and its 21st request was blamed as an early rejection.
//   - fra-late-lift-shift: the same penalty box, where the first request
//     after the promised recovery was rejected (it opened no window in the
//     server): the server's window opened at the first admission after the
//     box, half a second after the model's, and its 21st request was rightly
//     rejected where the model saw a fresh window. That streak, after a late
//     lift and a whole window's admissions, is the late recovery's, not an
//     early rejection.
//   - fra-off-by-one-ambiguous: off-by-one, where X-RateLimit-Remaining said
//     0 and the next request was admitted: an over-admission the model
//     leaves ambiguous near a window boundary; limit.enforced fails the
//     defect on other windows, so headers.remaining points there.
func TestFirstRequestChainReplays(t *testing.T) {
	tests := []struct {
		dir  string
		what string
		want map[check.ID]check.Status
	}{
		{"testdata/fra-burst-expiry", "off-by-one, burst straddling an expiry", map[check.ID]check.Status{
			check.LimitEnforced:       check.Fail,
			check.LimitNoEarlyReject:  check.Pass,
			check.LimitStatus:         check.Pass,
			check.RecoveryAfterWindow: check.Pass,
		}},
		{"testdata/fra-penalty-box", "penalty box", map[check.ID]check.Status{
			check.LimitEnforced:       check.Pass,
			check.LimitNoEarlyReject:  check.Pass,
			check.LimitStatus:         check.Pass,
			check.TimingOnset:         check.Pass,
			check.RecoveryAfterWindow: check.Fail,
		}},
		{"testdata/fra-late-lift-shift", "penalty box, window shifted by the late lift", map[check.ID]check.Status{
			check.LimitEnforced:       check.Pass,
			check.LimitNoEarlyReject:  check.Pass,
			check.LimitStatus:         check.Pass,
			check.TimingOnset:         check.Pass,
			check.RecoveryAfterWindow: check.Fail,
			check.HeadersRemaining:    check.Pass,
		}},
		{"testdata/fra-off-by-one-ambiguous", "off-by-one, Remaining 0 then an admission near a boundary", map[check.ID]check.Status{
			check.LimitEnforced:       check.Fail,
			check.LimitNoEarlyReject:  check.Pass,
			check.RecoveryAfterWindow: check.Pass,
			check.HeadersRemaining:    check.Skip,
		}},
	}
	for _, tt := range tests {
		v := replay(t, tt.dir)
		for id, status := range tt.want {
			if c := resultOf(t, v, id); c.Status != status {
				t.Errorf("Check(%s) %s = %s (%s); want %s", tt.what, id, c.Status, c.Message, status)
			}
		}
	}
}

// replay judges a run directory stored under testdata with its own scenario.
func replay(t *testing.T, dir string) Verdict {
	t.Helper()
	p, obs := stored(t, dir)
	return Check(p, seqOf(obs))
}

// stored reads a run directory stored under testdata: the plan of its own
// scenario and its observations.
func stored(t *testing.T, dir string) (*scenarios.Plan, []results.Observation) {
	t.Helper()
	run, err := results.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenarios.Parse("scenario.yaml", run.Scenario)
	if err != nil {
		t.Fatal(err)
	}
	var obs []results.Observation
	for o, err := range run.Observations() {
		if err != nil {
			t.Fatal(err)
		}
		obs = append(obs, o)
	}
	return scenarios.NewPlan(sc), obs
}

// TestMayOpen checks which requests may open a first-request-aligned window.
func TestMayOpen(t *testing.T) {
	s := &series{rej: []bool{true, false, true, false}, known: []bool{true, true, true, false}}
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
		s := &series{}
		for range tc.n {
			lat := uint32(rng.IntN(5000))
			if rng.Float64() < tc.longShare {
				lat = widthBuckets + uint32(rng.IntN(1_000_000))
			}
			s.reqs = append(s.reqs, records.Record{Latency: lat})
		}
		widths := make([]int64, len(s.reqs))
		for i := range widths {
			widths[i] = s.hi(i) - s.lo(i)
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
	s := newSeries("", recs, 0)
	d := &fraSearch{s: s, w: w, n: perWin, outlier: outliers(s, w)}
	wins := d.run()
	if len(wins) < windows-1 {
		t.Fatalf("the search found %d windows; want about %d", len(wins), windows)
	}
	if most := 2*fraBeam*len(wins) + fraBeam*fraMaxCandidates; d.nodes > most {
		t.Errorf("the search kept %d nodes for %d windows; want at most %d", d.nodes, len(wins), most)
	}
}
