package series

import (
	"cmp"
	"math"
	"slices"

	"github.com/ratecheck/ratecheck/conformance/records"
)

// First-request-aligned windows start at the first request that arrives after
// the previous window expired. Which request that was is uncertain whenever an
// arrival interval straddles an expiry, and a wrong guess early in a run shifts
// every later window. So the chain of opening requests is chosen by dynamic
// programming: the chain whose windows the server's decisions break least (an
// admission surely after a rejection of its own window breaks it too: a window
// fills and stays full, whatever its limit). The cost of a window is an
// estimate; the chosen chain is then judged exactly by windowJudge.

// fraBeam is how many chains are kept per window generation.
const fraBeam = 64

// fraMaxCandidates caps the opening requests tried after one expiry.
const fraMaxCandidates = 32

// FirstRequestWindows returns the best chain of first-request-aligned windows of
// length w admitting n each, and a judge for them. The judge leaves latency
// spikes unjudged and lets them, and requests of unknown outcome, open windows
// the chain does not show.
func FirstRequestWindows(s *Series, w, n int64) ([]Window, *WindowJudge) {
	d := newFraSearch(s, w, n)
	wins := d.run()
	j := NewWindowJudge(s, wins, w, n)
	j.skip = d.outlier
	for i := range s.Reqs {
		if d.outlier[i] && !s.Rej[i] || !s.Known[i] {
			j.openers = append(j.openers, i)
		}
	}
	return wins, j
}

// outliers marks the requests whose arrival interval is far wider than usual
// (four times the median, and more than W/20): a latency spike. A request sent
// early but seen late breaks the send order that chains follow, so outliers
// count in no window's estimate, and open one only when nothing narrower can.
func outliers(s *Series, w int64) []bool {
	limit := max(4*medianWidth(s), w/20)
	out := make([]bool, len(s.Reqs))
	for i := range out {
		out[i] = s.Hi(i)-s.Lo(i) > limit
	}
	return out
}

// medianWidth is the median width of the arrival intervals of s (the upper
// median of an even count). A width is the latency, kept in whole
// microseconds, plus a constant; so the median latency is counted in one
// bucket a microsecond up to widthBuckets, and sorted only when it lies beyond.
func medianWidth(s *Series) int64 {
	n := len(s.Reqs)
	counts := make([]int32, widthBuckets+1) // the last counts every longer latency
	for i := range s.Reqs {
		counts[min(s.Reqs[i].Latency, widthBuckets)]++
	}
	seen := 0
	for us, c := range counts[:widthBuckets] {
		if seen += int(c); seen > n/2 {
			return int64(us)*1000 + 2*records.ArrivalFloor
		}
	}
	long := make([]uint32, 0, counts[widthBuckets])
	for i := range s.Reqs {
		if s.Reqs[i].Latency >= widthBuckets {
			long = append(long, s.Reqs[i].Latency)
		}
	}
	slices.Sort(long)
	return int64(long[n/2-seen])*1000 + 2*records.ArrivalFloor
}

// widthBuckets is how many latencies, a microsecond apart, medianWidth counts
// without sorting: up to 65 ms.
const widthBuckets = 1 << 16

// fraCost ranks chains as score ranks evaluations, violations first, then
// episodes (runs of violations); then the chain whose openers are known most
// precisely (the sum of their arrival interval widths).
type fraCost struct{ violations, episodes, width int64 }

func (a fraCost) plus(b fraCost) fraCost {
	return fraCost{a.violations + b.violations, a.episodes + b.episodes, a.width + b.width}
}

func (a fraCost) less(b fraCost) bool {
	return a.compare(b) < 0
}

// compare orders costs by violations, then episodes, then width: two
// costs are equal only when they are the same.
func (a fraCost) compare(b fraCost) int {
	switch {
	case a.violations != b.violations:
		return cmp.Compare(a.violations, b.violations)
	case a.episodes != b.episodes:
		return cmp.Compare(a.episodes, b.episodes)
	}
	return cmp.Compare(a.width, b.width)
}

