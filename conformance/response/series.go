package response

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/results"
)

// respRec is one response as the header checks keep it, 80 bytes: its times
// and status, the claims judged, and their raw values for evidence by number
// (see texts), so that a record holds no string and keeps no header alive.
type respRec struct {
	seq     uint64
	sent    int64 // Unix nanoseconds
	recv    int64 // Sent + Latency
	phase   int32
	status  int16
	sole    bool  // a 429 only the described limit can explain
	claimed bool  // a 429 kept by a claimStore
	hasRem  bool  // rem holds a Remaining value
	hasTime bool  // at, lo and hi hold a reset time or a Retry-After deadline
	abs     bool  // the reset was an absolute time (epoch, date), not a delta
	long    bool  // a Retry-After longer than absurdFactor windows
	rem     int64 // Remaining
	at      int64 // the claimed time (reset, or receipt + Retry-After), Unix ns
	lo, hi  int64 // the earliest and latest the true time can be, given the resolution
	raw     int32 // Remaining as received: 0 when it reads as rem, else a number in texts
	rawTime int32 // the reset or Retry-After as received: a number in texts, 0 without one
}

// resetCome reports whether the reset r claims had come when r was
// answered, and so whether r's Remaining may describe the window after the
// one that decided r: the window ended between the decision and the
// header's reading, so a full or risen Remaining right after an admission
// is no lie. The Python limits library, asked for its window's statistics
// right after a hit, finds the key expired and answers the full limit;
// Flask-Limiter then writes the old window's reset as int(reset)+1, up to
// a second after the true one. Where the family may free everything at
// once (a fixed window's end, or a family left open: allAtOnce), only the
// earliest time the claim allows, to its resolution, says whether the reset
// may have come; no other family gives back the admission just made, so
// there the claim's own time must have come.
func (r *respRec) resetCome(allAtOnce bool) bool {
	if allAtOnce {
		return r.hasTime && r.lo <= r.recv
	}
	return r.hasTime && r.at <= r.recv
}

// mayFreeAll reports whether the family m (nil: left open, any family) may
// free every unit at once (Model.MayFreeAll).
func mayFreeAll(m Model) bool { return m == nil || m.MayFreeAll() }

// texts keeps the raw header values evidence quotes, each value once; records
// refer to them by number. Resets repeat for a whole window and Remaining is
// almost always its number written out (kept as 0, see remRaw), so a run keeps
// few of them.
type texts struct {
	ids  map[string]int32
	list []string
}

// id returns the number of s, 0 for "".
func (t *texts) id(s string) int32 {
	if s == "" {
		return 0
	}
	if i, ok := t.ids[s]; ok {
		return i
	}
	if t.ids == nil {
		t.ids = map[string]int32{}
	}
	t.list = append(t.list, strings.Clone(s))
	i := int32(len(t.list))
	t.ids[t.list[i-1]] = i
	return i
}

// get returns the value numbered i, "" for 0.
func (t *texts) get(i int32) string {
	if i <= 0 || int(i) > len(t.list) {
		return ""
	}
	return t.list[i-1]
}

// remRaw numbers raw, the Remaining value rem was read from: 0 when raw is
// rem written out in decimal, as nearly every server sends it.
func (t *texts) remRaw(raw string, rem int64) int32 {
	var b [24]byte
	if string(strconv.AppendInt(b[:0], rem, 10)) == raw {
		return 0
	}
	return t.id(raw)
}

// rawRem is r's Remaining as received.
func (t *texts) rawRem(r *respRec) string {
	if r.raw == 0 {
		return strconv.FormatInt(r.rem, 10)
	}
	return t.get(r.raw)
}

// newRec records o's times and status.
func newRec(o results.Observation) respRec {
	sent := o.Sent.UnixNano()
	return respRec{seq: o.Seq, sent: sent, recv: sent + max(int64(o.Latency), 0),
		phase: int32(o.Phase), status: int16(min(max(o.Status, 0), 999))}
}

func (r *respRec) admitted() bool { return records.Admitted(int32(r.status)) }
func (r *respRec) limited() bool  { return r.status == 429 }

// charging reports whether r may have used quota: admitted, failed in
// transport (the server may have admitted it before the connection broke),
// or answered with a server error (an upstream behind the limiter failed
// after it counted the request). The 5xx that are the limiter's decisions
// are no longer in a series once it is judged (respSet.each).
func (r *respRec) charging() bool {
	return r.admitted() || r.status == 0 || r.status >= 500
}

// keptResp reports whether a checker keeps a record of o (keptStatus).
func keptResp(o results.Observation) bool { return keptStatus(int32(o.Status)) }

