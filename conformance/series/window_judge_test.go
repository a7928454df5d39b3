package series

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/records"
)

func TestPhaseSplit(t *testing.T) {
	tests := []struct {
		p    ClockPhase
		want int
	}{
		{ClockPhase{Lo: 0, Hi: 0}, 1},
		{ClockPhase{Lo: 10, Hi: 10 + int64(2*time.Millisecond)}, 1},
		{ClockPhase{Lo: 0, Hi: int64(5 * time.Millisecond)}, 3},
		{ClockPhase{Lo: 0, Hi: int64(time.Second)}, maxPhaseSplit},
	}
	for _, tt := range tests {
		got := tt.p.split()
		if len(got) != tt.want {
			t.Errorf("%+v.split() has %d parts; want %d", tt.p, len(got), tt.want)
		}
		lo, hi := got[0].Lo, got[0].Hi
		for _, g := range got {
			lo, hi = min(lo, g.Lo), max(hi, g.Hi)
		}
		if lo != tt.p.Lo || hi != tt.p.Hi {
			t.Errorf("%+v.split() covers [%d, %d]; want [%d, %d]", tt.p, lo, hi, tt.p.Lo, tt.p.Hi)
		}
	}
}

// The matching lets requests that straddle a boundary fill the window with room,
// and blames only what fits nowhere.
func TestWindowJudgeMatching(t *testing.T) {
	ms := int64(time.Millisecond)
	// Two windows [0, 1000) and [1000, 2000) ms admitting 2 each. Requests as
	// (lo, hi) ms: two surely in the first, one straddling, two surely in the second.
	spans := [][2]int64{{100, 110}, {200, 210}, {995, 1005}, {1100, 1110}, {1200, 1210}}
	s := &Series{}
	for _, sp := range spans {
		// lo = sent − floor and hi = sent + latency + floor (see series.lo, hi).
		lat := (sp[1]-sp[0])*ms - 2*records.ArrivalFloor
		s.Reqs = append(s.Reqs, records.Record{Sent: sp[0]*ms + records.ArrivalFloor, Latency: uint32(lat / 1000), Status: 200})
		s.Adm = append(s.Adm, true)
		s.Known = append(s.Known, true)
		s.Rej = append(s.Rej, false)
	}
	for i, sp := range spans {
		if s.Lo(i) != sp[0]*ms || s.Hi(i) != sp[1]*ms {
			t.Fatalf("request %d spans [%d, %d] ns; want [%d, %d] ms", i, s.Lo(i), s.Hi(i), sp[0], sp[1])
		}
	}
	wins := []Window{{lo: 0, hi: 0, starter: -1}, {lo: 1000 * ms, hi: 1000 * ms, starter: -1}}
	ev := NewStateEval(s)
	worst := NewWindowJudge(s, wins, 1000*ms, 2).Judge(&ev)
	over := 0
	for _, o := range ev.Out {
		if o == AdmitOver {
			over++
		}
	}
	if over != 1 || worst != 3 {
		t.Errorf("judge: %d over-admitted, worst %d; want 1 over-admitted, worst 3", over, worst)
	}
	if ev.Out[2] == AdmitOver {
		t.Errorf("the straddling request was blamed; want a request surely in a full window blamed")
	}
}

// sortByDeadline orders admitted requests as sorting them by last window,
// first window and send order does.
func TestSortByDeadline(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 8))
	for range 100 {
		windows := 1 + r.IntN(80)
		var items []admittedItem
		for i := range r.IntN(500) {
			if r.IntN(4) == 0 {
				continue // not every request is an item
			}
			first := r.IntN(windows)
			span := r.IntN(min(windows-first, maxWindowSpan))
			items = append(items, admittedItem{first: int32(first), i: int32(i), span: uint8(span)})
		}
		want := slices.Clone(items)
		slices.SortFunc(want, func(a, b admittedItem) int {
			return cmp.Or(cmp.Compare(a.last(), b.last()), cmp.Compare(a.first, b.first), cmp.Compare(a.i, b.i))
		})
		sortByDeadline(items, windows)
		if !slices.Equal(items, want) {
			t.Fatalf("sortByDeadline = %v; want %v", items, want)
		}
	}
}

