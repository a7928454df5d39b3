// Package series holds a key's requests with their arrival intervals (a
// Series) and the judges that decide each request against one limiter model:
// fixed windows (first-request-aligned chains, window_first_request.go, and
// clock alignments, window_clock_aligned.go, judged by window_judge.go), the
// sliding log, the sliding-window counter and the token bucket
// (*_judge.go), and the point models (point_model.go). A judge writes its
// Outcome of each request into a StateEval. The limiter families
// choose which judges to run, and explain their outcomes.
package series

import (
	"cmp"
	"math"
	"slices"
	"sync"

	"github.com/ratecheck/ratecheck/conformance/records"
)

// Series is the requests of one model state (one key, or the whole run for ip
// and global limits) counted by the tested limit, sorted by send time. Times
// are nanoseconds since the run's first observation.
//
// Requests whose answer is a rate-limit decision are judged. The others
// (transport failures; 401, 403 and 404; server errors beside the limiter's
// 429s, see records.Answers) are unknown: never judged, but they may have been
// charged and may have opened a window.
type Series struct {
	key    string
	Reqs   []records.Record
	origin int64  // Unix nanoseconds; times of the series count from it
	Known  []bool // the answer is a rate-limit decision
	Adm    []bool // the server admitted the request (known and 2xx/3xx)
	Rej    []bool // the server rejected the request (known, not admitted)
	// Answers is how the limiter answered the run: which statuses are its
	// decisions.
	Answers records.Answers

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
	Opens        []bool // the first judged request of each recovery phase, once known
	// reach is half the median latency of the rejections: how long a
	// request typically takes to reach the limiter (see mid); 0 when the
	// series has no rejection.
	reach int64
	// byHi is made once, by admittedByHi, for every judge that asks.
	byHi struct {
		once       sync.Once
		adm, order []int32
	}
	cuts streakCuts
	// resets is made once, by resetsOf, for every alignment search.
	resets struct {
		once sync.Once
		list []reset
	}
	// byMid is made once, by byMid, for every point model.
	byMid struct {
		once  sync.Once
		order []int32
	}
}

// Key is the client the series counts: the API key or source address its
// limit counts apart, "" for a global limit.
func (s *Series) Key() string { return s.key }

// MaxWidth is the widest arrival interval of the series: the largest Hi − Lo.
func (s *Series) MaxWidth() int64 { return s.maxWidth }

// The arrival bounds of request i are computed from its record rather than
// stored: a run of a million requests keeps 24 MB less while it is judged.

// Lo is request i's earliest possible arrival.
func (s *Series) Lo(i int) int64 { return s.Reqs[i].Sent - s.origin - records.ArrivalFloor }

// Hi is request i's latest possible arrival.
func (s *Series) Hi(i int) int64 {
	r := &s.Reqs[i]
	return r.Sent - s.origin + r.Lat() + records.ArrivalFloor
}

// mid is the best estimate of request i's arrival: Sent + Latency/2, or
// Sent + reach when that is sooner. A limiter decides before the handler
// runs and answers a rejection at once, so the rejections' latencies measure
// the way to the limiter and back; what an admitted request takes longer
// (a slow handler, a request queued by the limiter itself, as nginx's
// limit_req without nodelay does) is spent after its decision.
func (s *Series) mid(i int) int64 {
	r := &s.Reqs[i]
	half := r.Lat() / 2
	if s.reach > 0 {
		half = min(half, s.reach)
	}
	return r.Sent - s.origin + half
}

// loBelow is the number of requests whose earliest arrival is < x (lo rises
// with the index: the records are sorted by send time).
func (s *Series) loBelow(x int64) int {
	// sort.Search, written out: judging asks this a few times per request,
	// and the closure's call was most of it.
	return s.loBelowIn(x, 0, len(s.Reqs))
}

