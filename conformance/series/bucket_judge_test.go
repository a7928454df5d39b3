package series

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ratecheck/ratecheck/conformance/records"
)

func TestMinTreeMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 2, 3, 5, 7, 64, 65, 100, 1000} {
		vals := make([]float64, n)
		for k := range vals {
			vals[k] = r.Float64() * 10
		}
		tree := newMinTree(n, func(k int) float64 { return vals[k] })
		for range 500 {
			k := r.IntN(n)
			if r.IntN(2) == 0 {
				v := int32(r.IntN(5) - 2)
				tree.add(k, v)
				for x := 0; x <= k; x++ {
					vals[x] += float64(v)
				}
				continue
			}
			want, at := vals[0], 0
			for x := 1; x <= k; x++ {
				if vals[x] < want {
					want, at = vals[x], x
				}
			}
			got, gotAt := tree.min(k)
			if diff := got - want; diff > 1e-9 || diff < -1e-9 || vals[gotAt] != vals[at] {
				t.Fatalf("n=%d: min(%d) = %v at %d; want %v at %d", n, k, got, gotAt, want, at)
			}
		}
	}
}

func TestFenwick(t *testing.T) {
	f := newFenwick(10)
	marked := []int{1, 4, 5, 9}
	for _, k := range marked {
		f.add(k)
	}
	for k, want := range []int64{0, 0, 1, 1, 1, 2, 3, 3, 3, 3, 4} {
		if got := f.sum(k); got != want {
			t.Errorf("sum(%d) = %d; want %d", k, got, want)
		}
	}
	for c, want := range marked {
		if got := f.find(int64(c + 1)); got != want {
			t.Errorf("find(%d) = %d; want %d", c+1, got, want)
		}
	}
}

// The tree adds and queries without recursion, and keeps what was added
// to a node as an integer; every node must take the same floating-point
// additions in the same order as the recursive walk over float sums did
// (floatTree), so that sums round alike, and queries must agree bit for
// bit, positions too.
func TestMinTreeMatchesRecursiveWalk(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 2))
	for _, n := range []int{0, 1, 2, 3, 5, 7, 64, 65, 100, 1000, 4097} {
		init := func(k int) float64 { return -3.7e-6 * float64(1e9+int64(k/3)*123_457) } // -rate·lo: fractions that round, ties too
		got, want := newMinTree(n, init), newFloatTree(n, init)
		for range 3000 {
			if n == 0 {
				break
			}
			k := r.IntN(n)
			if r.IntN(3) > 0 {
				v := int32(-1)
				if r.IntN(4) == 0 {
					v = int32(r.IntN(7) - 3)
				}
				got.add(k, v)
				want.addRec(1, 0, n-1, k, float64(v))
				continue
			}
			gv, gat := got.min(k)
			wv, wat := want.minRec(1, 0, n-1, k)
			if math.Float64bits(gv) != math.Float64bits(wv) || gat != wat {
				t.Fatalf("n=%d: min(%d) = %v at %d; want %v at %d", n, k, gv, gat, wv, wat)
			}
		}
		for x, g := range got.nodes {
			if w := want.nodes[x]; math.Float64bits(g.min) != math.Float64bits(w.min) || float64(g.lazy) != w.lazy || g.at != w.at {
				t.Fatalf("n=%d: node %d holds %+v; want %+v", n, x, g, w)
			}
		}
	}
}

// floatTree is minTree as first written: what was added to a node kept as
// a float, and walked recursively.
type floatTree struct {
	n     int
	nodes []floatNode
}

type floatNode struct {
	min, lazy float64
	at        int32
}

func newFloatTree(n int, init func(k int) float64) *floatTree {
	size := 2
	for size < 2*n {
		size *= 2
	}
	t := &floatTree{n: n, nodes: make([]floatNode, size)}
	if n > 0 {
		t.build(1, 0, n-1, init)
	}
	return t
}

func (t *floatTree) build(node, l, r int, init func(int) float64) {
	if l == r {
		t.nodes[node].min, t.nodes[node].at = init(l), int32(l)
		return
	}
	m := (l + r) / 2
	t.build(2*node, l, m, init)
	t.build(2*node+1, m+1, r, init)
	t.pull(node)
}

