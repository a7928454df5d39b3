package conformance

import "github.com/ratecheck/ratecheck/scenarios"

// Quiet runs: the collector counts the requests of each stretch of send time
// (records.NewQuietness); when the run stayed quiet, the verdict is
// read off those counts, without loading the records back.

// quietFamily is the family the models judge limit against first, and
// whether a quiet run can be judged with it: windows and sliding logs can, a
// token bucket (whose burst may be smaller than the limit) cannot.
func quietFamily(limit *scenarios.Limit) (family, bool) {
	if limit == nil {
		return nil, false
	}
	fams, err := familiesFor(limit.Algorithm)
	if err != nil {
		return nil, false
	}
	return fams[0], fams[0].quiet()
}

// quietEvaluation is the evaluation the models reach for a quiet run: the
// first family of the algorithm, explaining every decision.
func (a *rules) quietEvaluation() *evaluation {
	f := a.families[0]
	ev := &evaluation{family: f}
	ev.desc = f.describe(a.p, ev)
	a.describeBest(ev)
	return ev
}
