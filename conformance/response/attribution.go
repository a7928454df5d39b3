package response

import (
	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// QuotaAttribution tells the 429s a quota caused from the tested limit's,
// when several windows count the same requests. The headers may describe a
// quota rather than the tested limit (Coperniq's X-RateLimit-* state its
// 5,000 a day while its 100 a second rejects): a 429 whose Remaining for
// that quota reads 0 says the quota ran out, which the tested limit's model
// cannot explain and must not be blamed for. The model checks leave such a
// 429 out, as a request the tested limit does not count; the quota check
// reports them. An approximate Remaining (cached for a while) reads 0 only
// once the quota ran out, and a quota stays out until its window ends.
type QuotaAttribution struct {
	pr Promise
	on bool // the headers describe a quota other than the tested limit
}

// NewQuotaAttribution returns the attribution of the 429s of runs of p when
// the tested limit is tested.
func NewQuotaAttribution(p *plan.Plan, tested *scenarios.Limit) QuotaAttribution {
	a := QuotaAttribution{pr: NewPromise(p)}
	d := a.pr.Described
	a.on = d != nil && d != tested && d.IsQuota() && a.pr.Remaining != "" &&
		(tested == nil || !sameLimit(d, tested))
	return a
}

// sameLimit reports whether a and b are one limit of the scenario.
func sameLimit(a, b *scenarios.Limit) bool { return a.Name == b.Name }

// Spent reports whether o is a 429 the described quota caused: its
// Remaining for the quota reads 0.
func (a *QuotaAttribution) Spent(o results.Observation) bool {
	if !a.on || !o.Limited() || !a.pr.counted(o) {
		return false
	}
	cl, _ := headers.Read(o.Headers, a.pr.Spec, o.Received())
	return cl.HasRemaining && cl.Remaining == 0
}