type fraSearch struct {
	s       *Series
	w, n    int64
	outlier []bool
	// admBefore[i] counts the admitted requests among the first i that are
	// no outliers; nextRej[i] is the first rejection from i on that is no
	// outlier, or len(s.Reqs). With them sweep steps over a run of requests
	// that cannot be wrong at once.
	admBefore []int32
	nextRej   []int32
	// runEnd[i] is the end of the run of rejections from i on that are no
	// outliers (i itself when it is none), and blockHi the least latest
	// arrival of the rejections in each block of runBlock requests: with
	// them sweep steps over such a run at once when its rejections are all
	// wrong or all not (see stepRun).
	runEnd  []int32
	blockHi []int64
	after   int64     // a request with lo ≥ after surely arrived in the window being costed
	members []int64   // scratch, see sweep
	wrong   []fraCost // scratch, see sweep
	nodes   int       // the nodes run kept at its end, for tests
}

// newFraSearch returns the search of s for windows of length w admitting n
// each.
func newFraSearch(s *Series, w, n int64) *fraSearch {
	d := &fraSearch{s: s, w: w, n: n, outlier: outliers(s, w)}
	total := len(s.Reqs)
	d.admBefore = make([]int32, total+1)
	for i := range total {
		d.admBefore[i+1] = d.admBefore[i]
		if s.Adm[i] && !d.outlier[i] {
			d.admBefore[i+1]++
		}
	}
	d.nextRej = make([]int32, total+1)
	d.nextRej[total] = int32(total)
	d.runEnd = make([]int32, total+1)
	d.runEnd[total] = int32(total)
	for i := total - 1; i >= 0; i-- {
		d.nextRej[i], d.runEnd[i] = d.nextRej[i+1], int32(i)
		if s.Rej[i] && !d.outlier[i] {
			d.nextRej[i], d.runEnd[i] = int32(i), d.runEnd[i+1]
		}
	}
	d.blockHi = make([]int64, (total+runBlock-1)/runBlock)
	for b := range d.blockHi {
		d.blockHi[b] = math.MaxInt64
		for i := b * runBlock; i < min((b+1)*runBlock, total); i++ {
			if s.Rej[i] {
				d.blockHi[b] = min(d.blockHi[b], s.Hi(i))
			}
		}
	}
	return d
}

// runBlock is the size of the blocks of fraSearch.blockHi; sweep steps over
// runs of rejections longer than two of them.
const runBlock = 64

// minHi is the least latest arrival of the requests from … to−1, all
// rejections.
func (d *fraSearch) minHi(from, to int) int64 {
	low := int64(math.MaxInt64)
	for ; from < to && from%runBlock != 0; from++ {
		low = min(low, d.s.Hi(from))
	}
	for ; from+runBlock <= to; from += runBlock {
		low = min(low, d.blockHi[from/runBlock])
	}
	for ; from < to; from++ {
		low = min(low, d.s.Hi(from))
	}
	return low
}

// fraKey is a state of the search: the request that opened the current window,
// and from when a rejection surely belongs to it rather than to the previous
// window (the earlier of the opener's latest arrival and the previous window's
// latest expiry). A window's cost depends on both.
type fraKey struct {
	at    int
	after int64
}

type fraNode struct {
	key  fraKey
	cost fraCost
}

