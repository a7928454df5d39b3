package conformance

import (
	"math"

	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// record is the compact part of an Observation the checks need: no headers,
// no body, no key value (records are kept per key). 24 bytes a request.
//
// Latency is kept in whole microseconds, rounded up: the models widen every
// arrival interval by arrivalFloor (2 ms) for clock granularity, so a
// microsecond is far below what they can tell apart, and rounding up only
// ever widens the interval.
type record struct {
	sent    int64  // Unix nanoseconds
	latency uint32 // microseconds, rounded up; saturates at about 71 minutes
	seq     int32  // Seq − collector.seq0 (a run judged in memory spans far fewer than 2³¹ requests)
	phase   int32
	status  int32
}

// lat is the record's latency in nanoseconds.
func (r *record) lat() int64 { return int64(r.latency) * 1000 }

// latencyMicros converts a latency to record units: microseconds, rounded up,
// negative as 0, saturated at the largest uint32.
func latencyMicros(ns int64) uint32 {
	if ns <= 0 {
		return 0
	}
	us := ns / 1000
	if ns%1000 != 0 {
		us++
	}
	return uint32(min(us, math.MaxUint32))
}

// collector keeps the records of one run, fed once however many checkers share it.
//
// Every checker of a run forwards each observation with its own position in the
// stream; the collector keeps the observation the first time a position is seen.
// So a runner may feed the checkers one observation at a time (live) or one
// checker after another (replay), and the records come out the same.
type collector struct {
	limit  *scenarios.Limit
	perKey bool

	seen  int    // observations fed, of every endpoint
	first int64  // earliest Sent of any observation, Unix nanoseconds
	seq0  uint64 // Seq of the first counted observation; records keep their Seq relative to it
	// byKey holds the records of each key (index into keys) in arrival order;
	// judging sorts them in place. Once the run has more than spillAfter
	// records they are on disk (spilled), and byKey holds none until load.
	byKey    [][]record
	n        int     // records kept, in byKey or on disk
	perKeyN  []int64 // records kept of each key
	spilled  *spill
	newSpill func() (Spill, error) // where records go past spillAfter; nil keeps them in memory
	noSpill  bool                  // no spill could be made: the records stay in memory
	quiet    quietness
	keys     []string
	keyIndex map[string]int32
	reserve  map[string]int64 // requests the plan sends with each key, counted by limit
	failed   int              // counted observations that failed in transport
	quota    quotaAttribution // tells a quota's 429s from the limit's
	byQuota  int              // 429s left out: a quota the headers describe caused them
}

// countedAs is the client limit l counts o against: its key for a per-key
// limit, its source address for a per-IP one (one address for all the
// requests of one run, several on merged shards' timeline), one client for
// a global limit. The model and header checks keep one series per client.
func countedAs(l *scenarios.Limit, o results.Observation) string {
	switch {
	case l == nil || l.Scope == scenarios.ScopeGlobal:
		return ""
	case l.Scope == scenarios.ScopeIP:
		return o.Source
	}
	return o.KeyID
}

func newCollector(p *scenarios.Plan, limit *scenarios.Limit) *collector {
	c := &collector{limit: limit, keyIndex: map[string]int32{}, quiet: newQuietness(limit)}
	if limit != nil {
		c.perKey = limit.Scope == scenarios.ScopeKey || limit.Scope == ""
		c.reserve = plannedPerKey(p, limit, c.perKey)
	}
	c.quota = newQuotaAttribution(p, limit)
	return c
}

// plannedPerKey is how many requests counted by limit the plan sends with each
// key ("" when the limit is not per key), so that the record slices kept in
// memory (up to spillAfter, see keyOf) are allocated once instead of growing
// by copies. Unpaced phases plan no count and reserve nothing.
func plannedPerKey(p *scenarios.Plan, limit *scenarios.Limit, perKey bool) map[string]int64 {
	if p == nil {
		return nil
	}
	out := map[string]int64{}
	for _, ph := range p.Phases {
		if ph.Requests <= 0 || !limit.Counts(ph.Endpoint) {
			continue
		}
		key := ph.Key
		if !perKey {
			key = ""
		}
		out[key] += ph.Requests
	}
	return out
}

// observe records o if pos is the next position of the stream.
func (c *collector) observe(pos int, o results.Observation) {
	if pos != c.seen {
		return // another checker already forwarded this position
	}
	c.seen++
	sent := o.Sent.UnixNano()
	if c.seen == 1 || sent < c.first {
		c.first = sent
	}
	if c.limit == nil || !c.limit.Counts(o.Endpoint) {
		return
	}
	if c.quota.spent(o) {
		c.byQuota++
		return
	}
	if o.Status == 0 {
		c.failed++
	}
	if c.n == 0 {
		c.seq0 = o.Seq
	}
	k := c.keyOf(countedAs(c.limit, o))
	r := record{
		sent:    sent,
		latency: latencyMicros(int64(o.Latency)),
		seq:     int32(o.Seq - c.seq0),
		phase:   int32(o.Phase),
		status:  int32(o.Status),
	}
	c.quiet.add(k, &r)
	c.n++
	c.perKeyN[k]++
	if c.spilled != nil {
		c.spilled.write(k, &r)
		return
	}
	c.byKey[k] = append(c.byKey[k], r)
	if c.n > spillAfter && !c.noSpill && c.newSpill != nil {
		c.toDisk()
	}
}

// toDisk moves the records to a new spill. Where none can be made they stay
// in memory.
func (c *collector) toDisk() {
	to, err := c.newSpill()
	if err != nil {
		c.noSpill = true
		return
	}
	sp := &spill{spillFile: spillFile{to: to}}
	for k, recs := range c.byKey {
		for x := range recs {
			sp.write(int32(k), &recs[x])
		}
		c.byKey[k] = nil
	}
	c.spilled = sp
}

// load brings spilled records back into byKey for judging.
func (c *collector) load() error {
	if c.spilled == nil {
		return nil
	}
	sp := c.spilled
	c.spilled = nil
	for k := range c.byKey {
		c.byKey[k] = make([]record, 0, c.perKeyN[k])
	}
	return sp.readInto(c.byKey)
}

// seqOf is r's Seq.
func (c *collector) seqOf(r *record) uint64 { return c.seq0 + uint64(int64(r.seq)) }

func (c *collector) keyOf(id string) int32 {
	if k, ok := c.keyIndex[id]; ok {
		return k
	}
	k := int32(len(c.keys))
	c.keys = append(c.keys, id)
	c.keyIndex[id] = k
	var recs []record
	if c.spilled == nil {
		recs = make([]record, 0, min(c.reserve[id], int64(spillAfter)+1))
	}
	c.byKey = append(c.byKey, recs)
	c.perKeyN = append(c.perKeyN, 0)
	return k
}

// judged reports whether a request's answer is a rate-limit decision: transport
// failures say nothing, and 401, 403 and 404 are never limiting.
func judged(status int32) bool {
	switch status {
	case 0, 401, 403, 404:
		return false
	}
	return true
}

// admitted reports whether the server let the request through (2xx or 3xx),
// as results.Observation.Admitted does.
func admitted(status int32) bool { return status >= 200 && status < 400 }
