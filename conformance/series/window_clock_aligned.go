package series

import (
	"cmp"
	"math"
	"slices"

	"github.com/ratecheck/ratecheck/conformance/records"
)

// phase is a candidate alignment of clock-aligned windows: every window starts at
// k·W + offset for some offset in [lo, hi] (ns since the first observation, mod W).
type ClockPhase struct {
	Lo, Hi int64
	Name   string // how the candidate was found, for the model description
	// Assumed says the boundary was put at the run's first request, not
	// found in the server's answers (its resets) or on the wall clock.
	Assumed bool
	// Opened, when Pinned, is when the run's first request was sent: the
	// window it opened, and every window before it, start then (or whole
	// windows before), so that the first request falls in the window it
	// opened whatever its flight (see pinChance).
	Opened int64
	Pinned bool
	// Weak says the phase rests only on transitions from a rejection to an
	// admission that requests reordered where a window filled show as often
	// as resets do: most of their neighbours disagree, or the admission may
	// have arrived before the rejection (requests sent at once, as a burst's).
	Weak bool
}

// pinChance is the share of a window below which the run's first request's
// flight (from its sending to its answer) is too short for a window on the
// clock to have started within it by chance: the window put at the first
// request is then the one that request opened, or one that started before
// it, and the request is in it (ClockPhase.Pinned). Left open, a run whose
// one window driven past the limit began with its first request could not
// tell a window on the clock starting just after that request (1, then the
// limit) from one that the request opened and that admits one too many.
// Pinned wrongly, a correct limiter fails in at most one run in 1,000, and
// only one whose windows start neither at a client's first request nor on
// the wall clock's whole units (a window on the wall clock that starts
// within the flight is its own candidate): a flight of up to 60 ms for a
// minute, 3.6 s for an hour; never for a second, whose flights are at least
// 4 ms (twice records.ArrivalFloor).
const pinChance = 1e-3

// maxCoverageCandidates is how many of the best-supported alignments are tried.
const maxCoverageCandidates = 3

// ClockPhases lists the alignments worth trying for clock-aligned windows of
// length w: where the server's resets are (each first admission after a rejection
// shows a boundary between the two arrivals), the first request (windows aligned
// to the start of the run), and the Unix epoch (windows on the wall clock).
func ClockPhases(all []*Series, origin, w int64) []ClockPhase {
	var out []ClockPhase
	for _, p := range basePhases(all, origin, w) {
		out = append(out, p.split()...)
	}
	return out
}

// basePhases lists the alignments clockPhases tries, before splitting.
func basePhases(all []*Series, origin, w int64) []ClockPhase {
	ps := resetPhases(all, w)
	first := all[0]
	for _, s := range all[1:] {
		if s.Lo(0) < first.Lo(0) {
			first = s
		}
	}
	lo, flight := records.FloorMod(first.Lo(0), w), first.Hi(0)-first.Lo(0)
	ps = append(ps,
		ClockPhase{Lo: lo, Hi: lo + min(flight, w-1), Name: "aligned to the first request", Assumed: true,
			Opened: first.Lo(0), Pinned: float64(flight) < float64(w)*pinChance},
		ClockPhase{Lo: records.FloorMod(-origin, w), Hi: records.FloorMod(-origin, w), Name: "aligned to the wall clock"})
	return ps
}

// phaseStep is the widest a candidate alignment may be. The boundary of every
// window of a candidate may fall anywhere in [lo, hi] independently, so a wide
// candidate would forgive more than the uncertainty of one common boundary; and
// a step within arrivalFloor of the true boundary changes no certain decision.
const phaseStep = records.ArrivalFloor

// maxPhaseSplit caps the sub-candidates of one wide alignment.
const maxPhaseSplit = 16