func (d *fraSearch) run() []Window {
	total := len(d.s.Reqs)
	best := map[fraKey]fraCost{}
	parent := map[fraKey]fraKey{}
	// expanded holds the nodes whose windows were costed: the only ones a
	// chain passes through. The parents of the others are forgotten when they
	// are pruned, so the search keeps about a beam's worth of nodes per
	// window, not every node it reached.
	expanded := map[fraKey]bool{}
	first := fraKey{0, d.s.Hi(0)}
	best[first] = fraCost{}
	layer := []fraNode{{first, fraCost{}}}
	var bestEnd fraCost
	endAt := fraKey{-1, 0}
	for len(layer) > 0 {
		var next []fraNode
		for _, nd := range layer {
			if c, ok := best[nd.key]; ok && c.less(nd.cost) {
				continue // reached again more cheaply
			}
			expanded[nd.key] = true
			d.expand(nd.key.at, nd.key.after, func(j int, c fraCost) {
				c = nd.cost.plus(c)
				if j == total {
					if endAt.at < 0 || c.less(bestEnd) {
						bestEnd, endAt = c, nd.key
					}
					return
				}
				k := fraKey{j, min(d.s.Hi(j), d.s.Hi(nd.key.at)+d.w)}
				if old, ok := best[k]; !ok || c.less(old) {
					best[k], parent[k] = c, nd.key
					next = append(next, fraNode{k, c})
				}
			})
		}
		layer = prune(next, func(k fraKey) {
			delete(best, k)
			if !expanded[k] {
				delete(parent, k) // no chain passes through a node never expanded
			}
		})
	}
	d.nodes = len(parent)
	var chain []int
	for k := endAt; k.at >= 0; k = parent[k] {
		chain = append(chain, k.at)
		if k == first {
			break
		}
	}
	slices.Reverse(chain)
	wins := make([]Window, len(chain))
	for x, at := range chain {
		wins[x] = Window{lo: d.s.Lo(at), hi: d.s.Hi(at), starter: int32(at)}
	}
	return wins
}

