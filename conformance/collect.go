package conformance

import (
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// record is the compact part of an Observation the checks need: no headers,
// no body, no key value. About 40 bytes a request.
type record struct {
	seq     uint64
	sent    int64 // Unix nanoseconds
	latency int64 // nanoseconds
	status  int32
	phase   int32
	key     int32 // index into collector.keys; 0 when the limit is not per key
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

	seen     int   // observations fed, of every endpoint
	first    int64 // earliest Sent of any observation, Unix nanoseconds
	recs     []record
	keys     []string
	keyIndex map[string]int32
	failed   int // counted observations that failed in transport
}

func newCollector(limit *scenarios.Limit) *collector {
	c := &collector{limit: limit, keyIndex: map[string]int32{}}
	if limit != nil {
		c.perKey = limit.Scope == scenarios.ScopeKey || limit.Scope == ""
	}
	return c
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
	if o.Status == 0 {
		c.failed++
	}
	c.recs = append(c.recs, record{
		seq:     o.Seq,
		sent:    sent,
		latency: max(int64(o.Latency), 0),
		status:  int32(o.Status),
		phase:   int32(o.Phase),
		key:     c.keyOf(o.KeyID),
	})
}

func (c *collector) keyOf(id string) int32 {
	if !c.perKey {
		id = ""
	}
	if k, ok := c.keyIndex[id]; ok {
		return k
	}
	k := int32(len(c.keys))
	c.keys = append(c.keys, id)
	c.keyIndex[id] = k
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
