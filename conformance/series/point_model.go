package series

import (
	"cmp"
	"math"
	"slices"
	"sort"
)

// The point models replay a series with every request arriving at its best
// estimate, Sent + Latency/2. The violations the point model finds beyond those
// the tolerant model is sure of are ambiguous: they depend on where in their
// intervals requests really arrived. Ambiguous decisions are counted in
// messages, never failed.

// CountPoint records how many over-admissions and wrongful rejections the
// point model blamed.
func CountPoint(s *Series, ev *StateEval, blamed []bool) {
	ev.PointOver, ev.PointWrong, ev.AmbAdm, ev.AmbRej = 0, 0, nil, nil
	for i, b := range blamed {
		switch {
		case b && s.Adm[i]:
			ev.PointOver++
			if ev.Out[i] != AdmitOver {
				ev.AmbAdm = append(ev.AmbAdm, int32(i))
			}
		case b:
			ev.PointWrong++
			if ev.Out[i] == RejectOK {
				ev.AmbRej = append(ev.AmbRej, int32(i))
			}
		}
	}
}

// byMid returns the judged requests of s in order of estimated arrival, as
// int32 (4 bytes a request) like every index of a series. The order
// depends on the series alone, so every point model of every candidate
// reads the same list, made once (sortByMid); it must not be changed.
func byMid(s *Series) []int32 {
	s.byMid.once.Do(func() { s.byMid.order = sortByMid(s) })
	return s.byMid.order
}

// sortByMid lists the judged requests of s in order of estimated arrival.
func sortByMid(s *Series) []int32 {
	order := make([]int32, 0, countTrue(s.Known))
	for i, ok := range s.Known {
		if ok {
			order = append(order, int32(i))
		}
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(s.mid(int(a)), s.mid(int(b))) })
	return order
}

// PointWindows blames decisions against wins with point arrivals. Windows
// opened by requests (first-request-aligned) are opened again by the point
// arrivals, not taken from the tolerant model's chain: that chain was chosen to
// blame the server least, and may start each window as late as its opener's
// interval allows.
func PointWindows(s *Series, wins []Window, w, n int64) []bool {
	if len(wins) > 0 && wins[0].starter >= 0 {
		return pointFirstRequest(s, w, n)
	}
	starts := make([]int64, len(wins))
	for k, win := range wins {
		starts[k] = (win.lo + win.hi) / 2
		if win.starter >= 0 {
			starts[k] = s.mid(int(win.starter))
		}
	}
	count := make([]int64, len(wins))
	blamed := make([]bool, len(s.Reqs))
	for _, ix := range byMid(s) {
		i := int(ix)
		p := s.mid(i)
		k := sort.Search(len(starts), func(k int) bool { return starts[k] > p }) - 1
		var seen int64
		if k >= 0 && p < starts[k]+w {
			seen = count[k]
			if s.Adm[i] {
				count[k]++
			}
		}
		blamed[i] = s.Adm[i] == (seen >= n)
	}
	return blamed
}

// pointFirstRequest blames decisions against first-request-aligned windows with
// point arrivals: a window opens at the first arrival after the previous one
// expired and admits n. Where the server shows it opened a window sooner, the
// chain opens its own there: at an admission that surely arrived after the
// rejection before it, when every admission of the window surely arrived
// before that rejection (a limiter rejects only while its window is full, so
// it began another between the two, and no admission of the window may
// belong to the new one). Without it one admission whose point arrival fell
// on the wrong side of an expiry moves the chain a request later for good:
// on traffic whose period divides the window (a clock-aligned limiter judged
// as a chain) it drifts at each such jitter until every window it opens
// begins with the server's rejections, and blames them all.
func pointFirstRequest(s *Series, w, n int64) []bool {
	blamed := make([]bool, len(s.Reqs))
	var start, count int64
	open := false
	admHi := int64(math.MinInt64) // the latest arrival of the window's admissions
	var rej struct {
		last  bool  // the request before, in point order, was a rejection
		hi    int64 // its latest arrival
		clean bool  // every admission of the window surely arrived before it
	}
	for _, ix := range byMid(s) {
		i := int(ix)
		p := s.mid(i)
		if !open || p >= start+w {
			start, count, open, admHi, rej.last = p, 0, true, math.MinInt64, false
		}
		seen := count
		blamed[i] = s.Adm[i] == (seen >= n)
		switch {
		case !s.Adm[i]:
			rej.last, rej.hi, rej.clean = true, s.Hi(i), admHi < s.Lo(i)
			continue
		case rej.last && rej.clean && rej.hi < s.Lo(i):
			start, count, admHi = p, 0, math.MinInt64
		}
		count++
		admHi = max(admHi, s.Hi(i))
		rej.last = false
	}
	return blamed
}

// PointBucket blames decisions against a token bucket with point arrivals.
func PointBucket(s *Series, burst, rate float64) []bool {
	blamed := make([]bool, len(s.Reqs))
	tokens := burst
	var last int64
	for x, ix := range byMid(s) {
		i := int(ix)
		if x > 0 {
			tokens = min(burst, tokens+rate*float64(s.mid(i)-last))
		}
		last = s.mid(i)
		blamed[i] = s.Adm[i] == (tokens < 1)
		if s.Adm[i] {
			// Conditioned on the server, as the windows are: an admission it
			// made spent a token, even one the model blames (the server had a
			// token the point arrivals did not give). Without this the model
			// stays a token fuller than the server after one blamed admission
			// and blames every later rejection of the over phase.
			tokens = max(tokens-1, 0)
		}
	}
	return blamed
}

// PointLog blames decisions against a sliding log with point arrivals.
func PointLog(s *Series, w, n int64) []bool {
	blamed := make([]bool, len(s.Reqs))
	var log []int64 // charged arrivals, ascending
	for _, ix := range byMid(s) {
		i := int(ix)
		p := s.mid(i)
		for len(log) > 0 && log[0] <= p-w {
			log = log[1:]
		}
		full := int64(len(log)) >= n
		blamed[i] = s.Adm[i] == full
		if s.Adm[i] {
			log = append(log, p) // the server counted it, blamed or not
		}
	}
	return blamed
}