// loBelowNear is loBelow(x), searched from index hint outwards: a caller
// asking about times close together (one window's requests, in send order)
// touches a few nearby records instead of halving the whole series each
// time.
func (s *Series) loBelowNear(x int64, hint int) int {
	n := len(s.Reqs)
	hint = min(max(hint, 0), n)
	var lo, hi int // the answer is in [lo, hi]
	if hint < n && s.Lo(hint) < x {
		lo, step := hint+1, 1
		for lo+step-1 < n && s.Lo(lo+step-1) < x {
			lo += step
			step *= 2
		}
		return s.loBelowIn(x, lo, min(lo+step-1, n))
	}
	hi, step := hint, 1
	for hi-step >= 0 && s.Lo(hi-step) >= x {
		hi -= step
		step *= 2
	}
	lo = max(hi-step+1, 0)
	return s.loBelowIn(x, lo, hi)
}

// loBelowIn is loBelow(x) when it is known to be in [lo, hi].
func (s *Series) loBelowIn(x int64, lo, hi int) int {
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s.Lo(m) < x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// buildSeries makes one series per state, in key order, leaving out states
// without a judged request. The series use the collector's records in place
// (sorted by send time), so judging copies no record.
func Build(c *records.Collector) []*Series {
	answers := c.Answers() // sorts each key's records
	var out []*Series
	for k, recs := range c.ByKey {
		if slices.ContainsFunc(recs, func(r records.Record) bool { return answers.Decided(r.Status) }) {
			out = append(out, build(c.Keys[k], recs, c.First, answers))
		}
	}
	slices.SortFunc(out, func(a, b *Series) int { return cmp.Compare(a.key, b.key) })
	return out
}

// New returns the series of key from its records, sorted by send time;
// origin is the Sent of the run's first observation, Unix nanoseconds.
// Every 503 is a decision (Build reads how a run's limiter answers).
func New(key string, recs []records.Record, origin int64) *Series {
	records.SortBySend(recs)
	limits429 := slices.ContainsFunc(recs, func(r records.Record) bool { return r.Status == 429 })
	return build(key, recs, origin, records.Answers{Limits429: limits429, Limits503: true})
}

// build is New of records sorted by send time, told how the limiter answers
// (records.Answers).
func build(key string, recs []records.Record, origin int64, answers records.Answers) *Series {
	n := len(recs)
	s := &Series{key: key, Reqs: recs, origin: origin, Answers: answers, Known: make([]bool, n), Adm: make([]bool, n), Rej: make([]bool, n)}
	charged, unknown := 0, 0
	for _, r := range recs {
		if !answers.Decided(r.Status) {
			unknown++
		}
		if !answers.Decided(r.Status) || records.Admitted(r.Status) {
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
		s.Known[i] = answers.Decided(r.Status)
		s.Adm[i] = s.Known[i] && records.Admitted(r.Status)
		s.Rej[i] = s.Known[i] && !s.Adm[i]
		lo, hi := s.Lo(i), s.Hi(i)
		s.maxWidth = max(s.maxWidth, hi-lo)
		if !s.Rej[i] {
			s.admHi = append(s.admHi, hi)
		}
		if s.chargedBefore != nil {
			s.chargedBefore[i+1] = int32(len(s.admHi))
		}
		if !s.Known[i] {
			s.unkLo = append(s.unkLo, lo)
			s.unkHi = append(s.unkHi, hi)
		}
	}
	records.SortNearly(s.admHi, cmp.Compare) // in send order, the latest arrivals nearly are sorted
	records.SortNearly(s.unkHi, cmp.Compare)
	s.reach = halfMedianRejectionLatency(s)
	return s
}

// halfMedianRejectionLatency is half the median latency of the rejections
// of s, or 0 when there is none: with n rejections, the (n/2+1)-th least,
// found by its two halves of 16 bits (records keep latencies in whole
// microseconds, 32 bits) rather than by sorting them.
func halfMedianRejectionLatency(s *Series) int64 {
	n := countTrue(s.Rej)
	if n == 0 {
		return 0
	}
	k := n / 2 // the median is the k-th least, from 0
	counts := make([]int32, 1<<16)
	for i, rej := range s.Rej {
		if rej {
			counts[s.Reqs[i].Latency>>16]++
		}
	}
	high, k := kthBucket(counts, k)
	clear(counts)
	for i, rej := range s.Rej {
		if lat := s.Reqs[i].Latency; rej && lat>>16 == high {
			counts[lat&0xffff]++
		}
	}
	low, _ := kthBucket(counts, k)
	lat := records.Record{Latency: high<<16 | low}
	return lat.Lat() / 2
}

// kthBucket returns the bucket the k-th counted value (from 0) falls in,
// and its rank within the bucket.
func kthBucket(counts []int32, k int) (bucket uint32, rank int) {
	for b, c := range counts {
		if k < int(c) {
			return uint32(b), k
		}
		k -= int(c)
	}
	panic("series: kthBucket past the values counted")
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
	lo, hi := 0, len(xs) // sort.Search, written out as loBelow is
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if xs[m] < x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// admittedMaybeIn counts the requests that may have been charged and may have
// arrived in [from, to): those with hi ≥ from and lo < to. It requires to ≥ from.
func (s *Series) admittedMaybeIn(from, to int64) int64 {
	// Every request with hi < from also has lo < to, so the two counts nest.
	return int64(s.chargedBelow(to) - countBelow(s.admHi, from))
}

// chargedUnder returns the latest to for which fewer than n requests that
// may have been charged may have arrived in [from, to): admittedMaybeIn(from,
// to) < n exactly when to ≤ chargedUnder(from, n), for every to ≥ from. A
// caller asking that of many to's with one from searches once.
func (s *Series) chargedUnder(from, n int64) int64 {
	// admittedMaybeIn(from, to) = chargedBelow(to) − before; chargedBelow(to)
	// reaches before+n when the lo of the (before+n)-th charged request is
	// below to.
	rank := int64(countBelow(s.admHi, from)) + n
	switch {
	case rank <= 0:
		return math.MinInt64 // always at least n
	case rank > int64(len(s.admHi)):
		return math.MaxInt64 // never n
	case s.chargedBefore == nil:
		return s.Lo(int(rank - 1))
	}
	// The rank-th charged request is the one after which chargedBefore
	// first reaches rank.
	lo, hi := 1, len(s.chargedBefore)-1
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if int64(s.chargedBefore[m]) < rank {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return s.Lo(lo - 1)
}

// chargedBelow is the number of requests that may have been charged whose
// earliest arrival is < x.
func (s *Series) chargedBelow(x int64) int {
	k := s.loBelow(x)
	if s.chargedBefore == nil {
		return k
	}
	return int(s.chargedBefore[k])
}

// admittedByHi returns the admitted requests, in send order, and their
// positions in adm ordered by latest arrival (ties by position): the order
// in which the judges of over-admissions handle them. They are made once and
// shared, so callers must not change them.
func (s *Series) admittedByHi() (adm, order []int32) {
	s.byHi.once.Do(func() {
		adm := make([]int32, 0, countTrue(s.Adm))
		for i, ok := range s.Adm {
			if ok {
				adm = append(adm, int32(i))
			}
		}
		keys := make([]hiKey, len(adm))
		for k, i := range adm {
			keys[k] = hiKey{s.Hi(int(i)), int32(k)}
		}
		// In send order the latest arrivals are nearly sorted already: an
		// insertion sort moves each past the few sent before it that
		// arrive later, unless latency spikes make that too many moves.
		records.SortNearly(keys, compareHi)
		order := make([]int32, len(keys))
		for x, key := range keys {
			order[x] = key.k
		}
		s.byHi.adm, s.byHi.order = adm, order
	})
	return s.byHi.adm, s.byHi.order
}

// hiKey is an admission's latest arrival and its position among the
// admissions; no two have the same position, so they sort one way only.
type hiKey struct {
	hi int64
	k  int32
}

// compareHi orders keys by latest arrival, then position.
func compareHi(a, b hiKey) int {
	if a.hi != b.hi {
		return cmp.Compare(a.hi, b.hi)
	}
	return cmp.Compare(a.k, b.k)
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