func (t *floatTree) pull(node int) {
	a, b := 2*node, 2*node+1
	if t.nodes[b].min < t.nodes[a].min {
		t.nodes[node].min, t.nodes[node].at = t.nodes[b].min, t.nodes[b].at
	} else {
		t.nodes[node].min, t.nodes[node].at = t.nodes[a].min, t.nodes[a].at
	}
	t.nodes[node].min += t.nodes[node].lazy
}

func (t *floatTree) addRec(node, l, r, k int, v float64) {
	if l > k {
		return
	}
	if r <= k {
		t.nodes[node].min += v
		t.nodes[node].lazy += v
		return
	}
	m := (l + r) / 2
	t.addRec(2*node, l, m, k, v)
	t.addRec(2*node+1, m+1, r, k, v)
	t.pull(node)
}

func (t *floatTree) minRec(node, l, r, k int) (float64, int) {
	if r <= k {
		return t.nodes[node].min, int(t.nodes[node].at)
	}
	m := (l + r) / 2
	v, at := t.minRec(2*node, l, m, k)
	if k > m {
		if w, wat := t.minRec(2*node+1, m+1, r, k); w < v {
			v, at = w, wat
		}
	}
	return v + t.nodes[node].lazy, at
}

// bucketRejectedSearching is bucketRejected as first written: every count
// a binary search of its own.
func bucketRejectedSearching(s *Series, burst, rate float64, charged, anchors []int, ev *StateEval) {
	if !slices.Contains(s.Rej, true) {
		return
	}
	cLo, cHi := make([]int64, 0, len(charged)), make([]int64, 0, len(charged))
	for _, i := range charged {
		cLo, cHi = append(cLo, s.Lo(i)), append(cHi, s.Hi(i))
	}
	cLo, cHi = merge(cLo, s.unkLo), merge(cHi, s.unkHi)
	slices.Sort(cHi)
	m := len(cLo)
	best := make([]float64, m)
	for k := range m {
		v := -rate*float64(cHi[k]) - float64(m-countBelow(cHi, cHi[k]))
		best[k] = v
		if k > 0 {
			best[k] = min(v, best[k-1])
		}
	}
	aHi := make([]int64, len(anchors))
	for k, i := range anchors {
		aHi[k] = s.Hi(i)
	}
	slices.Sort(aHi)
	fromEmpty := make([]float64, len(aHi))
	for k, h := range aHi {
		fromEmpty[k] = -rate*float64(h) - float64(m-countBelow(cHi, h))
		if k > 0 {
			fromEmpty[k] = min(fromEmpty[k], fromEmpty[k-1])
		}
	}
	for e, ok := range s.Rej {
		if !ok {
			continue
		}
		lo, hi := s.Lo(e), s.Hi(e)
		later := float64(m - countBelow(cLo, hi))
		inFlight := float64(m-countBelow(cHi, lo)) - later
		tokens := min(burst, burst-inFlight)
		if k := countBelow(cHi, lo+1); k > 0 {
			tokens = min(tokens, burst+rate*float64(lo)+later+best[k-1])
		}
		if k := countBelow(aHi, lo+1); k > 0 {
			tokens = min(tokens, rate*float64(lo)+later+fromEmpty[k-1])
		}
		ev.rejected(e, tokens, 0)
		ev.Out[e] = RejectOK
		if tokens >= 1 {
			ev.Out[e] = RejectWrong
		}
	}
}

// bucketRejected, which steps its counts on from one rejection to the
// next, judges as searching every count did: the same outcomes and
// levels, for buckets judged whole (over-admissions as anchors) on random
// series with rejections, unknown outcomes, ties and latency spikes.
func TestBucketRejectedAsSearching(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 1))
	for run := range 300 {
		recs := jitteredRecords(r, r.IntN(600), []int32{200, 200, 429, 0, 503})
		s := New("", recs, 0)
		burst, rate := float64(1+r.IntN(20)), float64(1+r.IntN(50))/1e9
		over := NewStateEval(s)
		BucketOver(s, burst, rate, &over)
		var charged, anchors []int
		for i, ok := range s.Adm {
			switch {
			case !ok:
			case over.Out[i] == AdmitOver:
				anchors = append(anchors, i)
			default:
				charged = append(charged, i)
			}
		}
		got, want := NewStateEval(s), NewStateEval(s)
		bucketRejected(s, burst, rate, charged, anchors, &got)
		bucketRejectedSearching(s, burst, rate, charged, anchors, &want)
		for i := range s.Reqs {
			if got.Out[i] != want.Out[i] || got.DetOf(i) != want.DetOf(i) {
				t.Fatalf("run %d (burst %v, rate %v/s), request %d: %v %+v; searching every count gives %v %+v",
					run, burst, rate*1e9, i, got.Out[i], got.DetOf(i), want.Out[i], want.DetOf(i))
			}
		}
	}
}

