package response

import (
	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// ClaimStore lets a header check that judges what 429s claim (a reset, a
// Retry-After) keep only those 429s. The requests around them, which the
// comparison with the real recovery reads, come from a collector: the one the
// model checks share when it counts the same requests, else the check's own. A run without a 429 costs the check nothing per response.
type ClaimStore struct {
	Col    *records.Collector // nil when the check has nothing to judge
	group  *scenarios.Limit   // the limit col must count; nil: every endpoint, per key
	fed    int                // observations forwarded to col
	Claims []claimed
	texts  texts // the raw values the claims quote
	// lag is how long after the time a 429 claims (a reset, a wait) the
	// limit may still refuse: 0 for a family that frees its whole quota at
	// once (a fixed window); one request's interval at the limit's rate for
	// one that frees it gradually, or an open algorithm: a sliding-window
	// counter names the end of its current window, and its estimate, full
	// of the window before, falls under the limit one interval later.
	lag int64
}

// claimed is one 429 a check keeps, with what it claims.
type claimed struct {
	key string  // the series it belongs to
	r   respRec // identified by r.sent and r.seq
}

// newClaimStore returns a store of the requests group counts. It reads
// shared, the collector of the model checks, when that keeps the requests
// group counts; otherwise it keeps its own, spilling where shared does (shared
// may be nil: then it keeps its own in memory). model is group's family (nil
// when open), for the lag of the claims.
func newClaimStore(p *plan.Plan, group *scenarios.Limit, shared *records.Collector, model Model) ClaimStore {
	cs := ClaimStore{group: group}
	if group != nil && group.Requests > 0 && (model == nil || !model.ResetsWhole()) {
		cs.lag = int64(group.Window) / group.Requests
	}
	if shared != nil && group != nil && shared.Limit == group {
		cs.Col = shared
		return cs
	}
	if group == nil {
		group = &scenarios.Limit{} // counts every endpoint, per key
	}
	qa := NewQuotaAttribution(p, group)
	cs.Col = records.NewCollector(p, group, false, qa.Spent) // only the model checks judge quiet runs from counts
	if shared != nil {
		cs.Col.NewSpill = shared.NewSpill
	}
	return cs
}

// observe forwards o to the collector.
func (cs *ClaimStore) observe(o results.Observation) {
	if cs.Col == nil {
		return
	}
	cs.Col.Observe(cs.fed, o)
	cs.fed++
}

// rec is o as a record: as newRec, with the latency as the collector keeps it,
// so that a claimed 429 and the requests around it agree to the nanosecond.
func (cs *ClaimStore) rec(o results.Observation) respRec {
	r := newRec(o)
	r.recv = r.sent + int64(records.LatencyMicros(int64(o.Latency)))*1000
	return r
}

// counts reports whether o is one of the requests the store groups.
func (cs *ClaimStore) counts(o results.Observation) bool { return cs.Col.Limit.Counts(o.Endpoint) }

// add keeps r, a 429 of o, with its claim.
func (cs *ClaimStore) add(o results.Observation, r respRec) {
	r.claimed = true
	cs.Claims = append(cs.Claims, claimed{key: records.CountedAs(cs.Col.Limit, o), r: r})
}

// window is the grouping limit's window (records.AnswerReader).
func (cs *ClaimStore) window() int64 {
	if cs.Col.Limit == nil {
		return 0
	}
	return int64(cs.Col.Limit.Window)
}

// series rebuilds, per key in key order, the records the recovery comparison
// reads: the grouped requests that may use quota and the 429s, each claim on
// its 429.
func (cs *ClaimStore) series() []*respSeries {
	if len(cs.Claims) == 0 {
		return nil // nothing to compare
	}
	if cs.Col.Load() != nil {
		return nil // the model checks say why (the collector is theirs), or nothing can be compared
	}
	var ss respSet
	for k, recs := range cs.Col.ByKey {
		key := cs.Col.Keys[k]
		for x := range recs {
			r := &recs[x]
			if !keptStatus(r.Status) {
				continue
			}
			ss.add(key, respRec{seq: cs.Col.SeqOf(r), sent: r.Sent, recv: r.Sent + r.Lat(), phase: r.Phase,
				status: int16(min(max(r.Status, 0), 999))})
		}
	}
	out, _, _ := ss.each(cs.window()) // kept in memory (no newSpill): nothing to read back
	byKey := make(map[string]*respSeries, len(out))
	for _, s := range out {
		byKey[s.key] = s
	}
	for _, cl := range cs.Claims {
		if s := byKey[cl.key]; s != nil {
			s.claim(cl.r)
		}
	}
	return out
}

// claim puts c on its 429: the first record sent at c.sent with c.seq that is
// a 429 without a claim yet.
func (s *respSeries) claim(c respRec) {
	for k := s.firstFrom(0, c.sent); k < len(s.Recs) && s.Recs[k].sent == c.sent; k++ {
		if r := &s.Recs[k]; r.seq == c.seq && r.limited() && !r.claimed {
			*r = c
			return
		}
	}
}