// split cuts p into sub-candidates at most phaseStep wide (at most maxPhaseSplit
// of them), the best-supported middle first.
func (p ClockPhase) split() []ClockPhase {
	width := p.Hi - p.Lo
	k := min(maxPhaseSplit, int((width+phaseStep-1)/phaseStep))
	if k <= 1 {
		return []ClockPhase{p}
	}
	out := make([]ClockPhase, k)
	for x := range k {
		out[x] = p
		out[x].Lo, out[x].Hi = p.Lo+width*int64(x)/int64(k), p.Lo+width*int64(x+1)/int64(k)
	}
	// Try from the middle outwards: a correct limiter's boundary is most often there.
	slices.SortStableFunc(out, func(a, b ClockPhase) int {
		mid := p.Lo + width/2
		return cmp.Compare(Abs(a.Lo+a.Hi-2*mid), Abs(b.Lo+b.Hi-2*mid))
	})
	return out
}

// Abs is |x|.
func Abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// resetPhases finds the offsets (mod w) best supported by the server's resets.
// A reset is where rejections give way to admissions: the window boundary lies
// between the last rejection's earliest arrival and the first admission's
// latest one. Requests reordered where a window fills also put an admission
// right after a rejection; so the resets most of whose neighbours agree (most
// of the few judged requests before rejected, most from it on admitted) are
// tried first, then every transition.
func resetPhases(all []*Series, w int64) []ClockPhase {
	var voted, plain coverage
	var sure []reset // voted, and the rejection surely arrived first
	for _, s := range all {
		for _, r := range resetsOf(s) {
			plain.add(r.lo, r.hi, 1, w)
			if r.voted {
				voted.add(r.lo, r.hi, 1, w)
			}
			if r.voted && r.ordered {
				sure = append(sure, r)
			}
		}
	}
	var out []ClockPhase
	seen := map[segment]bool{}
	for _, sg := range append(voted.best(maxCoverageCandidates), plain.best(maxCoverageCandidates)...) {
		if key := (segment{lo: sg.lo, hi: sg.hi}); !seen[key] {
			seen[key] = true
			weak := !slices.ContainsFunc(sure, func(r reset) bool { return r.meets(sg, w) })
			out = append(out, ClockPhase{Lo: sg.lo, Hi: sg.hi, Name: "aligned to the observed resets", Weak: weak})
		}
	}
	return out
}

// reset is a transition from a rejection to an admission: the boundary lies
// in (lo, hi]. voted says most of its neighbours agree; ordered, that the
// rejection surely arrived before the admission.
type reset struct {
	lo, hi         int64
	voted, ordered bool
}

// meets reports whether r's boundary may lie in segment sg of the circle of
// circumference w; a reset as wide as w says nothing (see coverage.add).
func (r reset) meets(sg segment, w int64) bool {
	if r.hi-r.lo >= w {
		return false
	}
	a := records.FloorMod(r.lo, w)
	b := a + r.hi - r.lo
	for _, shift := range []int64{-w, 0, w} {
		if a+shift < sg.hi && b+shift >= sg.lo {
			return true
		}
	}
	return false
}

// resetSpan is how many judged requests on each side of a transition vote on
// whether it is a reset.
const resetSpan = 5

// resetsOf lists the resets of s. They do not depend on the window, so
// every alignment search of every candidate reads the same list, made once
// (findResets); it must not be changed.
func resetsOf(s *Series) []reset {
	s.resets.once.Do(func() { s.resets.list = findResets(s) })
	return s.resets.list
}

// findResets lists the resets of s.
func findResets(s *Series) []reset {
	if !slices.Contains(s.Rej, true) {
		return nil // a reset follows a rejection
	}
	judged := make([]int, 0, countTrue(s.Known))
	for i, ok := range s.Known {
		if ok {
			judged = append(judged, i)
		}
	}
	admittedBefore := make([]int, len(judged)+1) // admitted among judged[:x]
	for x, i := range judged {
		admittedBefore[x+1] = admittedBefore[x]
		if s.Adm[i] {
			admittedBefore[x+1]++
		}
	}
	var out []reset
	for x := 1; x < len(judged); x++ {
		last, first := judged[x-1], judged[x]
		if !s.Rej[last] || !s.Adm[first] {
			continue
		}
		from, to := max(0, x-resetSpan), min(len(judged), x+resetSpan)
		rejectedBefore := (x - from) - (admittedBefore[x] - admittedBefore[from])
		admittedAfter := admittedBefore[to] - admittedBefore[x]
		out = append(out, reset{lo: s.Lo(last), hi: s.Hi(first),
			voted: 2*rejectedBefore > x-from && 2*admittedAfter > to-x, ordered: s.Hi(last) <= s.Lo(first)})
	}
	return out
}

