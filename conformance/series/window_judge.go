package series

import (
	"cmp"
	"math"
	"slices"
	"sync"

	"github.com/ratecheck/ratecheck/conformance/records"
)

// Window is one fixed window of a series. It starts somewhere in [lo, hi]
// (a range when the start is inferred from requests) and lasts the limit's
// window length. Times are nanoseconds since the first observation.
type Window struct {
	lo, hi  int64
	starter int32 // the request that opened it (first-request-aligned), or -1
}

// maxWindowSpan is the most windows one request's arrival interval may touch
// before the request is too uncertain to judge (latency far beyond the window).
const maxWindowSpan = 64

// spanKind says how many windows a request may belong to.
type spanKind uint8

const (
	spanSome spanKind = iota // one or more windows, listed
	spanNone                 // no window: the request would open a new one
	spanWide                 // too many windows to judge
	spanGap                  // some windows, but it may also fall between them and open its own
)

// WindowJudge judges one series against a list of windows admitting n each.
type WindowJudge struct {
	s    *Series
	wins []Window // sorted by lo
	w, n int64
	// ends[k] is the latest any of the windows 0 … k may end: no request
	// that arrived after it can be in one of them.
	ends  []int64
	opens map[int32]int32 // the window each starter opens (a few per run, not one entry per request)
	// openers, when set, lists requests that may have opened windows the list
	// does not show (first-request-aligned chains leave out latency spikes),
	// and skip marks requests not to judge.
	openers []int
	skip    []bool
	// near and before make judgeRejected's counts cheaper (see admittedIn).
	near   int
	before []int32
	// upTo is the last count winsUpTo found, where its next search starts.
	upTo int
}

// NewWindowJudge returns the judge of s against the windows wins of length w
// admitting n each.
func NewWindowJudge(s *Series, wins []Window, w, n int64) *WindowJudge {
	j := &WindowJudge{s: s, wins: wins, w: w, n: n, opens: map[int32]int32{}, ends: make([]int64, len(wins))}
	end := int64(math.MinInt64)
	for k, win := range wins {
		if win.starter >= 0 {
			j.opens[win.starter] = int32(k)
		}
		end = max(end, win.hi+w)
		j.ends[k] = end
	}
	return j
}

// span returns the windows request i may have arrived in: those that may start
// before its latest arrival and may end after its earliest arrival. Window
// ends need not rise with their starts (a window opened by a latency spike may
// end late), so the range first … last may include a window between that the
// request cannot be in; that only forgives more. The windows are looked at
// from the last that may start before the request back to the first none
// before which may end after it (ends).
func (j *WindowJudge) span(i int) (first, last int, kind spanKind) {
	if len(j.opens) > 0 { // windows on the clock have no openers
		if k, ok := j.opens[int32(i)]; ok {
			return int(k), int(k), spanSome
		}
	}
	lo, hi := j.s.Lo(i), j.s.Hi(i)
	first, last = -1, -1
	top := j.winsUpTo(hi) - 1
	for k := top; k >= 0 && j.ends[k] > lo; k-- {
		if lo < j.wins[k].hi+j.w {
			if last < 0 {
				last = k
			}
			first = k
			if last-first >= maxWindowSpan {
				return 0, 0, spanWide
			}
		}
	}
	if last < 0 {
		return 0, 0, spanNone
	}
	if j.gapIn(lo, hi, first, last) {
		return first, last, spanGap
	}
	return first, last, spanSome
}

// winsUpTo is the number of windows that may start at or before t (the
// windows are sorted by their earliest start). The requests are judged in
// send order, so t is most often at or just past the last one's: the
// search starts there (j.upTo) and widens its steps, as loBelowNear does.
func (j *WindowJudge) winsUpTo(t int64) int {
	n, at := len(j.wins), j.upTo
	if at < n && j.wins[at].lo <= t {
		lo, step := at+1, 1
		for lo+step-1 < n && j.wins[lo+step-1].lo <= t {
			lo += step
			step *= 2
		}
		j.upTo = j.searchWins(t, lo, min(lo+step-1, n))
		return j.upTo
	}
	hi, step := at, 1
	for hi-step >= 0 && j.wins[hi-step].lo > t {
		hi -= step
		step *= 2
	}
	j.upTo = j.searchWins(t, max(hi-step+1, 0), hi)
	return j.upTo
}

