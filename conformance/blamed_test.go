package conformance

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
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
	simRuns(agree)
	algos := []scenarios.Algorithm{scenarios.AlgoAny, scenarios.AlgoFixedWindow, scenarios.AlgoSlidingWindow, scenarios.AlgoTokenBucket}
	for seed := range uint64(40) {
		algo := algos[seed%uint64(len(algos))]
		p, obs := randomRun(rand.New(rand.NewPCG(seed, 19)), algo)
		for k := range obs { // loud: some rejected
			if k%5 == 2 {
				obs[k].Status = 429
			}
		}
		agree(fmt.Sprintf("seed %d (%s)", seed, algo), p, obs)
	}
	dirs, _ := filepath.Glob("testdata/[fl]*-*")
	for _, dir := range dirs {
		p, obs := stored(t, dir)
		agree(dir, p, obs)
	}
	if undecided == 0 {
		t.Errorf("no run left a model check undecided; want the far replays to")
	}
}
