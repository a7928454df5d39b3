package series

import (
	"math"
	"slices"
)

// Token bucket (also GCRA and leaky bucket as a meter): capacity B tokens, refilled
// at r tokens a nanosecond, full at the first request; an admitted request takes a
// token and a request is limited while fewer than one token is left.
//
// With exact arrival times the bucket's tokens at t are
//
//	tokens(t) = min(B, min over x ≤ t of [B + r·(t − x) − A[x, t)])
//
// where A[x, t) counts the admitted requests that arrived in [x, t). Arrival times
// are only known to lie in [lo, hi], so:
//
//   - an admission is an over-admission only if it completes a set of admitted
//     requests that surely arrived within [lo_s, hi_e] and holds more than
//     B + r·(hi_e − lo_s) of them, whatever the arrivals inside were;
//   - a rejection is wrongful only if even the most crowded arrangement of the
//     admitted requests around it leaves at least one token.
//
// Over-admitted requests are not charged, so one fault is counted once and
// does not cascade; rejected requests charge nothing. An over-admission
// still tells the rejections after it something: the server had a token for
// it, so it left the bucket empty at most (the point model's clamp at zero).
// Each is an anchor for the rejections: from its latest arrival the bucket
// refills from nothing. Without them a bucket that refills too fast, whose
// extra admissions leave it emptier than the model, was also said to reject
// early; charging them whole instead would leave the model a debt the
// server never had.

// JudgeBucket judges s against a bucket of capacity burst refilled at rate tokens
// a nanosecond.
func JudgeBucket(s *Series, burst, rate float64, ev *StateEval) {
	BucketOver(s, burst, rate, ev)
	BucketRest(s, burst, rate, ev)
}

// BucketOver is JudgeBucket's first half: it finds the over-admissions
// (AdmitOver) and counts them, a lower bound on the violations of the
// judgement. BucketRest finishes it.
func BucketOver(s *Series, burst, rate float64, ev *StateEval) (over int) {
	return bucketOver(s, burst, rate, ev, math.MaxInt)
}

// BucketOverAtMost is BucketOver for a judgement wanted only when it finds
// at most most over-admissions: it stops at the one past most, and then
// reports false, ev left judged in part.
func BucketOverAtMost(s *Series, burst, rate float64, ev *StateEval, most int) (over int, ok bool) {
	over = bucketOver(s, burst, rate, ev, most)
	return over, over <= most
}

