package series

import (
	"slices"

	"github.com/ratecheck/ratecheck/conformance/records"
)

// Sliding-window counter (Cloudflare's description; go-chi/httprate): windows
// of W on a fixed phase, and at time t in window k the limiter estimates the
// last W as
//
//	est(t) = prev·(1 − f) + curr
//
// where prev is the count of window k−1, curr that of window k so far and f the
// fraction of window k gone. Implementations differ at the threshold (admit
// while est+1 ≤ N, while round(est)+1 ≤ N, while est < N), so the model takes
// the band between them:
//
//   - an admission is an over-admission only if est ≥ N, beyond every variant;
//   - a rejection is wrongful only if est ≤ N − 1, where every variant admits.
//
// Arrival times are only known to lie in [lo, hi], so over-admissions use
// counts of requests surely in the windows, and rejections the most crowded
// arrangement. Over-admitted requests are not charged.

// CounterJudge judges one series against sliding-window counters; what does
// not depend on the phase of the windows is computed once.
type CounterJudge struct {
	s     *Series
	w, n  int64
	adm   []int32 // admitted requests, in send order (shared, see admittedByHi)
	admLo []int64 // their lo, ascending
	order []int32 // positions in adm by latest arrival (shared)
	// scratch of overUntil
	sure    windowCounts // admitted requests surely in each window
	charged fenwick      // positions in adm charged so far
}

// NewCounterJudge returns the judge of s against a sliding-window counter of
// n per window w.
func NewCounterJudge(s *Series, w, n int64) *CounterJudge {
	c := &CounterJudge{s: s, w: w, n: n}
	c.adm, c.order = s.admittedByHi()
	c.admLo = make([]int64, len(c.adm))
	for k, i := range c.adm {
		c.admLo[k] = s.Lo(int(i))
	}
	return c
}

// Judge judges the series with windows starting at phase + k·w (ns since the
// first observation), give or take delta.
func (c *CounterJudge) Judge(phase, delta int64, ev *StateEval) {
	c.over(phase, delta, ev)
	for e, ok := range c.s.Rej {
		if ok {
			c.rejected(phase, delta, e, ev)
		}
	}
}

// FirstViolation returns the time of the earliest violation the counter with
// this phase finds, or ok when it finds none: a search for a counter that
// explains the whole run need not judge a phase further.
func (c *CounterJudge) FirstViolation(phase, delta int64, ev *StateEval) (at int64, ok bool) {
	at, ok = c.overUntil(phase, delta, ev, true)
	for e, rej := range c.s.Rej {
		if !rej {
			continue
		}
		if !ok && c.s.Lo(e) >= at {
			break
		}
		if c.rejected(phase, delta, e, ev); ev.Out[e] == RejectWrong {
			return c.s.Lo(e), false
		}
	}
	return at, ok
}

// OverAdmits reports whether the counter with this phase over-admits a
// request of the series, judging no further than the first: classifying
// never changes an over-admission, so a judgement with one is never all
// late recoveries.
func (c *CounterJudge) OverAdmits(phase, delta int64, ev *StateEval) bool {
	_, ok := c.overUntil(phase, delta, ev, true)
	return !ok
}

// window returns the windows [lo, hi] may be in when boundaries may move by
// delta either way.
func (c *CounterJudge) window(phase, delta, lo, hi int64) (first, last int64) {
	return records.FloorDiv(lo-phase-delta, c.w), records.FloorDiv(hi-phase+delta, c.w)
}

// over finds the over-admissions, handling admitted requests in order of
// latest arrival: those handled before e that surely arrived after e's window
// began were surely counted before the last of them was admitted.
func (c *CounterJudge) over(phase, delta int64, ev *StateEval) { c.overUntil(phase, delta, ev, false) }

// overUntil is over; with stop it returns at the first over-admission, with its
// latest arrival, and ok reports that there was none. As the latest
// arrivals rise, so do the windows of the requests surely in one and the
// first admission that may be in them: its count steps on from the last
// one's, and the charged are counted as they go, not summed.
func (c *CounterJudge) overUntil(phase, delta int64, ev *StateEval, stop bool) (at int64, ok bool) {
	s, w := c.s, c.w
	// c.sure counts the requests surely in each window, adm[:sure] of them so
	// far: a window's count is read only once every request that may be
	// surely in it is counted, so a search that stops early counts few.
	c.sure.reset()
	sure := 0
	if c.charged == nil {
		c.charged = newFenwick(len(c.adm))
	}
	charged := c.charged
	clear(charged)
	var total int64 // charged so far
	from := 0
	for _, k32 := range c.order {
		k := int(k32)
		i := int(c.adm[k])
		ev.Out[i] = AdmitOK
		kw, last := c.window(phase, delta, s.Lo(i), s.Hi(i))
		if kw != last {
			charged.add(k) // it may fall either side of a boundary: nothing is sure
			total++
			continue
		}
		start := kw*w + phase
		from = countFrom(c.admLo, start+delta, from)
		sure = c.countSure(phase, delta, sure, from) // every request that may be surely in window kw−1
		before := charged.sum(from)
		in := total - before
		f := float64(s.Hi(i)-start+delta) / float64(w) // at most
		if est := float64(c.sure.get(kw-1))*(1-f) + float64(in); est >= float64(c.n) {
			ev.Out[i] = AdmitOver
			ref := int32(-1)
			if in > 0 {
				ref = int32(c.adm[charged.find(before+1)])
			}
			ev.overDetail(i, Detail{Ref: ref, Rank: int32(in + 1), Start: start, Level: est})
			if stop {
				return s.Hi(i), false
			}
			continue
		}
		charged.add(k)
		total++
	}
	return 0, true
}

