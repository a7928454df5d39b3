package conformance

import (
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// Evaluations run side by side give the verdict of the same evaluations run
// one after the other: the same results, messages, fingerprint and
// recovery, for loud random runs of every algorithm and the stored replays.
func TestParallelJudgingAgrees(t *testing.T) {
	defer func(n int) { parallelFrom, quietJudging = n, true }(parallelFrom)
	quietJudging = false
	judge := func(p *plan.Plan, obs []results.Observation, from int) Verdict {
		parallelFrom = from
		return Check(p, seqOf(obs))
	}
	algos := []scenarios.Algorithm{scenarios.AlgoAny, scenarios.AlgoFixedWindow, scenarios.AlgoSlidingWindow, scenarios.AlgoTokenBucket}
	for seed := range uint64(60) {
		algo := algos[seed%uint64(len(algos))]
		p, obs := randomRun(rand.New(rand.NewPCG(seed, 17)), algo)
		for k := range obs { // loud: some rejected, some in a burst
			switch {
			case k%7 == 3:
				obs[k].Status = 429
			case k%11 == 5 && k > 0:
				obs[k].Sent = obs[k-1].Sent
			}
		}
		if one, side := judge(p, obs, 1<<30), judge(p, obs, 0); !reflect.DeepEqual(one, side) {
			t.Errorf("seed %d (%s, %d requests): judged side by side, the verdict differs\none by one:   %+v\nside by side: %+v", seed, algo, len(obs), one, side)
		}
	}
	dirs, _ := filepath.Glob("testdata/[fl]*-*")
	for _, dir := range dirs {
		p, obs := stored(t, dir)
		if one, side := judge(p, obs, 1<<30), judge(p, obs, 0); !reflect.DeepEqual(one, side) {
			t.Errorf("%s: judged side by side, the verdict differs\none by one:   %+v\nside by side: %+v", dir, one, side)
		}
	}
}