// keptStatus reports whether a checker keeps a record of an answer: the
// requests that may use quota and the 429s; other answers say nothing about
// the countdown. Every 5xx is kept until the run is judged, when those that
// are the limiter's decisions are dropped (respSet.each).
func keptStatus(status int32) bool {
	return records.Admitted(status) || status == 429 || status == 0 || status >= 500
}

// maxOverlap bounds how far the overlap counts look past a pair; a pair with more
// overlapping requests than this is too ambiguous to judge.
const maxOverlap = 256

// respSeries is the records of one key, sorted by send time when judged.
type respSeries struct {
	key    string
	Recs   []respRec
	sorted bool
	// held are the 503s, kept apart until the run is judged: a limiter's
	// rejections, or server errors that may have used quota (respSet.each).
	held    []respRec
	pref    []int   // pref[k]: charging records among recs[:k]
	maxRecv []int64 // maxRecv[k]: the latest recv of a charging record in recs[:k+1]
	nextAdm []int   // nextAdm[k]: the first admitted record at or after k; len(recs) if none
}

// respSet holds one series of records per key. Given newSpill, it moves
// its records there past records.SpillAfter and reads them back when judged (see
// spill.go).
type respSet struct {
	ByKey map[string]*respSeries
	texts texts // the raw values the records refer to

	newSpill func() (records.Spill, error) // nil keeps every record in memory
	NoSpill  bool                          // no spill could be made: the records stay in memory
	Spilled  *respSpill
	N        int             // records kept, in memory or on disk
	answers  records.Answers // how the limiter answered, read by each
	keys     []*respSeries
	keyIndex map[*respSeries]int32
}

// add appends r to the series of key.
func (ss *respSet) add(key string, r respRec) {
	if ss.ByKey == nil {
		ss.ByKey = map[string]*respSeries{}
	}
	s := ss.ByKey[key]
	if s == nil {
		s = &respSeries{key: key, sorted: true}
		ss.ByKey[key] = s
	}
	ss.N++
	if ss.Spilled != nil {
		ss.Spilled.write(ss.indexOf(s), &r)
		return
	}
	s.push(r)
	if ss.N > records.SpillAfter && !ss.NoSpill && ss.newSpill != nil {
		ss.toDisk()
	}
}

// push appends r to s's records in memory, a 503 to those held.
func (s *respSeries) push(r respRec) {
	if r.status == 503 {
		s.held = append(s.held, r)
		return
	}
	if n := len(s.Recs); n > 0 && recCmp(s.Recs[n-1], r) > 0 {
		s.sorted = false
	}
	s.Recs = append(s.Recs, r)
}

// indexOf numbers s for the spill.
func (ss *respSet) indexOf(s *respSeries) int32 {
	if k, ok := ss.keyIndex[s]; ok {
		return k
	}
	if ss.keyIndex == nil {
		ss.keyIndex = map[*respSeries]int32{}
	}
	k := int32(len(ss.keys))
	ss.keys = append(ss.keys, s)
	ss.keyIndex[s] = k
	return k
}

// toDisk moves the records to a new spill; where none can be made they stay
// in memory.
func (ss *respSet) toDisk() {
	to, err := ss.newSpill()
	if err != nil {
		ss.NoSpill = true
		return
	}
	sp := &respSpill{SpillFile: records.SpillFile{To: to}}
	for _, s := range ss.sortedKeys() {
		k := ss.indexOf(s)
		for x := range s.Recs {
			sp.write(k, &s.Recs[x])
		}
		s.Recs, s.sorted = nil, true
	}
	ss.Spilled = sp
}

// load brings spilled records back into memory for judging.
func (ss *respSet) load() error {
	if ss.Spilled == nil {
		return nil
	}
	sp := ss.Spilled
	ss.Spilled = nil
	return sp.readInto(func(k int32, r respRec) bool {
		if k < 0 || int(k) >= len(ss.keys) {
			return false
		}
		ss.keys[k].push(r)
		return true
	})
}

// sortedKeys is the series in key order.
func (ss *respSet) sortedKeys() []*respSeries {
	out := make([]*respSeries, 0, len(ss.ByKey))
	for _, s := range ss.ByKey {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *respSeries) int { return cmp.Compare(a.key, b.key) })
	return out
}