// SureOvers never counts more than Overs, the matching it bounds: for
// clock-aligned windows and first-request-aligned chains, over runs under,
// at and far past the limit (as the fingerprint's candidate of twice the
// window sees them), with latencies from none to more than a window.
func TestSureOversBoundsOvers(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	const w = int64(1e9)
	bounded := 0 // judgements the bound found over-admissions in
	for run := range 120 {
		n := int64(1 + r.IntN(40))
		perWindow := 1 + r.IntN(int(3*n))
		total := perWindow * (2 + r.IntN(8))
		maxLat := []int{1, 1_000, 20_000, 300_000, 1_500_000}[r.IntN(5)] // µs
		recs := make([]records.Record, total)
		gap := w / int64(perWindow)
		var at int64
		for i := range recs {
			at += gap/2 + r.Int64N(gap+1)
			status := int32(200)
			if r.IntN(4) == 0 {
				status = 429
			}
			recs[i] = records.Record{Sent: at, Latency: uint32(r.IntN(maxLat)), Status: status}
		}
		s := New("", recs, 0)
		into := r.Int64N(w)
		judges := map[string]*WindowJudge{
			"clock": NewWindowJudge(s, ClockWindows(s, ClockPhase{Lo: into, Hi: into + r.Int64N(4e6)}, w), w, n),
		}
		_, judges["first-request"] = FirstRequestWindows(s, w, n)
		for name, j := range judges {
			sure, overs := j.SureOvers(), j.Overs()
			if sure > overs {
				t.Fatalf("run %d (%s, n %d, %d a window, latency < %d µs): SureOvers %d > Overs %d", run, name, n, perWindow, maxLat, sure, overs)
			}
			if sure > 0 {
				bounded++
			}
		}
	}
	if bounded < 40 {
		t.Errorf("the bound found over-admissions in %d judgements of 240; want the runs past the limit to exercise it", bounded)
	}
}

// clockWindowsDividing is ClockWindows as first written: both bounds of
// every request divided out.
func clockWindowsDividing(s *Series, p ClockPhase, w int64) []Window {
	var ks []int64
	for i := range s.Reqs {
		first := records.FloorDiv(s.Lo(i)-p.Hi, w)
		last := records.FloorDiv(s.Hi(i)-p.Lo, w)
		last = min(last, first+maxWindowSpan+1)
		for k := first; k <= last; k++ {
			if len(ks) == 0 || ks[len(ks)-1] < k {
				ks = append(ks, k)
			}
		}
	}
	slices.Sort(ks)
	ks = slices.Compact(ks)
	wins := make([]Window, len(ks))
	for x, k := range ks {
		wins[x] = Window{lo: k*w + p.Lo, hi: k*w + p.Hi, starter: -1}
	}
	return wins
}

// ClockWindows, which divides only for the requests that may reach past
// the windows listed, lists the windows dividing every request does: for
// sparse and dense series, latencies from none to several windows, phases
// narrow and wide, before and after the first request.
func TestClockWindowsAsDividing(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 4))
	for run := range 300 {
		w := []int64{1e6, 50e6, 1e9}[r.IntN(3)]
		recs := make([]records.Record, 1+r.IntN(2000))
		var at int64
		for i := range recs {
			at += r.Int64N(w / int64(1+r.IntN(200)))
			recs[i] = records.Record{Sent: at, Latency: uint32(r.Int64N(max(1, w*int64(r.IntN(4))/1000))), Status: 200}
		}
		s := New("", recs, -r.Int64N(w))
		lo := r.Int64N(2*w) - w
		p := ClockPhase{Lo: lo, Hi: lo + r.Int64N(w/4+1)}
		if got, want := ClockWindows(s, p, w), clockWindowsDividing(s, p, w); !slices.Equal(got, want) {
			t.Fatalf("run %d (window %d, %d requests, phase %+v): ClockWindows lists %d windows; dividing every request lists %d", run, w, len(recs), p, len(got), len(want))
		}
	}
}

