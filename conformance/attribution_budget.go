package conformance

import (
	"maps"
	"slices"
	"time"

	"github.com/ratecheck/ratecheck/conformance/model"
	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// budgetAttribution tells the 429s that a longer limit of the scenario
// explains by the run's own count, without headers: once the requests a
// client had admitted, counted by that limit, reach its budget within one of
// its windows from the first of them, a 429 is what that limit promises (a
// per-hour 50,000 spent at 500 a second while a per-minute 20,000 is
// tested), and the tested limit's model must not call it early. Such a 429
// is left out of the model checks like one a quota's headers claim. It
// stops for a client as soon as the longer limit admits one of its
// requests past its budget (it reset, or counts otherwise than declared):
// from then on its 429s are the tested limit's to explain again.
//
// A longer limit may count every request that reaches it, those refused
// included: a middleware stacked outside the tested limit's (ulule/limiter
// or express-rate-limit, one per window) counts the requests the inner one
// refuses, and runs out after that many requests, not admissions. Each
// budget is therefore spent two ways, by admissions and by every answer
// (admitted or limited), each stopping on its own once the limit admits
// past it; a 429 either explains is the longer limit's.
type budgetAttribution struct {
	limits  []*budget
	flights inFlight
}

// inFlight follows which requests of the run were observed, by seq: the
// observations come as their answers do, so a request sent before a 429 may
// come after it, though the server decided it first (an answer held back,
// by Nagle's algorithm and a delayed ACK, 40 ms behind a 429 sent after it).
type inFlight struct {
	low   uint64          // every seq below it was observed, or given up
	seen  map[uint64]bool // the seqs observed above low
	begun bool
}

// observe records seq as observed. A gap that stays open past
// recentAdmissions later observations (a seq never sent, or another shard's)
// is given up.
func (f *inFlight) observe(seq uint64) {
	if !f.begun {
		f.low, f.seen, f.begun = seq, map[uint64]bool{}, true
	}
	if seq < f.low {
		return
	}
	f.seen[seq] = true
	if len(f.seen) > recentAdmissions {
		f.low = slices.Min(slices.Collect(maps.Keys(f.seen)))
	}
	for f.seen[f.low] {
		delete(f.seen, f.low)
		f.low++
	}
}

// before counts the requests sent before seq not observed yet: in flight
// when it was sent, of any client, at most recentAdmissions.
func (f *inFlight) before(seq uint64) int64 {
	if !f.begun || seq <= f.low {
		return 0
	}
	n := int64(seq - f.low)
	for s := range f.seen {
		if s < seq {
			n--
		}
	}
	return min(n, recentAdmissions)
}

// budget is one longer limit, the families its algorithm allows, and what
// each client has spent of it: by admissions, and by every request answered
// admitted or limited (see budgetAttribution).
type budget struct {
	l        *scenarios.Limit
	fams     []model.Family
	admitted map[string]*spending
	answered map[string]*spending
}

// spending is one client's requests counted by a budget's limit (its
// admissions, or every answer): from the first admission's send time, how
// many, whether the limit admitted past its budget, and when the latest
// counted requests were answered (a ring of the last recentAdmissions), to
// count those decided before a 429 was sent.
type spending struct {
	from     time.Time
	counted  int64
	reopened bool
	answered [recentAdmissions]time.Time
}

// recentAdmissions bounds the admissions whose answer times are kept: more
// than a run has in flight at once (run.connections).
const recentAdmissions = 256

// before counts the requests counted that were answered by t: all of them
// but the latest answered after t, or -1 when more than the ring holds were.
func (sp *spending) before(t time.Time) int64 {
	var after int64
	for k := int64(0); k < min(sp.counted, recentAdmissions); k++ {
		if sp.answered[(sp.counted-1-k)%recentAdmissions].After(t) {
			after++
		}
	}
	if after == recentAdmissions {
		return -1
	}
	return sp.counted - after
}

// newBudgetAttribution returns the attribution for runs of p testing
// tested: every other limit with a longer window; nil when there is none.
func newBudgetAttribution(p *plan.Plan, tested *scenarios.Limit) *budgetAttribution {
	if p == nil || p.Scenario == nil || tested == nil {
		return nil
	}
	var out budgetAttribution
	for i := range p.Scenario.Limits {
		l := &p.Scenario.Limits[i]
		if l.Name == tested.Name || l.Unlimited || l.Requests <= 0 || l.Window <= tested.Window {
			continue
		}
		fams, err := model.FamiliesFor(l)
		if err != nil {
			continue // the limit cannot be judged: it explains nothing
		}
		out.limits = append(out.limits, &budget{l: l, fams: fams, admitted: map[string]*spending{}, answered: map[string]*spending{}})
	}
	if len(out.limits) == 0 {
		return nil
	}
	return &out
}

// spent observes o, in the order of the run, and reports whether it is a
// 429 a longer limit may explain: once the requests counted before it was
// sent (decided before it, or in flight and maybe decided first) reach the
// budget. The limit is taken to have reset, or to count otherwise, only
// once it admits past the requests surely decided before the admission.
func (b *budgetAttribution) spent(o results.Observation) bool {
	if b == nil {
		return false
	}
	explained := false
	flying := b.flights.before(o.Seq)
	for _, bg := range b.limits {
		if bg.observe(o, flying) {
			explained = true
		}
	}
	b.flights.observe(o.Seq)
	return explained
}

// observe counts o against the budget, both ways, and reports whether o is
// a 429 the budget explains; flying requests sent before o are not observed
// yet, and may have been counted first.
func (bg *budget) observe(o results.Observation, flying int64) bool {
	if !bg.l.Counts(o.Endpoint) || !o.Admitted() && !o.Limited() {
		return false
	}
	client := records.CountedAs(bg.l, o)
	byAdmissions := bg.spend(bg.admitted, client, o, o.Admitted(), flying)
	byAnswers := bg.spend(bg.answered, client, o, true, flying)
	return byAdmissions || byAnswers
}

// spend counts o, when counted, against client's spending in m (from its
// first admission), and reports whether o is a 429 that spending explains.
func (bg *budget) spend(m map[string]*spending, client string, o results.Observation, counted bool, flying int64) bool {
	sp := m[client]
	if sp == nil {
		if !o.Admitted() {
			return false
		}
		sp = &spending{from: o.Sent}
		m[client] = sp
	}
	within := o.Sent.Sub(sp.from) < bg.l.Window
	allowed := bg.allowance(o.Received().Sub(sp.from))
	explained := false
	if o.Admitted() {
		if within && sp.before(o.Sent) >= allowed {
			sp.reopened = true // admitted past the budget: it reset, or counts otherwise
		}
	} else {
		// The requests counted so far, and those sent before o and not
		// observed yet, may all have been decided first: once they reach
		// the budget, o may be the limit's refusal, and is not the tested
		// limit's to be blamed for.
		explained = within && !sp.reopened && sp.counted+flying >= allowed
	}
	if counted {
		sp.answered[sp.counted%recentAdmissions] = o.Received()
		sp.counted++
	}
	return explained
}

// allowance is what the limit admits in elapsed from its first admission
// before it must refuse, in the family its algorithm allows that refuses
// first: its budget, and for a bucket what it refilled meanwhile
// (Family.MostAdmitted). A 429 past it is one a correct limiter of that
// family gives.
func (bg *budget) allowance(elapsed time.Duration) int64 {
	n := int64(-1)
	for _, f := range bg.fams {
		if m := f.MostAdmitted(bg.l, elapsed); n < 0 || m < n {
			n = m
		}
	}
	return n
}