// prune keeps the fraBeam cheapest nodes, spread over the requests when many
// tie, and forgets the others so a later path may reach them again.
//
// Its sorts need not be stable: nodes that sort alike by key and cost, or
// by cost alone, have the same cost (see fraCost.compare), and only that is
// read of them (the cheapest node of a key, the cost at the beam's edge).
func prune(next []fraNode, forget func(fraKey)) []fraNode {
	byKey := func(a, b fraNode) int {
		if a.key.at != b.key.at {
			return cmp.Compare(a.key.at, b.key.at)
		}
		return cmp.Compare(a.key.after, b.key.after)
	}
	byCost := func(a, b fraNode) int { return a.cost.compare(b.cost) }
	// Keep the cheapest node of each key.
	slices.SortFunc(next, func(a, b fraNode) int {
		if c := byKey(a, b); c != 0 {
			return c
		}
		return byCost(a, b)
	})
	next = slices.CompactFunc(next, func(a, b fraNode) bool { return a.key == b.key })
	if len(next) <= fraBeam {
		return next
	}
	ranked := slices.Clone(next)
	slices.SortFunc(ranked, byCost)
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

// spread marks k of n positions, evenly spaced, the last always among them.
func spread(n, k int) []bool {
	marks := make([]bool, n)
	for x := range min(k, n) {
		marks[(x+1)*n/min(k, n)-1] = true
	}
	return marks
}

// expand calls visit for every request that may open the window after the one
// opened by request st, with the estimated cost of st's window, and with
// j == len(reqs) when st's window may be the last. A rejection with lo ≥ after
// is surely in st's window: it surely arrived after st, or after the previous
// window surely expired (it cannot precede st then).
func (d *fraSearch) expand(st int, after int64, visit func(j int, cost fraCost)) {
	s := d.s
	total := len(s.Reqs)
	d.after = after
	expLo, expHi := s.Lo(st)+d.w, s.Hi(st)+d.w
	// The first request surely after the expiry opens the next window at the
	// latest, unless it is an outlier: one of those may arrive after anything.
	firstSure := s.loBelow(expHi)
	for firstSure < total && d.outlier[firstSure] {
		firstSure++
	}
	var cands []int
	for j := max(st+1, s.loBelow(expLo-s.maxWidth)); j < firstSure; j++ {
		if s.Hi(j) >= expLo {
			cands = append(cands, j)
		}
	}
	cands = mayOpen(s, cands)
	if firstSure < total {
		cands = append(cands, firstSure)
		if s.Rej[firstSure] {
			// Or no window opens until a request the server may have admitted:
			// the rejections surely after the expiry are in no window then, each
			// blamed (a penalty box holds everything).
			if next := nextMayOpen(s, firstSure); next < total {
				cands = append(cands, next)
			}
		}
	}
	if len(cands) > fraMaxCandidates {
		picked := spread(len(cands), fraMaxCandidates)
		kept := cands[:0]
		for x, j := range cands {
			if picked[x] {
				kept = append(kept, j)
			}
		}
		cands = kept
	}
	marks := cands
	if firstSure == total {
		marks = append(marks, total)
	}
	d.sweep(st, marks)
	for x, j := range cands {
		visit(j, d.windowCost(st, x))
	}
	if firstSure == total {
		visit(total, d.windowCost(st, len(cands)))
	}
}

// mayOpen drops the rejected requests from cands when an admitted one, or one
// of unknown outcome, is among them. The request that opens a window finds it
// empty, so a limiter of at least one request admits it: when a burst straddles
// an expiry, the admission that arrived last opened the next window, and the
// rejections of the burst arrived before, in the window that expired. Only when
// nothing else may open the window does a rejected request (a penalty box, a
// limiter that rejects everything) open it, and it is blamed.
func mayOpen(s *Series, cands []int) []int {
	if !slices.ContainsFunc(cands, func(j int) bool { return !s.Rej[j] }) {
		return cands
	}
	return slices.DeleteFunc(cands, func(j int) bool { return s.Rej[j] })
}

// nextMayOpen is the first request from i on that the server may have
// admitted (admitted, or of unknown outcome), or len(s.reqs).
func nextMayOpen(s *Series, i int) int {
	for i < len(s.Reqs) && s.Rej[i] {
		i++
	}
	return i
}

// windowCost estimates the cost of the window opened by st when marks[x] of
// the last sweep opens the next one (len(reqs): st's window is the last). The
// estimate puts every request in the window of the last opener sent before
// it; windowJudge then places requests exactly.
func (d *fraSearch) windowCost(st, x int) fraCost {
	c := d.wrong[x]
	if over := d.members[x] - d.n; over > 0 {
		c = c.plus(fraCost{violations: over, episodes: 1})
	}
	width := d.s.Hi(st) - d.s.Lo(st)
	if d.outlier[st] {
		width *= 1000 // open with an outlier only when nothing else will do
	}
	return c.plus(fraCost{width: width})
}

// sweep fills, for each of the ascending request indices marks (each > st),
// d.members[x] with the admitted requests among st … marks[x]−1 (outliers
// left out), and d.wrong[x] with the wrongful rejections among them if they
// are all in the window opened by st.
//
// Until a rejection surely in st's window is seen, no admission can be
// wrong, so the requests up to the next rejection are stepped over at once;
// so is a long run of rejections whose every member is judged alike.
func (d *fraSearch) sweep(st int, marks []int) {
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
	walkTo := 0 // a run of rejections up to here is walked, not stepped over
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
		if e != st && e >= walkTo {
			if to := min(int(d.runEnd[e]), end); to-e > 2*runBlock {
				// A run of rejections, surely after st's window opened and
				// before it surely expired: each is wrong exactly when its
				// latest arrival (or the expiry) is ≤ under. When that holds
				// for all of them, or for none, the run is stepped over;
				// otherwise it is walked.
				if s.Lo(e) >= d.after && s.Lo(to-1) < hiExp {
					if !found {
						under, found = s.chargedUnder(s.Lo(st), d.n), true
					}
					low := d.minHi(e, to)
					if all := hiExp <= under; all || low > under {
						for m < len(marks) && marks[m] < to {
							at := c
							if all {
								at = c.plus(fraCost{violations: int64(marks[m] - e), episodes: int64(b2i(!inRun))})
							}
							d.members, d.wrong = append(d.members, members), append(d.wrong, at)
							m++
						}
						if all {
							c = c.plus(fraCost{violations: int64(to - e), episodes: int64(b2i(!inRun))})
						}
						inRun, rejHi, e = all, min(rejHi, low), to
						continue
					}
				}
				walkTo = to
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

// b2i is 1 for true and 0 for false.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
