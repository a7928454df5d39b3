package conformance

import (
	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// quotaAttribution tells the 429s a quota caused from the tested limit's,
// when several windows count the same requests. The headers may describe a
// quota rather than the tested limit (Coperniq's X-RateLimit-* state its
// 5,000 a day while its 100 a second rejects): a 429 whose Remaining for
// that quota reads 0 says the quota ran out, which the tested limit's model
// cannot explain and must not be blamed for. The model checks leave such a
// 429 out, as a request the tested limit does not count; the quota check
// reports them. An approximate Remaining (cached for a while) reads 0 only
// once the quota ran out, and a quota stays out until its window ends.
type quotaAttribution struct {
	pr promise
	on bool // the headers describe a quota other than the tested limit
}

func newQuotaAttribution(p *scenarios.Plan, tested *scenarios.Limit) quotaAttribution {
	a := quotaAttribution{pr: newPromise(p)}
	d := a.pr.described
	a.on = d != nil && d != tested && d.IsQuota() && a.pr.remaining != "" &&
		(tested == nil || !sameLimit(d, tested))
	return a
}

// sameLimit reports whether a and b are one limit of the scenario.
func sameLimit(a, b *scenarios.Limit) bool { return a.Name == b.Name }

// spent reports whether o is a 429 the described quota caused: its
// Remaining for the quota reads 0.
func (a *quotaAttribution) spent(o results.Observation) bool {
	if !a.on || !o.Limited() || !a.pr.counted(o) {
		return false
	}
	cl, _ := headers.Read(o.Headers, a.pr.spec, o.Received())
	return cl.HasRemaining && cl.Remaining == 0
}