// searchWins is winsUpTo(t) when it is known to be in [lo, hi].
func (j *WindowJudge) searchWins(t int64, lo, hi int) int {
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if j.wins[m].lo <= t {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// gapIn reports whether [lo, hi] may reach outside the windows first … last:
// before the first may start, after the last may end, or between two of them.
// Clock-aligned windows leave no gaps; first-request-aligned ones do between an
// expiry and the next opening request.
func (j *WindowJudge) gapIn(lo, hi int64, first, last int) bool {
	if lo < j.wins[first].lo || hi >= j.wins[last].hi+j.w {
		return true
	}
	for k := first; k < last; k++ {
		if j.wins[k+1].lo > j.wins[k].hi+j.w {
			return true
		}
	}
	return false
}

// Judge fills ev and returns the largest number of requests admitted in one window.
func (j *WindowJudge) Judge(ev *StateEval) (worst int64) {
	worst = j.matchAdmitted(ev)
	for i := range j.s.Reqs {
		if j.skip != nil && j.skip[i] {
			ev.Out[i] = unjudged
			continue
		}
		if j.s.Rej[i] {
			j.judgeRejected(i, ev)
		}
	}
	return worst
}

// Overs counts the admitted requests Judge finds over the limit (AdmitOver),
// without judging the rest: a lower bound on the violations of any judgement
// against these windows.
func (j *WindowJudge) Overs() int {
	ev := StateEval{Out: make([]Outcome, len(j.s.Reqs)), Counting: true}
	j.matchAdmitted(&ev)
	n := 0
	for _, o := range ev.Out {
		if o == AdmitOver {
			n++
		}
	}
	return n
}

// SureOvers is a lower bound on Overs found without matching: the
// admissions each window surely holds (those that may have arrived in it
// alone) beyond its n. At most n of them fit there and none fits anywhere
// else, so whatever matchAdmitted places, at least that many are over.
func (j *WindowJudge) SureOvers() int {
	sure := make([]int32, len(j.wins))
	for i := range j.s.Reqs {
		if !j.s.Adm[i] || j.skip != nil && j.skip[i] {
			continue
		}
		if first, last, kind := j.span(i); kind == spanSome && first == last {
			sure[first]++
		}
	}
	n := 0
	for _, c := range sure {
		n += max(0, int(int64(c)-j.n))
	}
	return n
}

// admittedItem is an admitted request, the windows it may be in and the
// window it was placed in, 12 bytes: a series and its windows are indexed by
// int32 throughout (see window.starter), and a request may be in fewer than
// maxWindowSpan windows, so the last and the placed are kept from the first.
type admittedItem struct {
	first, i     int32
	span, placed uint8 // last − first, placed − first
}

// The span of an admittedItem must fit its uint8.
var _ [255 - maxWindowSpan]struct{}

func (it admittedItem) last() int32 { return it.first + int32(it.span) }

func (it admittedItem) window() int32 { return it.first + int32(it.placed) }

// matchAdmitted places each admitted request in one of its possible windows,
// at most n to a window, leaving as few requests over as possible: earliest
// deadline first, each request going to the earliest window it may be in that
// still has room. Those that fit nowhere are over-admissions, whatever the
// exact arrival times were.
func (j *WindowJudge) matchAdmitted(ev *StateEval) (worst int64) {
	buf := takeItems(countTrue(j.s.Adm))
	defer putItems(buf)
	items := *buf
	for i := range j.s.Reqs {
		if !j.s.Adm[i] || j.skip != nil && j.skip[i] {
			continue
		}
		ev.Out[i] = AdmitOK
		// One that may fall outside every window would have opened its own.
		if first, last, kind := j.span(i); kind == spanSome {
			items = append(items, admittedItem{first: int32(first), i: int32(i), span: uint8(last - first)})
		}
	}
	*buf = items // as grown, for the next judgement
	sortByDeadline(items, len(j.wins))
	room := newRoom(len(j.wins), j.n)
	for x := range items {
		it := &items[x]
		if k, ok := room.take(int(it.first), int(it.last())); ok {
			it.placed = uint8(int32(k) - it.first)
			continue
		}
		it.placed = it.span
		ev.Out[it.i] = AdmitOver
	}
	return j.rank(items, ev)
}

// sortByDeadline orders items, listed in send order, by last window, then
// first window, then send order: two stable counting sorts over the windows'
// indices 0 … windows−1, first by first window and then by last. The key
// of each pass is written out rather than passed as a function: the passes
// run over every admitted request of every alignment judged.
func sortByDeadline(items []admittedItem, windows int) {
	buf := takeItems(len(items))
	defer putItems(buf)
	byFirst := (*buf)[:len(items)]
	at := make([]int, windows+1) // at[k+1] counts key k; then where the next of key k goes
	for _, it := range items {
		at[it.first+1]++
	}
	startsOf(at)
	for _, it := range items {
		byFirst[at[it.first]] = it
		at[it.first]++
	}
	clear(at)
	for _, it := range byFirst {
		at[it.last()+1]++
	}
	startsOf(at)
	for _, it := range byFirst {
		k := it.last()
		items[at[k]] = it
		at[k]++
	}
}

// itemLists are the admitted-item lists of judgements done, for the next
// ones to fill: every alignment judged lists every admitted request twice
// (matchAdmitted, sortByDeadline), and allocating them anew each time made
// a sixth of what re-judging a run allocates.
var itemLists = sync.Pool{New: func() any { return new([]admittedItem) }}

// takeItems returns an empty list from itemLists with room for n items; the
// caller gives it back with putItems once done with its contents.
func takeItems(n int) *[]admittedItem {
	buf := itemLists.Get().(*[]admittedItem)
	if cap(*buf) < n {
		*buf = make([]admittedItem, 0, n)
	}
	*buf = (*buf)[:0]
	return buf
}

func putItems(buf *[]admittedItem) { itemLists.Put(buf) }

// startsOf turns counts, at[k+1] of key k, into where each key's run
// starts, at[k].
func startsOf(at []int) {
	for k := 1; k < len(at); k++ {
		at[k] += at[k-1]
	}
}

// rank returns the most admitted requests surely in one window (at least n+1
// when some were over-admitted). When an over-admission or a rejection needs
// explaining, it also numbers the admitted requests of each window in send
// order, the over-admitted ones after those that fit, into their evidence
// details; it reorders items to do so.
func (j *WindowJudge) rank(items []admittedItem, ev *StateEval) (worst int64) {
	sure := make([]int32, len(j.wins)) // admitted requests surely in each window
	for _, it := range items {
		if it.span == 0 {
			sure[it.first]++
			worst = max(worst, int64(sure[it.first]))
		}
	}
	over := slices.Contains(ev.Out, AdmitOver)
	if over && worst <= j.n {
		worst = j.n + 1 // every excess request straddles a boundary
	}
	// The details of admitted requests are read only to explain an
	// over-admission or a rejection; without either, a series keeps none.
	if ev.Counting || !over && !slices.Contains(j.s.Rej, true) {
		return worst
	}
	slices.SortFunc(items, func(a, b admittedItem) int {
		return cmp.Or(cmp.Compare(a.window(), b.window()),
			cmp.Compare(ev.Out[a.i], ev.Out[b.i]), cmp.Compare(a.i, b.i))
	})
	var rank int32
	ref := int32(-1)
	for x, it := range items {
		if x == 0 || it.window() != items[x-1].window() {
			rank, ref = 0, it.i
		}
		rank++
		ev.setDetail(int(it.i), Detail{Ref: ref, Rank: rank, Start: j.startOf(int(it.window()))})
	}
	return worst
}

// judgeRejected decides whether a rejection may have been a limiting decision:
// in some window the request may belong to, n admitted requests may have arrived
// before it.
func (j *WindowJudge) judgeRejected(i int, ev *StateEval) {
	first, last, kind := j.span(i)
	switch kind {
	case spanWide:
		ev.Out[i] = RejectOK // too uncertain to blame the server
		return
	case spanNone, spanGap:
		// Outside the listed windows it would have opened a fresh one, unless
		// a request the list leaves out opened one first.
		if c, start, ok := j.openedByOther(i); ok {
			ev.Out[i] = RejectOK
			ev.rejected(i, float64(c), start)
			return
		}
		if kind == spanNone {
			ev.Out[i] = RejectWrong
			ev.rejected(i, 0, NoWindow)
			return
		}
	}
	ev.Out[i] = RejectWrong
	best, start := int64(-1), int64(0)
	for k := first; k <= last; k++ {
		win := j.wins[k]
		c := j.admittedIn(k, min(j.s.Hi(i), win.hi+j.w))
		if c > best {
			best, start = c, j.startOf(k)
		}
	}
	ev.rejected(i, float64(best), start)
	if best >= j.n {
		ev.Out[i] = RejectOK
	}
}

// admittedIn is s.admittedMaybeIn(wins[k].lo, to), for rejections judged in
// send order: the count before each window's start is taken once, and each
// to is searched from the last.
func (j *WindowJudge) admittedIn(k int, to int64) int64 {
	if j.before == nil {
		j.before = make([]int32, len(j.wins))
		for x := range j.before {
			j.before[x] = -1
		}
	}
	if j.before[k] < 0 {
		j.before[k] = int32(countBelow(j.s.admHi, j.wins[k].lo))
	}
	j.near = j.s.loBelowNear(to, j.near)
	c := j.near
	if j.s.chargedBefore != nil {
		c = int(j.s.chargedBefore[c])
	}
	return int64(c) - int64(j.before[k])
}

// openedByOther looks for a window one of j.openers may have opened in which n
// requests may have been charged before rejected request i.
func (j *WindowJudge) openedByOther(i int) (seen, start int64, ok bool) {
	lo, hi := j.s.Lo(i), j.s.Hi(i)
	for _, o := range j.openers {
		if o == i || j.s.Lo(o) > hi || j.s.Hi(o)+j.w <= lo {
			continue
		}
		if c := j.s.admittedMaybeIn(j.s.Lo(o), min(hi, j.s.Hi(o)+j.w)); c >= j.n {
			return c, j.s.Lo(o) + records.ArrivalFloor, true
		}
	}
	return 0, 0, false
}

// room hands out window capacity: take reserves one place in the earliest
// window of a span that has room.
type room struct {
	left []int64
	next []int // union-find: next window that may have room
}

func newRoom(windows int, n int64) *room {
	r := &room{left: make([]int64, windows), next: make([]int, windows+1)}
	for k := range r.next {
		r.next[k] = k
	}
	for k := range r.left {
		r.left[k] = n
		if n <= 0 {
			r.next[k] = k + 1
		}
	}
	return r
}

func (r *room) find(k int) int {
	root := k
	for r.next[root] != root {
		root = r.next[root]
	}
	for r.next[k] != root {
		r.next[k], k = root, r.next[k]
	}
	return root
}

// take reserves a place in the earliest window first … last with room, and
// reports which; ok is false when all are full.
func (r *room) take(first, last int) (k int, ok bool) {
	k = r.find(first)
	if k > last {
		return k, false
	}
	r.left[k]--
	if r.left[k] == 0 {
		r.next[k] = k + 1
	}
	return k, true
}

// startOf is where window k is shown to start: when its opening request was
// sent, or the middle of its possible starts.
func (j *WindowJudge) startOf(k int) int64 {
	if st := j.wins[k].starter; st >= 0 {
		return j.wins[k].lo + records.ArrivalFloor
	}
	return (j.wins[k].lo + j.wins[k].hi) / 2
}

// Starter is the request that opened the window, or −1 for a window on the
// clock.
func (w Window) Starter() int { return int(w.starter) }

// Start is the earliest and latest the window may start.
func (w Window) Start() (lo, hi int64) { return w.lo, w.hi }