// countSure counts in c.sure the requests adm[from:to] that are surely in
// one window, and returns to if it is beyond from: adm[:to] are counted then.
func (c *CounterJudge) countSure(phase, delta int64, from, to int) int {
	for k := from; k < to; k++ {
		if first, last := c.window(phase, delta, c.admLo[k], c.s.Hi(int(c.adm[k]))); first == last {
			c.sure.add(first)
		}
	}
	return max(from, to)
}

// windowCounts counts requests by window index. The indices come in
// ascending order when the requests do (by earliest arrival), so they are
// kept sorted in a slice rather than hashed into a map.
type windowCounts struct {
	index, count []int64
}

func (wc *windowCounts) reset() { wc.index, wc.count = wc.index[:0], wc.count[:0] }

// add counts one more request in window k.
func (wc *windowCounts) add(k int64) {
	if n := len(wc.index); n > 0 && wc.index[n-1] == k {
		wc.count[n-1]++
		return
	}
	x, found := slices.BinarySearch(wc.index, k)
	if found {
		wc.count[x]++
		return
	}
	wc.index, wc.count = slices.Insert(wc.index, x, k), slices.Insert(wc.count, x, 1)
}

// get is the count of window k.
func (wc *windowCounts) get(k int64) int64 {
	if x, found := slices.BinarySearch(wc.index, k); found {
		return wc.count[x]
	}
	return 0
}

// rejected judges rejection e by the largest estimate any window it may be in
// and any arrangement of the requests that may have been charged allows.
func (c *CounterJudge) rejected(phase, delta int64, e int, ev *StateEval) {
	s, w := c.s, c.w
	lo, hi := s.Lo(e), s.Hi(e)
	first, last := c.window(phase, delta, lo, hi)
	last = min(last, first+maxWindowSpan)
	best, bestStart := -1.0, int64(0)
	for k := first; k <= last; k++ {
		start := k*w + phase
		prev := s.admittedMaybeIn(start-w-delta, start+delta)
		curr := s.admittedMaybeIn(start-delta, min(hi, start+w+delta))
		f := float64(max(0, lo-start-delta)) / float64(w) // at least
		if est := float64(prev)*(1-f) + float64(curr); est > best {
			best, bestStart = est, start
		}
	}
	ev.rejected(e, best, bestStart)
	ev.Out[e] = RejectOK
	if best <= float64(c.n-1) {
		ev.Out[e] = RejectWrong
	}
}

// PointCounter blames decisions against a counter with point arrivals, using
// the same band.
func PointCounter(s *Series, phase, w, n int64) []bool {
	count := map[int64]int64{}
	blamed := make([]bool, len(s.Reqs))
	for _, ix := range byMid(s) {
		i := int(ix)
		p := s.mid(i)
		k := records.FloorDiv(p-phase, w)
		f := float64(p-(k*w+phase)) / float64(w)
		est := float64(count[k-1])*(1-f) + float64(count[k])
		if s.Adm[i] {
			blamed[i] = est >= float64(n)
			count[k]++
			continue
		}
		blamed[i] = est <= float64(n-1)
	}
	return blamed
}

// counterGrid is how many evenly spaced phases the counter search tries before
// refining around the best, in counterRefine steps between grid points.
const (
	CounterGrid   = 16
	CounterRefine = 8
)

// CounterPhase is a phase for the counter's windows to try.
type CounterPhase struct {
	At    int64 // where the windows start, ns since the first observation (any multiple of w apart)
	Delta int64 // give or take
	// Suggested says something other than the search puts it there: the
	// server's resets (not weak, see ClockPhase.Weak), the first request or
	// the wall clock; its Delta is then as wide as what suggests it, not a
	// grid step.
	Suggested bool
}

// CounterPhases are the phases to try: those the resets, the first request
// and the wall clock suggest, then an even grid over the window, each of
// those standing for the phases within delta. The first request's, where
// the window it opened is pinned to it (ClockPhase.Pinned), puts the
// boundary just before that request was sent.
func CounterPhases(all []*Series, origin, w, delta int64) []CounterPhase {
	var out []CounterPhase
	for _, p := range basePhases(all, origin, w) {
		ph := CounterPhase{At: (p.Lo + p.Hi) / 2, Delta: delta}
		if !p.Weak {
			ph.Suggested, ph.Delta = true, min(delta, max((p.Hi-p.Lo+1)/2, records.ArrivalFloor))
		}
		if p.Pinned {
			ph.At = p.Opened - ph.Delta - 1
		}
		out = append(out, ph)
	}
	for x := range int64(CounterGrid) {
		out = append(out, CounterPhase{At: w * x / CounterGrid, Delta: delta})
	}
	return out
}
