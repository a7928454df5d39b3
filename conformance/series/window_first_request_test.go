package series

import (
	"cmp"
	"math"
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
	d := newFraSearch(s, w, perWin)
	wins := d.run()
	if len(wins) < windows-1 {
		t.Fatalf("the search found %d windows; want about %d", len(wins), windows)
	}
	if most := 2*fraBeam*len(wins) + fraBeam*fraMaxCandidates; d.nodes > most {
		t.Errorf("the search kept %d nodes for %d windows; want at most %d", d.nodes, len(wins), most)
	}
}

// sweep steps over runs that cannot be wrong; it must give what costing every
// request in turn gives (sweepEach, the plain loop it replaced), at every mark.
func TestSweepMatchesStepByStep(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for range 300 {
		n := 1 + r.IntN(400)
		recs := make([]records.Record, n)
		var at int64
		for i := range recs {
			at += int64(r.IntN(4)) * 1e5
			lat := uint32(r.IntN(2000))
			if r.IntN(40) == 0 {
				lat = uint32(r.IntN(5_000_000)) // an outlier now and then
			}
			status := []int32{200, 200, 429, 0, 403}[r.IntN(5)]
			if r.IntN(3) == 0 {
				status = 200 // long admitted runs, as a limit allows
			}
			recs[i] = records.Record{Seq: int32(i), Sent: at, Latency: lat, Status: status}
		}
		s := New("", recs, 0)
		w := int64(1+r.IntN(50)) * 1e5
		d := newFraSearch(s, w, int64(1+r.IntN(20)))
		for range 20 {
			st := r.IntN(n)
			d.after = s.Lo(st) + int64(r.IntN(int(w)+1)) - w/2
			var marks []int
			for j := st + 1; j <= n; j++ {
				if r.IntN(4) == 0 || j == n {
					marks = append(marks, j)
				}
			}
			marks = marks[:r.IntN(len(marks)+1)]
			wantMembers, wantWrong := d.sweepEach(st, n)
			d.sweep(st, marks)
			if len(d.members) != len(marks) || len(d.wrong) != len(marks) {
				t.Fatalf("sweep(%d, %v) recorded %d and %d marks; want %d", st, marks, len(d.members), len(d.wrong), len(marks))
			}
			for x, j := range marks {
				if d.members[x] != wantMembers[j-st] || d.wrong[x] != wantWrong[j-st] {
					t.Fatalf("sweep(%d) at %d: members %d, wrong %+v; want %d, %+v", st, j, d.members[x], d.wrong[x], wantMembers[j-st], wantWrong[j-st])
				}
			}
		}
	}
}

// sweepEach is sweep as it was written first: for k = 0 … end−st, members[k]
// and wrong[k] after costing each of st … st+k−1 in turn.
func (d *fraSearch) sweepEach(st, end int) (members []int64, wrong []fraCost) {
	s := d.s
	members, wrong = []int64{0}, []fraCost{{}}
	var m int64
	var c fraCost
	inRun := false
	rejHi := int64(math.MaxInt64)
	for e := st; e < end; e++ {
		bad := false
		switch {
		case d.outlier[e] && e != st:
		case s.Adm[e]:
			m++
			bad = s.Lo(e) > rejHi && s.Hi(e) < s.Lo(st)+d.w
		case !s.Known[e]:
		case e == st:
			bad = true
		case s.Lo(e) >= s.Hi(st)+d.w:
			bad = true
		case s.Lo(e) >= d.after:
			bad = s.admittedMaybeIn(s.Lo(st), min(s.Hi(e), s.Hi(st)+d.w)) < d.n
			rejHi = min(rejHi, s.Hi(e))
		}
		if bad {
			c.violations++
			if !inRun {
				c.episodes++
			}
		}
		inRun = bad
		members, wrong = append(members, m), append(wrong, c)
	}
	return members, wrong
}

// sweepWalking is sweep as first written: it walks every request after the
// first rejection.
func (d *fraSearch) sweepWalking(st int, marks []int) {
	s := d.s
	d.members, d.wrong = d.members[:0], d.wrong[:0]
	if len(marks) == 0 {
		return
	}
	end := marks[len(marks)-1]
	var members int64
	var c fraCost
	inRun := false
	rejHi := int64(math.MaxInt64) // the soonest a rejection surely in st's window had surely arrived
	// Fewer than n requests may have been charged in [lo_st, to) exactly when
	// to ≤ under (s.chargedUnder), found at the first rejection.
	under, found := int64(0), false
	m := 0 // the next mark
	// The earliest and latest expiry of st's window, asked of every request.
	loExp, hiExp := s.Lo(st)+d.w, s.Hi(st)+d.w
	for e := st; ; {
		for m < len(marks) && marks[m] == e {
			d.members, d.wrong = append(d.members, members), append(d.wrong, c)
			m++
		}
		if e == end {
			return
		}
		if rejHi == math.MaxInt64 && e != st {
			if to := min(int(d.nextRej[e]), end); to > e {
				// Admissions, unknown outcomes and outliers: none is wrong.
				for m < len(marks) && marks[m] < to {
					d.members = append(d.members, members+int64(d.admBefore[marks[m]]-d.admBefore[e]))
					d.wrong = append(d.wrong, c)
					m++
				}
				members += int64(d.admBefore[to] - d.admBefore[e])
				inRun = false
				e = to
				continue
			}
		}
		wrong := false
		switch {
		case d.outlier[e] && e != st:
			// A latency spike: it may belong anywhere.
		case s.Adm[e]:
			members++
			// A window fills and stays full: an admission that surely
			// arrived after one of its rejections, and before the window
			// could have expired, says st did not open the window.
			wrong = s.Lo(e) > rejHi && s.Hi(e) < loExp
		case !s.Known[e]:
			// An unknown outcome: neither counted nor blamed.
		case e == st:
			wrong = true // the opening request found an empty window
		case s.Lo(e) >= hiExp:
			wrong = true // after st's window surely expired, before the next opened: in none
		case s.Lo(e) >= d.after:
			if !found {
				under, found = s.chargedUnder(s.Lo(st), d.n), true
			}
			hi := s.Hi(e)
			wrong = min(hi, hiExp) <= under
			rejHi = min(rejHi, hi)
		}
		if wrong {
			c.violations++
			if !inRun {
				c.episodes++
			}
		}
		inRun = wrong
		e++
	}
}