// BucketRest is JudgeBucket's second half, after BucketOver: it judges the
// rejections against the admissions BucketOver charged.
func BucketRest(s *Series, burst, rate float64, ev *StateEval) {
	if !slices.Contains(s.Rej, true) {
		return // nothing to judge (bucketRejected says so too): no lists to make
	}
	overs := 0
	for i, ok := range s.Adm {
		if ok && ev.Out[i] == AdmitOver {
			overs++
		}
	}
	charged, anchors := make([]int, 0, countTrue(s.Adm)-overs), make([]int, 0, overs)
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

// bucketOver finds the over-admissions and counts them, stopping at the
// one past most.
func bucketOver(s *Series, burst, rate float64, ev *StateEval, most int) (over int) {
	adm, order := s.admittedByHi() // admitted requests in send order; handled by latest arrival
	// tree[k] = −r·lo(adm[k]) − (charged requests handled so far whose position is ≥ k)
	tree := newMinTree(len(adm), func(k int) float64 { return -rate * float64(s.Lo(int(adm[k]))) })
	// Handled in order of latest arrival: everything handled before e surely
	// arrived by hi_e.
	for _, k32 := range order {
		k := int(k32)
		i := int(adm[k])
		low, from := tree.min(k)
		tokens := min(burst, burst+rate*float64(s.Hi(i))+low)
		ev.Out[i] = AdmitOK
		if tokens < 1 {
			first := int(adm[from])
			rank := int32(math.Round(-low-rate*float64(s.Lo(first)))) + 1
			ev.Out[i] = AdmitOver
			if ev.Counting {
				ev.overs = append(ev.overs, overNote{i: int32(i), first: int32(first), rank: rank})
			} else {
				ev.setDetail(i, bucketOverDetail(s, burst, rate, i, first, rank))
			}
			if over++; over > most {
				return over
			}
			continue
		}
		tree.add(k, -1)
	}
	return over
}

// bucketOverDetail is the detail of over-admission i: the rank-th admitted
// request of the set from first.
func bucketOverDetail(s *Series, burst, rate float64, i, first int, rank int32) Detail {
	span := s.Hi(i) - s.Lo(first)
	return Detail{Ref: int32(first), Rank: rank, Start: s.Lo(first), Level: burst + rate*float64(span)}
}

// BucketExplained is the judgement of s by JudgeBucket with details (not
// Counting), made from ev, a counted judgement of s against the same bucket
// (and classified as the detailed one would be, if at all): the same
// outcomes, each over-admission's detail from what bucketOver noted of it,
// each rejection's from its level. ev is left as it was, but for its
// outcomes, which the judgement returned shares.
func BucketExplained(s *Series, burst, rate float64, ev StateEval) StateEval {
	out := ev
	out.Counting, out.det, out.lvl, out.overs = false, nil, nil, nil
	for _, o := range ev.overs {
		out.setDetail(int(o.i), bucketOverDetail(s, burst, rate, int(o.i), int(o.first), o.rank))
	}
	if ev.lvl != nil { // bucketRejected judged every rejection
		for e, ok := range s.Rej {
			if ok {
				out.setDetail(e, Detail{Ref: -1, Level: ev.lvl[e]})
			}
		}
	}
	return out
}

// bucketRejected judges the rejections against the charged requests, those
// whose outcome is unknown, and the over-admissions as anchors (see
// JudgeBucket). For a rejection e it bounds from below the fewest tokens any
// arrangement of their arrivals leaves:
//
//	min over x of  B + r·(lo_e − x) − #{charged j : lo_j < hi_e, hi_j ≥ x}
//	min over anchors o with hi_o ≤ lo_e of  r·(lo_e − hi_o) − #{charged j : lo_j < hi_e, hi_j ≥ hi_o}
//
// with x at the latest arrival of a charged request before lo_e, or at lo_e.
func bucketRejected(s *Series, burst, rate float64, charged, anchors []int, ev *StateEval) {
	if !slices.Contains(s.Rej, true) {
		return // nothing to judge: a run admitted throughout needs no bounds
	}
	cLo, cHi := make([]int64, 0, len(charged)), make([]int64, 0, len(charged))
	for _, i := range charged {
		cLo, cHi = append(cLo, s.Lo(i)), append(cHi, s.Hi(i))
	}
	// Requests whose outcome is unknown may have taken a token too.
	cLo, cHi = merge(cLo, s.unkLo), merge(cHi, s.unkHi)
	slices.Sort(cHi)
	m := len(cLo)
	// best[k] = min over the first k+1 charged by hi of −r·hi − #{charged with hi ≥ it}.
	// The charged below cHi[k] are those before its run of equal values.
	best := make([]float64, m)
	below := 0
	for k := range m {
		if k > 0 && cHi[k] != cHi[k-1] {
			below = k
		}
		v := -rate*float64(cHi[k]) - float64(m-below)
		best[k] = v
		if k > 0 {
			best[k] = min(v, best[k-1])
		}
	}
	// fromEmpty[k] = min over the first k+1 anchors by hi of −r·hi − #{charged with hi ≥ it}.
	aHi := make([]int64, len(anchors))
	for k, i := range anchors {
		aHi[k] = s.Hi(i)
	}
	slices.Sort(aHi)
	fromEmpty := make([]float64, len(aHi))
	below = 0
	for k, h := range aHi {
		below = countFrom(cHi, h, below)
		fromEmpty[k] = -rate*float64(h) - float64(m-below)
		if k > 0 {
			fromEmpty[k] = min(fromEmpty[k], fromEmpty[k-1])
		}
	}
	// The rejections come in send order, so lo rises: the counts below lo
	// and lo+1 go on from the last rejection's.
	var hiBelowLo, hiBelowNext, anchorsBelow int
	for e, ok := range s.Rej {
		if !ok {
			continue
		}
		lo, hi := s.Lo(e), s.Hi(e)
		hiBelowLo = countFrom(cHi, lo, hiBelowLo)
		hiBelowNext = countFrom(cHi, lo+1, hiBelowNext)
		anchorsBelow = countFrom(aHi, lo+1, anchorsBelow)
		later := float64(m - countBelow(cLo, hi)) // charged surely after e
		inFlight := float64(m-hiBelowLo) - later
		tokens := min(burst, burst-inFlight)
		if k := hiBelowNext; k > 0 {
			tokens = min(tokens, burst+rate*float64(lo)+later+best[k-1])
		}
		if k := anchorsBelow; k > 0 {
			tokens = min(tokens, rate*float64(lo)+later+fromEmpty[k-1])
		}
		ev.rejected(e, tokens, 0)
		ev.Out[e] = RejectOK
		if tokens >= 1 {
			ev.Out[e] = RejectWrong
		}
	}
}

// countFrom is countBelow(xs, x), stepping on from from, the count of an
// earlier x no higher than this one; for a higher one it searches afresh.
func countFrom(xs []int64, x int64, from int) int {
	if from > 0 && xs[from-1] >= x {
		return countBelow(xs, x)
	}
	for from < len(xs) && xs[from] < x {
		from++
	}
	return from
}

// minTree is a segment tree over positions 0…n−1 supporting "add v to every
// position ≤ k" and "minimum (and its position) over positions ≤ k". Its
// nodes, numbered from 1 with children 2·node and 2·node+1 and split at the
// middle, number fewer than twice the power of two at or above n: 16 bytes
// each, about 32 bytes a position. A node's fields are kept together: the
// walks read them together.
//
// What is added is a whole number (bucketOver takes a token at a time), so
// a node keeps what was added to the whole of it as an integer: as a float
// it would be the same sum, exactly, as long as it stays below 2⁵³, and an
// int32 holds any sum of fewer than 2³¹ additions of ±1, one per position
// at most for each request judged.
type minTree struct {
	n     int
	nodes []minNode
}

// minNode is one node of a minTree: the minimum below it and where it is,
// and what was added to the whole of it.
type minNode struct {
	min  float64
	lazy int32
	at   int32
}

func newMinTree(n int, init func(k int) float64) *minTree {
	size := 2
	for size < 2*n {
		size *= 2
	}
	t := &minTree{n: n, nodes: make([]minNode, size)}
	if n > 0 {
		t.build(1, 0, n-1, init)
	}
	return t
}

func (t *minTree) build(node, l, r int, init func(int) float64) {
	if l == r {
		t.nodes[node].min, t.nodes[node].at = init(l), int32(l)
		return
	}
	m := (l + r) / 2
	t.build(2*node, l, m, init)
	t.build(2*node+1, m+1, r, init)
	t.pull(node)
}

func (t *minTree) pull(node int) {
	a, b := 2*node, 2*node+1
	if t.nodes[b].min < t.nodes[a].min {
		t.nodes[node].min, t.nodes[node].at = t.nodes[b].min, t.nodes[b].at
	} else {
		t.nodes[node].min, t.nodes[node].at = t.nodes[a].min, t.nodes[a].at
	}
	t.nodes[node].min += float64(t.nodes[node].lazy)
}

// add adds v to positions 0…k. It walks down the path to position k, adding
// v to the nodes left of it that lie wholly within 0…k, then pulls the
// path's nodes up from the bottom (each node's parent is node/2): each node
// takes the same additions, in the same order, as when it was written
// recursively, so the sums round alike.
func (t *minTree) add(k int, v int32) {
	if k < 0 {
		return
	}
	node, l, r := 1, 0, t.n-1
	for {
		if r <= k {
			t.nodes[node].min += float64(v)
			t.nodes[node].lazy += v
			break
		}
		m := (l + r) / 2
		if k < m {
			node, r = 2*node, m
			continue
		}
		t.nodes[2*node].min += float64(v) // the left child lies within 0…k
		t.nodes[2*node].lazy += v
		if node, l = 2*node+1, m+1; l > k {
			break
		}
	}
	for node >>= 1; node >= 1; node >>= 1 {
		t.pull(node)
	}
}

// min returns the minimum over positions 0…k (k ≥ 0) and where it is, the
// first on a tie between the two halves of a node. It walks down to the
// node that lies wholly within 0…k and folds the path back up, as the
// recursive query did: a node that is a right child (odd) was gone to from
// its parent with its left sibling (node−1) wholly within 0…k.
func (t *minTree) min(k int) (float64, int) {
	node, l, r := 1, 0, t.n-1
	for r > k {
		if m := (l + r) / 2; k > m {
			node, l = 2*node+1, m+1
		} else {
			node, r = 2*node, m
		}
	}
	v, at := t.nodes[node].min, int(t.nodes[node].at)
	for ; node > 1; node >>= 1 {
		if node&1 == 1 {
			// The left child lies within 0…k; the right holds v.
			if left := node - 1; !(v < t.nodes[left].min) {
				v, at = t.nodes[left].min, int(t.nodes[left].at)
			}
		}
		v += float64(t.nodes[node>>1].lazy)
	}
	return v, at
}