// A counted bucket judgement explained (BucketExplained) is the judgement
// with details: the same outcomes, and every request's detail the same bit
// for bit, over-admissions' and rejections' alike, on random series with
// over-admissions, rejections, unknown outcomes, ties and latency spikes.
func TestBucketExplainedAsJudgedWithDetails(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 3))
	overs, rejected := 0, 0
	for run := range 300 {
		recs := jitteredRecords(r, r.IntN(800), []int32{200, 200, 200, 429, 0, 503})
		s := New("", recs, 0)
		burst, rate := float64(1+r.IntN(20)), float64(1+r.IntN(500))/1e9
		counted, want := NewStateEval(s), NewStateEval(s)
		counted.Counting = true
		JudgeBucket(s, burst, rate, &counted)
		JudgeBucket(s, burst, rate, &want)
		got := BucketExplained(s, burst, rate, counted)
		if got.Counting || !slices.Equal(got.Out, want.Out) {
			t.Fatalf("run %d (burst %v, rate %v/s): outcomes differ from judging with details", run, burst, rate*1e9)
		}
		for i := range s.Reqs {
			g, w := got.DetOf(i), want.DetOf(i)
			if g.Ref != w.Ref || g.Rank != w.Rank || g.Start != w.Start || math.Float64bits(g.Level) != math.Float64bits(w.Level) {
				t.Fatalf("run %d (burst %v, rate %v/s), request %d (%v): detail %+v; judging with details gives %+v",
					run, burst, rate*1e9, i, want.Out[i], g, w)
			}
			switch want.Out[i] {
			case AdmitOver:
				overs++
			case RejectOK, RejectWrong:
				rejected++
			}
		}
	}
	if overs < 1000 || rejected < 1000 {
		t.Errorf("%d over-admissions and %d rejections explained; want the series to have many of both", overs, rejected)
	}
}

// BucketOverAtMost finds what BucketOver finds when the over-admissions
// are at most its bound, and says so exactly when they are: the same
// count, outcomes and notes; past the bound it reports false, whatever
// the bound (none, one short, exact, beyond, random), on random series.
func TestBucketOverAtMostAsBucketOver(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 4))
	stopped := 0
	for run := range 200 {
		recs := jitteredRecords(r, r.IntN(800), []int32{200, 200, 200, 429, 0})
		s := New("", recs, 0)
		burst, rate := float64(1+r.IntN(20)), float64(1+r.IntN(500))/1e9
		want := NewStateEval(s)
		want.Counting = true
		n := BucketOver(s, burst, rate, &want)
		for _, most := range []int{0, n - 1, n, n + 3, r.IntN(n + 1)} {
			got := NewStateEval(s)
			got.Counting = true
			over, ok := BucketOverAtMost(s, burst, rate, &got, most)
			if ok != (n <= most) {
				t.Fatalf("run %d, at most %d: ok %v with %d over-admissions in all", run, most, ok, n)
			}
			if !ok {
				stopped++
				continue
			}
			if over != n || !slices.Equal(got.Out, want.Out) || !slices.Equal(got.overs, want.overs) {
				t.Fatalf("run %d, at most %d: %d over-admitted; BucketOver finds %d (or other outcomes)", run, most, over, n)
			}
		}
	}
	if stopped < 100 {
		t.Errorf("%d judgements stopped past their bound; want many", stopped)
	}
}