// sweep, which steps over long runs of rejections judged alike, fills the
// counts walking every request did: for series shaped as limited runs
// (bursts of admissions, then long runs of rejections), with latencies
// from none to spikes, outliers and unknown outcomes, and for openers,
// marks and bounds drawn anywhere in them.
func TestSweepAsWalking(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 7))
	stepped := 0
	for run := range 60 {
		var recs []records.Record
		var at int64
		for len(recs) < 4000 {
			adm, rej := r.IntN(600), r.IntN(900)
			for k := range adm + rej {
				at += r.Int64N(200_000)
				status := int32(200)
				switch {
				case k >= adm:
					status = 429
				case r.IntN(100) == 0:
					status = 0
				}
				lat := uint32(r.IntN(3_000))
				if r.IntN(300) == 0 {
					lat = uint32(r.IntN(400_000))
				}
				recs = append(recs, records.Record{Sent: at, Latency: lat, Status: status})
			}
		}
		s := New("", recs, 0)
		w := []int64{20e6, 100e6, 300e6}[r.IntN(3)]
		d := newFraSearch(s, w, int64(1+r.IntN(800)))
		total := len(s.Reqs)
		for range 40 {
			st := r.IntN(total - 1)
			var marks []int
			for j := st + 1 + r.IntN(50); j < total && len(marks) < 6; j += 1 + r.IntN(2000) {
				marks = append(marks, j)
			}
			if len(marks) == 0 || r.IntN(4) == 0 {
				marks = append(marks, total)
			}
			d.after = s.Lo(st) + r.Int64N(w) - w/4
			d.sweep(st, marks)
			got, gotWrong := slices.Clone(d.members), slices.Clone(d.wrong)
			d.sweepWalking(st, marks)
			if !slices.Equal(got, d.members) || !slices.Equal(gotWrong, d.wrong) {
				t.Fatalf("run %d, st %d, marks %v: members %v wrong %v; walking gives %v %v", run, st, marks, got, gotWrong, d.members, d.wrong)
			}
			for x := range gotWrong {
				if gotWrong[x].violations > 0 {
					stepped++
					break
				}
			}
		}
	}
	if stepped < 100 {
		t.Errorf("%d sweeps of 2,400 found a wrongful rejection; want the test to reach them", stepped)
	}
}

// prune, sorting without keeping order, keeps and forgets what the stable
// sorts it first had did, in the same order: on random layers of nodes
// with keys reached several times and costs that tie, below and past the
// beam.
func TestPruneAsStable(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 5))
	for run := range 400 {
		next := make([]fraNode, r.IntN(6*fraBeam))
		for x := range next {
			next[x] = fraNode{
				key:  fraKey{at: r.IntN(len(next)/2 + 1), after: int64(r.IntN(3))},
				cost: fraCost{violations: int64(r.IntN(4)), episodes: int64(r.IntN(3)), width: int64(r.IntN(3))},
			}
		}
		var gotForgot, wantForgot []fraKey
		want := pruneStable(slices.Clone(next), func(k fraKey) { wantForgot = append(wantForgot, k) })
		got := prune(slices.Clone(next), func(k fraKey) { gotForgot = append(gotForgot, k) })
		if !slices.Equal(got, want) || !slices.Equal(gotForgot, wantForgot) {
			t.Fatalf("run %d (%d nodes): kept %v, forgot %v; the stable sorts keep %v, forget %v", run, len(next), got, gotForgot, want, wantForgot)
		}
	}
}

// pruneStable is prune as first written, with stable sorts.
func pruneStable(next []fraNode, forget func(fraKey)) []fraNode {
	byKey := func(a, b fraNode) int {
		return cmp.Or(cmp.Compare(a.key.at, b.key.at), cmp.Compare(a.key.after, b.key.after))
	}
	byCost := func(a, b fraNode) int {
		switch {
		case a.cost.less(b.cost):
			return -1
		case b.cost.less(a.cost):
			return 1
		}
		return 0
	}
	slices.SortStableFunc(next, func(a, b fraNode) int { return cmp.Or(byKey(a, b), byCost(a, b)) })
	next = slices.CompactFunc(next, func(a, b fraNode) bool { return a.key == b.key })
	if len(next) <= fraBeam {
		return next
	}
	ranked := slices.Clone(next)
	slices.SortStableFunc(ranked, byCost)
	limit := ranked[fraBeam-1].cost
	var keep, ties []fraNode
	for _, nd := range next {
		switch {
		case nd.cost.less(limit):
			keep = append(keep, nd)
		case !limit.less(nd.cost):
			ties = append(ties, nd)
		default:
			forget(nd.key)
		}
	}
	picked := spread(len(ties), fraBeam-len(keep))
	for x, nd := range ties {
		if picked[x] {
			keep = append(keep, nd)
			continue
		}
		forget(nd.key)
	}
	slices.SortFunc(keep, byKey)
	return keep
}
