package conformance

import (
	"cmp"
	"slices"
	"sort"

	"github.com/ratecheck/ratecheck/conformance/records"
)

// series is the requests of one model state (one key, or the whole run for ip
// and global limits) counted by the tested limit, sorted by send time. Times
// are nanoseconds since the run's first observation.
//
// Requests whose answer is a rate-limit decision are judged. The others
// (transport failures; 401, 403 and 404) are unknown: never judged, but they may
// have been charged and may have opened a window.
type series struct {
	key    string
	reqs   []records.Record
	origin int64  // Unix nanoseconds; times of the series count from it
	known  []bool // the answer is a rate-limit decision
	adm    []bool // the server admitted the request (known and 2xx/3xx)
	rej    []bool // the server rejected the request (known, not admitted)

	// admHi holds, ascending, the latest arrivals of the requests that may
	// have been charged: admitted or unknown. Rejections are judged against
	// these. Their earliest arrivals need no copy: lo rises with the index, so
	// chargedBefore[i], the charged requests among the first i, counts those
	// below any time. It is nil when every request may have been charged.
	admHi         []int64
	chargedBefore []int32
	// unkLo and unkHi are those of the unknown requests alone, ascending.
	unkLo, unkHi []int64
	maxWidth     int64  // largest hi − lo
	opens        []bool // the first judged request of each recovery phase, once known

}

// The arrival bounds of request i are computed from its record rather than
// stored: a run of a million requests keeps 24 MB less while it is judged.

// lo is request i's earliest possible arrival.
func (s *series) lo(i int) int64 { return s.reqs[i].Sent - s.origin - records.ArrivalFloor }

// hi is request i's latest possible arrival.
func (s *series) hi(i int) int64 {
	r := &s.reqs[i]
	return r.Sent - s.origin + r.Lat() + records.ArrivalFloor
}

// mid is the best estimate of request i's arrival: Sent + Latency/2.
func (s *series) mid(i int) int64 {
	r := &s.reqs[i]
	return r.Sent - s.origin + r.Lat()/2
}

// loBelow is the number of requests whose earliest arrival is < x (lo rises
// with the index: the records are sorted by send time).
func (s *series) loBelow(x int64) int {
	return sort.Search(len(s.reqs), func(i int) bool { return s.lo(i) >= x })
}

// buildSeries makes one series per state, in key order, leaving out states
// without a judged request. The series use the collector's records in place
// (sorted by send time), so judging copies no record.
func buildSeries(c *records.Collector) []*series {
	var out []*series
	for k, recs := range c.ByKey {
		if slices.ContainsFunc(recs, func(r records.Record) bool { return records.Judged(r.Status) }) {
			out = append(out, newSeries(c.Keys[k], recs, c.First))
		}
	}
	slices.SortFunc(out, func(a, b *series) int { return cmp.Compare(a.key, b.key) })
	return out
}

func newSeries(key string, recs []records.Record, origin int64) *series {
	slices.SortFunc(recs, func(a, b records.Record) int {
		if c := cmp.Compare(a.Sent, b.Sent); c != 0 {
			return c
		}
		return cmp.Compare(a.Seq, b.Seq)
	})
	n := len(recs)
	s := &series{key: key, reqs: recs, origin: origin, known: make([]bool, n), adm: make([]bool, n), rej: make([]bool, n)}
	charged, unknown := 0, 0
	for _, r := range recs {
		if !records.Judged(r.Status) {
			unknown++
		}
		if !records.Judged(r.Status) || records.Admitted(r.Status) {
			charged++
		}
	}
	s.admHi = make([]int64, 0, charged)
	if charged < n {
		s.chargedBefore = make([]int32, n+1)
	}
	s.unkLo, s.unkHi = make([]int64, 0, unknown), make([]int64, 0, unknown)
	for i := range recs {
		r := &recs[i]
		s.known[i] = records.Judged(r.Status)
		s.adm[i] = s.known[i] && records.Admitted(r.Status)
		s.rej[i] = s.known[i] && !s.adm[i]
		lo, hi := s.lo(i), s.hi(i)
		s.maxWidth = max(s.maxWidth, hi-lo)
		if !s.rej[i] {
			s.admHi = append(s.admHi, hi)
		}
		if s.chargedBefore != nil {
			s.chargedBefore[i+1] = int32(len(s.admHi))
		}
		if !s.known[i] {
			s.unkLo = append(s.unkLo, lo)
			s.unkHi = append(s.unkHi, hi)
		}
	}
	slices.Sort(s.admHi)
	slices.Sort(s.unkHi)
	return s
}

// merge returns the ascending union of two ascending slices.
func merge(a, b []int64) []int64 {
	if len(b) == 0 {
		return a
	}
	out := make([]int64, 0, len(a)+len(b))
	out = append(append(out, a...), b...)
	slices.Sort(out)
	return out
}

// countBelow is the number of values in the ascending slice xs that are < x.
func countBelow(xs []int64, x int64) int {
	return sort.Search(len(xs), func(i int) bool { return xs[i] >= x })
}

// admittedMaybeIn counts the requests that may have been charged and may have
// arrived in [from, to): those with hi ≥ from and lo < to. It requires to ≥ from.
func (s *series) admittedMaybeIn(from, to int64) int64 {
	// Every request with hi < from also has lo < to, so the two counts nest.
	return int64(s.chargedBelow(to) - countBelow(s.admHi, from))
}

// chargedBelow is the number of requests that may have been charged whose
// earliest arrival is < x.
func (s *series) chargedBelow(x int64) int {
	k := s.loBelow(x)
	if s.chargedBefore == nil {
		return k
	}
	return int(s.chargedBefore[k])
}

// countTrue is the number of true values in bs.
func countTrue(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}
