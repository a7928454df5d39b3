package conformance

import (
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
type budgetAttribution struct {
	limits []*budget
}

// budget is one longer limit, the families its algorithm allows, and what
// each client has spent of it.
type budget struct {
	l     *scenarios.Limit
	fams  []model.Family
	spent map[string]*spending
}

// spending is one client's admissions counted by a budget's limit: from the
// first one's send time, whether the limit admitted past its budget, and
// when the latest admissions were answered (a ring of the last
// recentAdmissions), to count those decided before a 429 was sent.
type spending struct {
	from     time.Time
	admitted int64
	reopened bool
	answered [recentAdmissions]time.Time
}

// recentAdmissions bounds the admissions whose answer times are kept: more
// than a run has in flight at once (run.connections).
const recentAdmissions = 256

// before counts the admissions seen that were answered by t: all of them
// but the latest answered after t, or -1 when more than the ring holds were.
func (sp *spending) before(t time.Time) int64 {
	var after int64
	for k := int64(0); k < min(sp.admitted, recentAdmissions); k++ {
		if sp.answered[(sp.admitted-1-k)%recentAdmissions].After(t) {
			after++
		}
	}
	if after == recentAdmissions {
		return -1
	}
	return sp.admitted - after
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
		out.limits = append(out.limits, &budget{l: l, fams: fams, spent: map[string]*spending{}})
	}
	if len(out.limits) == 0 {
		return nil
	}
	return &out
}

// spent observes o, in the order of the run, and reports whether it is a
// 429 a longer limit explains. A 429 is attributed only once the admissions
// answered before it was sent (so surely decided before it) reach the
// budget.
func (b *budgetAttribution) spent(o results.Observation) bool {
	if b == nil {
		return false
	}
	explained := false
	for _, bg := range b.limits {
		if bg.observe(o) {
			explained = true
		}
	}
	return explained
}

// observe counts o against the budget and reports whether o is a 429 the
// budget explains.
func (bg *budget) observe(o results.Observation) bool {
	if !bg.l.Counts(o.Endpoint) || !o.Admitted() && !o.Limited() {
		return false
	}
	client := records.CountedAs(bg.l, o)
	sp := bg.spent[client]
	if sp == nil {
		if !o.Admitted() {
			return false
		}
		sp = &spending{from: o.Sent}
		bg.spent[client] = sp
	}
	within := o.Sent.Sub(sp.from) < bg.l.Window
	allowed := bg.allowance(o.Received().Sub(sp.from))
	if o.Admitted() {
		if within && sp.before(o.Sent) >= allowed {
			sp.reopened = true // admitted past the budget: it reset, or counts otherwise
		}
		sp.answered[sp.admitted%recentAdmissions] = o.Received()
		sp.admitted++
		return false
	}
	return within && !sp.reopened && sp.before(o.Sent) >= allowed
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
