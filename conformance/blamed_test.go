package conformance

import (
	"reflect"
	"testing"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
)

// A stretch that is folded keeps what its blames say of each check
// (run.blameSummary), found without listing the blamed requests: it is
// what listing them says (check.Blames.Summary), for the simulated
// limiters of every family with each fault, loud random runs of every
// algorithm and the stored replays (the far ones leave checks undecided).
func TestBlameSummaryAsListed(t *testing.T) {
	defer func() { quietJudging = true }()
	quietJudging = false
	undecided := 0
	agree := func(name string, p *plan.Plan, obs []results.Observation) {
		t.Helper()
		j := New(p, Options{})
		for _, o := range obs {
			j.Observe(o)
		}
		j.Verdict() // the checks' results first, as a stretch folded has them
		r := j.cur.run
		r.analysis().blames = nil
		got := r.blameSummary()
		if want := r.blamed().Summary(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: blameSummary %+v; listing the blames gives %+v", name, got, want)
		}
		if r.blamed().Undecided(check.LimitNoEarlyReject) || r.blamed().Undecided(check.LimitEnforced) {
			undecided++
		}
	}
	comparisonRuns(t, 19, agree)
	if undecided == 0 {
		t.Errorf("no run left a model check undecided; want the far replays to")
	}
}
