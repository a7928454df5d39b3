// Package records keeps what judging needs of a run's observations: one
// compact Record per request the tested limit counts, kept per client by a
// Collector however many checkers feed it, moved onto the caller's Spill past
// SpillAfter records (spill.go), and counted per stretch of time so that a run
// far under its limit is judged without loading them back (quiet.go).
package records

import (
	"math"

	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// Record is the compact part of an Observation the checks need: no headers,
// no body, no key value (records are kept per key). 24 bytes a request.
//
// Latency is kept in whole microseconds, rounded up: the models widen every
// arrival interval by arrivalFloor (2 ms) for clock granularity, so a
// microsecond is far below what they can tell apart, and rounding up only
// ever widens the interval.
type Record struct {
	Sent    int64  // Unix nanoseconds
	Latency uint32 // microseconds, rounded up; saturates at about 71 minutes
	Seq     int32  // Seq − collector.seq0 (a run judged in memory spans far fewer than 2³¹ requests)
	Phase   int32
	Status  int32
}

// Lat is the record's latency in nanoseconds.
func (r *Record) Lat() int64 { return int64(r.Latency) * 1000 }

// LatencyMicros converts a latency to record units: microseconds, rounded up,
// negative as 0, saturated at the largest uint32.
func LatencyMicros(ns int64) uint32 {
	if ns <= 0 {
		return 0
	}
	us := ns / 1000
	if ns%1000 != 0 {
		us++
	}
	return uint32(min(us, math.MaxUint32))
}

// Collector keeps the records of one run, fed once however many checkers share it.
//
// Every checker of a run forwards each observation with its own position in the
// stream; the collector keeps the observation the first time a position is seen.
// So a runner may feed the checkers one observation at a time (live) or one
// checker after another (replay), and the records come out the same.
type Collector struct {
	Limit  *scenarios.Limit
	perKey bool

	Seen   int   // observations fed, of every endpoint
	First  int64 // earliest Sent of any observation, Unix nanoseconds (or as pinned)
	pinned bool  // First was set by PinFirst
	// Contexts counts the observations kept as context (ObserveContext).
	Contexts int
	Seq0     uint64 // Seq of the first counted observation; records keep their Seq relative to it
	// byKey holds the records of each key (index into keys) in arrival order;
	// judging sorts them in place. Once the run has more than spillAfter
	// records they are on disk (spilled), and byKey holds none until load.
	ByKey    [][]Record
	N        int     // records kept, in byKey or on disk
	perKeyN  []int64 // records kept of each key
	Spilled  *spill
	NewSpill func() (Spill, error) // where records go past spillAfter; nil keeps them in memory
	NoSpill  bool                  // no spill could be made: the records stay in memory
	Quiet    quietness
	Keys     []string
	keyIndex map[string]int32
	reserve  map[string]int64               // requests the plan sends with each key, counted by limit
	Failed   int                            // counted observations that failed in transport
	leaveOut func(results.Observation) bool // tells a quota's 429s from the limit's
	byQuota  int                            // 429s left out: a quota the headers describe caused them
	// Limits429 says the limiter answered some request 429: its other
	// answers of 500 and up are then server errors (see Answers), not its
	// decisions.
	Limits429 bool
}

// CountedAs is the client limit l counts o against: its key for a per-key
// limit, its source address for a per-IP one (one address for all the
// requests of one run, several on merged shards' timeline), one client for
// a global limit. The model and header checks keep one series per client.
func CountedAs(l *scenarios.Limit, o results.Observation) string {
	switch {
	case l == nil || l.Scope == scenarios.ScopeGlobal:
		return ""
	case l.Scope == scenarios.ScopeIP:
		return o.Source
	}
	return o.KeyID
}

// NewCollector returns the collector of the requests limit counts in runs of
// p. quiet says whether a run far under the limit may be judged from counts
// (see quietness); leaveOut, when set, picks the 429s another limit caused
// (see quotaAttribution), which are not kept.
func NewCollector(p *plan.Plan, limit *scenarios.Limit, quiet bool, leaveOut func(results.Observation) bool) *Collector {
	c := &Collector{Limit: limit, keyIndex: map[string]int32{}, Quiet: NewQuietness(limit, quiet), leaveOut: leaveOut}
	if limit != nil {
		c.perKey = limit.Scope == scenarios.ScopeKey || limit.Scope == ""
		c.reserve = plannedPerKey(p, limit, c.perKey)
	}
	return c
}

// plannedPerKey is how many requests counted by limit the plan sends with each
// key ("" when the limit is not per key), so that the record slices kept in
// memory (up to spillAfter, see keyOf) are allocated once instead of growing
// by copies. Unpaced phases plan no count and reserve nothing.
func plannedPerKey(p *plan.Plan, limit *scenarios.Limit, perKey bool) map[string]int64 {
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

// Observe records o if pos is the next position of the stream.
func (c *Collector) Observe(pos int, o results.Observation) {
	if pos != c.Seen {
		return // another checker already forwarded this position
	}
	c.Seen++
	sent := o.Sent.UnixNano()
	if !c.pinned && (c.Seen == 1 || sent < c.First) {
		c.First = sent
	}
	c.keep(o, int32(o.Status))
}

// Context is the status of a record kept for context only (see
// ObserveContext): an answer never judged, as a transport failure's, that
// may have been charged.
const Context int32 = -1

// PinFirst makes first the origin of the records' times (First), whatever
// the observations fed: a stretch of a long run (see conformance's
// stretches) counts its times from the run's first request.
func (c *Collector) PinFirst(first int64) {
	c.First, c.pinned = first, true
}

// ObserveContext keeps o as context: a request sent just before or after
// the observations this collector judges (the stretches beside its own),
// whose decision the limiter's state carries into theirs, or which may have
// reached the server before the last of them. It is kept as an unknown
// answer (status Context): never judged, and charged or not as the models
// find likelier to explain the decisions around it. It takes no position of
// the stream.
func (c *Collector) ObserveContext(o results.Observation) {
	c.Contexts++
	c.keep(o, Context)
}

// keep records o with status if the tested limit counts it.
func (c *Collector) keep(o results.Observation, status int32) {
	if c.Limit == nil || !c.Limit.Counts(o.Endpoint) {
		return
	}
	if c.leaveOut != nil && c.leaveOut(o) {
		c.byQuota++
		return
	}
	if status == 0 {
		c.Failed++
	}
	if status == 429 {
		c.Limits429 = true
	}
	if c.N == 0 {
		c.Seq0 = o.Seq
	}
	k := c.keyOf(CountedAs(c.Limit, o))
	r := Record{
		Sent:    o.Sent.UnixNano(),
		Latency: LatencyMicros(int64(o.Latency)),
		Seq:     int32(o.Seq - c.Seq0),
		Phase:   int32(o.Phase),
		Status:  status,
	}
	c.Quiet.Add(k, &r)
	c.N++
	c.perKeyN[k]++
	if c.Spilled != nil {
		c.Spilled.write(k, &r)
		return
	}
	c.ByKey[k] = append(c.ByKey[k], r)
	if c.N > SpillAfter && !c.NoSpill && c.NewSpill != nil {
		c.toDisk()
	}
}

// toDisk moves the records to a new spill. Where none can be made they stay
// in memory.
func (c *Collector) toDisk() {
	to, err := c.NewSpill()
	if err != nil {
		c.NoSpill = true
		return
	}
	sp := &spill{SpillFile: SpillFile{To: to}}
	for k, recs := range c.ByKey {
		for x := range recs {
			sp.write(int32(k), &recs[x])
		}
		c.ByKey[k] = nil
	}
	c.Spilled = sp
}

// Load brings spilled records back into byKey for judging.
func (c *Collector) Load() error {
	if c.Spilled == nil {
		return nil
	}
	sp := c.Spilled
	c.Spilled = nil
	for k := range c.ByKey {
		c.ByKey[k] = make([]Record, 0, c.perKeyN[k])
	}
	return sp.readInto(c.ByKey)
}

// SeqOf is r's Seq.
func (c *Collector) SeqOf(r *Record) uint64 { return c.Seq0 + uint64(int64(r.Seq)) }

func (c *Collector) keyOf(id string) int32 {
	if k, ok := c.keyIndex[id]; ok {
		return k
	}
	k := int32(len(c.Keys))
	c.Keys = append(c.Keys, id)
	c.keyIndex[id] = k
	var recs []Record
	if c.Spilled == nil {
		recs = make([]Record, 0, min(c.reserve[id], int64(SpillAfter)+1))
	}
	c.ByKey = append(c.ByKey, recs)
	c.perKeyN = append(c.perKeyN, 0)
	return k
}

// Judged reports whether a request's answer is a rate-limit decision: transport
// failures say nothing, 401, 403 and 404 are never limiting, and a redirect
// (3xx; ratecheck follows none to another host) says the request did not reach
// the API as the scenario addresses it (a wrong scheme, host or path), as the
// verdict's conclusion reads it too.
func Judged(status int32) bool {
	switch {
	case status <= 0, status == 401, status == 403, status == 404: // Context is < 0
		return false
	case 300 <= status && status < 400:
		return false
	}
	return true
}

// Admitted reports whether the server let the request through (2xx or 3xx),
// as results.Observation.Admitted does.
func Admitted(status int32) bool { return status >= 200 && status < 400 }