// coverage sums weighted intervals on a circle of circumference w.
type coverage struct {
	evs []coverEvent
}

type coverEvent struct {
	at    int64
	delta int
}

// add covers (lo, hi] mod w with weight; an interval of w or more says nothing.
func (c *coverage) add(lo, hi int64, weight int, w int64) {
	if hi-lo >= w {
		return
	}
	a := records.FloorMod(lo, w)
	b := a + hi - lo
	if b < w {
		c.evs = append(c.evs, coverEvent{a, +weight}, coverEvent{b, -weight})
		return
	}
	c.evs = append(c.evs, coverEvent{a, +weight}, coverEvent{w, -weight}, coverEvent{0, +weight}, coverEvent{b - w, -weight})
}

// segment is a stretch of the circle and how much covers it.
type segment struct {
	lo, hi int64
	cover  int
}

// best returns up to k local maxima of the coverage, the highest first.
func (c *coverage) best(k int) []segment {
	evs := c.evs
	// Starts before ends at the same offset: touching intervals share the point.
	slices.SortFunc(evs, func(a, b coverEvent) int {
		return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(startsLast(a), startsLast(b)))
	})
	var segs []segment
	cover := 0
	for x, e := range evs {
		cover += e.delta
		if e.delta > 0 && x+1 < len(evs) && evs[x+1].delta < 0 {
			segs = append(segs, segment{e.at, evs[x+1].at, cover})
		}
	}
	slices.SortStableFunc(segs, func(a, b segment) int { return -cmp.Compare(a.cover, b.cover) })
	return segs[:min(len(segs), k)]
}

// ClockWindows lists the clock-aligned windows of phase p that the requests of s
// may fall in.
func ClockWindows(s *Series, p ClockPhase, w int64) []Window {
	var ks []int64
	// next is where a request's latest arrival must reach for it to touch
	// a window after the last listed one (ks[len(ks)−1]+1 windows past
	// p.Lo): a request that does not adds nothing, and most of a series
	// ends in a window already listed, so it is asked before dividing.
	next := int64(math.MinInt64)
	for i := range s.Reqs {
		if s.Hi(i) < next {
			continue
		}
		first := records.FloorDiv(s.Lo(i)-p.Hi, w)
		last := records.FloorDiv(s.Hi(i)-p.Lo, w)
		last = min(last, first+maxWindowSpan+1)
		for k := first; k <= last; k++ {
			if len(ks) == 0 || ks[len(ks)-1] < k {
				ks = append(ks, k)
			}
		}
		if len(ks) > 0 {
			next = (ks[len(ks)-1]+1)*w + p.Lo
		}
	}
	slices.Sort(ks)
	ks = slices.Compact(ks)
	wins := make([]Window, len(ks))
	opened := records.FloorDiv(p.Opened-p.Hi+w-1, w) // the first window that may start at or after Opened
	for x, k := range ks {
		wins[x] = Window{lo: k*w + p.Lo, hi: k*w + p.Hi, starter: -1}
		if p.Pinned && k <= opened {
			wins[x].lo = p.Opened + (k-opened)*w
			wins[x].hi = wins[x].lo
		}
	}
	return wins
}

// startsLast orders coverage events at one offset: starts (0) before ends (1).
func startsLast(e coverEvent) int {
	if e.delta > 0 {
		return 0
	}
	return 1
}
