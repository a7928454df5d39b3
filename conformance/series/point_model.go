package series

import (
	"cmp"
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
// int32 (4 bytes a request) like every index of a series.
func byMid(s *Series) []int32 {
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
// expired and admits n.
func pointFirstRequest(s *Series, w, n int64) []bool {
	blamed := make([]bool, len(s.Reqs))
	var start, count int64
	open := false
	for _, ix := range byMid(s) {
		i := int(ix)
		p := s.mid(i)
		if !open || p >= start+w {
			start, count, open = p, 0, true
		}
		seen := count
		if s.Adm[i] {
			count++
		}
		blamed[i] = s.Adm[i] == (seen >= n)
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