// BucketRest, which lists the charged requests and the anchors at their
// size and not at all for a series without rejections, judges as listing
// them by appending did (bucketRestAppending): on random series with and
// without rejections.
func TestBucketRestAsAppending(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 18))
	for run := range 200 {
		recs := make([]records.Record, r.IntN(600))
		var at int64
		statuses := []int32{200, 200, 429, 0}
		if run%3 == 0 {
			statuses = []int32{200, 200, 0} // no rejection
		}
		for i := range recs {
			at += int64(r.IntN(4)) * 1e6
			recs[i] = records.Record{Sent: at, Latency: uint32(r.IntN(3_000)), Status: statuses[r.IntN(len(statuses))]}
		}
		s := New("", recs, 0)
		burst, rate := float64(1+r.IntN(20)), float64(1+r.IntN(500))/1e9
		got, want := NewStateEval(s), NewStateEval(s)
		BucketOver(s, burst, rate, &got)
		BucketOver(s, burst, rate, &want)
		BucketRest(s, burst, rate, &got)
		bucketRestAppending(s, burst, rate, &want)
		for i := range s.Reqs {
			if got.Out[i] != want.Out[i] || got.DetOf(i) != want.DetOf(i) {
				t.Fatalf("run %d, request %d: %v %+v; appending gives %v %+v", run, i, got.Out[i], got.DetOf(i), want.Out[i], want.DetOf(i))
			}
		}
	}
}

// bucketRestAppending is BucketRest as first written.
func bucketRestAppending(s *Series, burst, rate float64, ev *StateEval) {
	var charged, anchors []int
	for i, ok := range s.Adm {
		switch {
		case !ok:
		case ev.Out[i] == AdmitOver:
			anchors = append(anchors, i)
		default:
			charged = append(charged, i)
		}
	}
	bucketRejected(s, burst, rate, charged, anchors, ev)
}

// The admissions by latest arrival, sorted by insertion when that takes few
// moves and by slices.SortFunc when latency spikes make it take many, come
// in the order sorting them as first written gave: on random series with
// and without spikes.
func TestAdmittedByHiAsSorted(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 19))
	for run := range 200 {
		recs := make([]records.Record, r.IntN(3000))
		var at int64
		for i := range recs {
			at += int64(r.IntN(3)) * 1e5
			lat := uint32(r.IntN(500))
			if run%2 == 1 && r.IntN(10) == 0 {
				lat = uint32(r.IntN(2_000_000)) // spikes: too many moves
			}
			recs[i] = records.Record{Sent: at, Latency: lat, Status: []int32{200, 200, 429, 0}[r.IntN(4)]}
		}
		s := New("", recs, 0)
		adm, order := s.admittedByHi()
		type byHi struct {
			hi int64
			k  int32
		}
		keys := make([]byHi, len(adm))
		for k, i := range adm {
			keys[k] = byHi{s.Hi(int(i)), int32(k)}
		}
		slices.SortFunc(keys, func(a, b byHi) int { return cmp.Or(cmp.Compare(a.hi, b.hi), cmp.Compare(a.k, b.k)) })
		for x, key := range keys {
			if order[x] != key.k {
				t.Fatalf("run %d: admission %d by latest arrival is %d; sorting gives %d", run, x, order[x], key.k)
			}
		}
	}
}

// A series' reach, half the median latency of its rejections found by
// halves of 16 bits, and its latest arrivals, sorted by insertion when
// they nearly are in order, are what sorting them gave (as first written):
// on random series with latencies below and past 65,536 µs, latency spikes
// and runs without rejections.
func TestBuildAsSorting(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 20))
	for run := range 300 {
		recs := make([]records.Record, r.IntN(2000))
		var at int64
		statuses := []int32{200, 429, 429, 0}
		if run%5 == 0 {
			statuses = []int32{200, 0}
		}
		scale := []int{1_000, 70_000, 5_000_000}[run%3]
		for i := range recs {
			at += int64(r.IntN(3)) * 1e5
			lat := uint32(r.IntN(scale))
			if r.IntN(20) == 0 {
				lat = uint32(r.IntN(2_000_000)) // a spike
			}
			recs[i] = records.Record{Sent: at, Latency: lat, Status: statuses[r.IntN(len(statuses))]}
		}
		s := New("", recs, 0)
		var lats []int64
		for i, rej := range s.Rej {
			if rej {
				lats = append(lats, s.Reqs[i].Lat())
			}
		}
		want := int64(0)
		if len(lats) > 0 {
			slices.Sort(lats)
			want = lats[len(lats)/2] / 2
		}
		if got := halfMedianRejectionLatency(s); got != want {
			t.Fatalf("run %d: half the median rejection latency %d; sorting gives %d", run, got, want)
		}
		var his []int64
		for i := range s.Reqs {
			if !s.Rej[i] {
				his = append(his, s.Hi(i))
			}
		}
		slices.Sort(his)
		if !slices.Equal(s.admHi, his) {
			t.Fatalf("run %d: the latest arrivals of the charged requests differ from sorting them", run)
		}
	}
}
