package conformance

import (
	"github.com/ratecheck/ratecheck/scenarios"

	"github.com/ratecheck/ratecheck/conformance/model"
)

// Quiet runs: the collector counts the requests of each stretch of send time
// (records.NewQuietness); when the run stayed quiet, the verdict is
// read off those counts, without loading the records back.

// quietFamily is the family the models judge limit against first, and
// whether a quiet run can be judged with it: windows and sliding logs can, a
// token bucket (whose burst may be smaller than the limit) cannot.
func quietFamily(limit *scenarios.Limit) (model.Family, bool) {
	if limit == nil {
		return nil, false
	}
	fams, err := model.FamiliesFor(limit)
	if err != nil {
		return nil, false
	}
	return fams[0], fams[0].Quiet()
}