// each returns the respSeries sorted and indexed, in key order, the records
// read back from disk first; it fails when they cannot be. How the limiter
// answered (records.Answers, read from the set's records with the limit's
// window, kept in ss.answers) says what the 503s held apart are: server
// errors that may have used quota join their series; a limiter's
// rejections stay out, and dropped returns their flights.
func (ss *respSet) each(window int64) (out []*respSeries, dropped []flight, err error) {
	if err := ss.load(); err != nil {
		return nil, nil, err
	}
	out = make([]*respSeries, 0, len(ss.ByKey))
	for _, s := range ss.ByKey {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *respSeries) int { return cmp.Compare(a.key, b.key) })
	reader := records.AnswerReader{Window: window}
	merged := make([][]respRec, len(out))
	for x, s := range out {
		s.sort()
		all := s.Recs
		if len(s.held) > 0 {
			slices.SortFunc(s.held, recCmp)
			all = mergeRecs(s.Recs, s.held)
			merged[x] = all
		}
		reader.Key(len(all), func(i int) (int64, int32) { return all[i].sent, int32(all[i].status) })
	}
	ss.answers = reader.Answers()
	for x, s := range out {
		switch {
		case len(s.held) == 0:
		case ss.answers.ServerError(503):
			s.Recs, s.held = merged[x], nil
		default:
			for _, r := range s.held {
				dropped = append(dropped, flight{sent: r.sent, recv: r.recv})
			}
		}
		s.prepare()
	}
	return out, dropped, nil
}

// mergeRecs merges two lists of records sorted by send time.
func mergeRecs(a, b []respRec) []respRec {
	out := make([]respRec, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if recCmp(a[0], b[0]) <= 0 {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return append(append(out, a...), b...)
}

func recCmp(a, b respRec) int {
	if c := cmp.Compare(a.sent, b.sent); c != 0 {
		return c
	}
	return cmp.Compare(a.seq, b.seq)
}

// sort sorts the records by send time.
func (s *respSeries) sort() {
	if !s.sorted {
		slices.SortFunc(s.Recs, recCmp)
		s.sorted = true
	}
}

// prepare sorts the records by send time and builds the overlap indexes.
func (s *respSeries) prepare() {
	s.sort()
	if len(s.pref) == len(s.Recs)+1 {
		return
	}
	s.pref = make([]int, len(s.Recs)+1)
	s.maxRecv = make([]int64, len(s.Recs))
	latest := int64(0)
	for k := range s.Recs {
		r := &s.Recs[k]
		s.pref[k+1] = s.pref[k]
		if r.charging() {
			s.pref[k+1]++
			if latest == 0 || r.recv > latest {
				latest = r.recv
			}
		}
		s.maxRecv[k] = latest
	}
	s.nextAdm = make([]int, len(s.Recs)+1)
	s.nextAdm[len(s.Recs)] = len(s.Recs)
	for k := len(s.Recs) - 1; k >= 0; k-- {
		s.nextAdm[k] = s.nextAdm[k+1]
		if s.Recs[k].admitted() {
			s.nextAdm[k] = k
		}
	}
}

// possible counts the requests that may have used quota between the decisions
// of recs[i] and recs[j] (i < j, recs[i] answered before recs[j] was sent):
// the charging ones sent between them, and those whose flight overlaps either.
// ok is false when more than maxOverlap requests overlap.
func (s *respSeries) possible(i, j int) (n int, ok bool) {
	a, b := &s.Recs[i], &s.Recs[j]
	n = s.pref[j] - s.pref[i+1]
	for k, steps := i-1, 0; k >= 0 && s.maxRecv[k] > a.sent; k, steps = k-1, steps+1 {
		if steps == maxOverlap {
			return n, false
		}
		if c := &s.Recs[k]; c.charging() && c.recv > a.sent {
			n++
		}
	}
	for k, steps := j+1, 0; k < len(s.Recs) && s.Recs[k].sent < b.recv; k, steps = k+1, steps+1 {
		if steps == maxOverlap {
			return n, false
		}
		if s.Recs[k].charging() {
			n++
		}
	}
	return n, true
}

// certain counts the admitted requests surely decided between recs[i] and
// recs[j]: sent after i's answer arrived and answered before j was sent.
func (s *respSeries) certain(i, j int) int {
	a, b := &s.Recs[i], &s.Recs[j]
	n := 0
	for k := i + 1; k < j; k++ {
		if c := &s.Recs[k]; c.admitted() && c.sent >= a.recv && c.recv <= b.sent {
			n++
		}
	}
	return n
}

// firstFrom returns the index of the first record sent at or after t, from i on.
func (s *respSeries) firstFrom(i int, t int64) int {
	k, _ := slices.BinarySearchFunc(s.Recs[i:], t, func(r respRec, t int64) int {
		if r.sent < t {
			return -1
		}
		return 1
	})
	return i + k
}

// medianNs returns the middle value of xs (the mean of the two middle ones for
// an even count); xs is sorted in place.
func medianNs(xs []int64) int64 {
	slices.Sort(xs)
	m := len(xs) / 2
	if len(xs)%2 == 1 {
		return xs[m]
	}
	return xs[m-1] + (xs[m]-xs[m-1])/2
}