// The alignments a series' resets suggest are the same whether its resets
// were found afresh or made once and read again by earlier searches (for
// other windows, side by side): resetsOf is findResets.
func TestClockPhasesFromResetsMadeOnce(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 10))
	statuses := []int32{200, 200, 200, 429, 429, 0}
	for run := range 200 {
		recs := make([]records.Record, 1+r.IntN(1500))
		var at int64
		for i := range recs {
			at += r.Int64N(5e6)
			recs[i] = records.Record{Sent: at, Latency: uint32(r.IntN(3_000)), Status: statuses[r.IntN(len(statuses))]}
		}
		origin := -r.Int64N(1e9)
		fresh, reused := New("", recs, origin), New("", recs, origin)
		var wg sync.WaitGroup
		for _, w := range []int64{1e8, 3e8} { // earlier searches, side by side
			wg.Go(func() { ClockPhases([]*Series{reused}, origin, w) })
		}
		wg.Wait()
		if !slices.Equal(resetsOf(reused), findResets(fresh)) {
			t.Fatalf("run %d: the resets made once differ from those found afresh", run)
		}
		for _, w := range []int64{1e8, 1e9} {
			if got, want := ClockPhases([]*Series{reused}, origin, w), ClockPhases([]*Series{fresh}, origin, w); !slices.Equal(got, want) {
				t.Fatalf("run %d, window %d: alignments %+v; from resets found afresh %+v", run, w, got, want)
			}
		}
	}
}

// span, searching the windows from where the last search ended and looking
// back no further than the windows' latest ends allow, finds the windows of
// every request that span as first written (spanSearching) does: for windows on the clock and chains opened by requests, with the
// requests asked in send order, in reverse and at random.
func TestSpanAsSearching(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 13))
	statuses := []int32{200, 200, 200, 429, 0}
	for run := range 200 {
		recs := make([]records.Record, 1+r.IntN(1500))
		var at int64
		for i := range recs {
			at += r.Int64N(5e6)
			lat := uint32(r.IntN(3_000))
			if r.IntN(40) == 0 {
				lat = uint32(r.IntN(3_000_000)) // a spike across windows
			}
			recs[i] = records.Record{Sent: at, Latency: lat, Status: statuses[r.IntN(len(statuses))]}
		}
		origin := -r.Int64N(1e9)
		w, n := int64(10+r.IntN(500))*1e6, int64(1+r.IntN(30))
		ties := run%4 == 0 // latest arrivals on window starts
		if ties {
			origin = -r.Int64N(1000) * 1e6
			for i := range recs {
				recs[i].Sent -= recs[i].Sent % 1e6
				recs[i].Latency -= recs[i].Latency % 1000
			}
		}
		s := New("", recs, origin)
		var j *WindowJudge
		if run%2 == 0 {
			lo := r.Int64N(w)
			if ties {
				lo = lo - lo%1e6 + records.ArrivalFloor
			}
			j = NewWindowJudge(s, ClockWindows(s, ClockPhase{Lo: lo, Hi: lo + r.Int64N(w/10+1)}, w), w, n)
		} else {
			_, j = FirstRequestWindows(s, w, n)
		}
		order := make([]int, len(s.Reqs))
		for i := range order {
			order[i] = i
		}
		switch run % 3 {
		case 1:
			slices.Reverse(order)
		case 2:
			r.Shuffle(len(order), func(x, y int) { order[x], order[y] = order[y], order[x] })
		}
		for _, i := range order {
			f, l, k := j.span(i)
			wf, wl, wk := j.spanSearching(i)
			if f != wf || l != wl || k != wk {
				t.Fatalf("run %d, request %d: span %d…%d (%d); searching gives %d…%d (%d)", run, i, f, l, k, wf, wl, wk)
			}
		}
	}
}

// spanSearching is span as first written: an opener looked up in every
// case, the windows searched from scratch, and looked at back to the first
// that cannot end after the request by the widest start range of all.
func (j *WindowJudge) spanSearching(i int) (first, last int, kind spanKind) {
	if k, ok := j.opens[int32(i)]; ok {
		return int(k), int(k), spanSome
	}
	lo, hi := j.s.Lo(i), j.s.Hi(i)
	first, last = -1, -1
	top := sort.Search(len(j.wins), func(k int) bool { return j.wins[k].lo > hi }) - 1
	maxStart := int64(0)
	for _, win := range j.wins {
		maxStart = max(maxStart, win.hi-win.lo)
	}
	for k := top; k >= 0 && j.wins[k].lo+maxStart+j.w > lo; k-- {
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
