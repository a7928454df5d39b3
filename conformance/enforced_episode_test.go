package conformance

import (
	"slices"
	"testing"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// A lean run of coperniq.yaml (100 per 1s) on the built-in target. Its first
// over phase straddled a window boundary, 36 requests before it and 92 after,
// and was never limited; the clock alignment fitted from the run's one reset,
// which fell in a pause and so is known only to half a second, put the
// boundary 23 ms early, where the point model counts 104 admissions in the
// window after it: three ambiguous admissions. The second over phase, 1.25 s
// later on a limit that had forgotten them, drove its own window past the
// limit: 100 admitted, then rejections. Ambiguous admissions of another
// window cannot hide an extra admission in that one, so limit.enforced
// passes on it (it skipped as undecided, and the run was INCONCLUSIVE, in
// about 1 lean coperniq run of 4); and it still fails the same run with one
// more request admitted in that window.
func TestEnforcedEpisodeStartsWhereTheLimitForgot(t *testing.T) {
	p, obs := storedRun(t, "testdata/lean-straddle")
	v := Check(p, seqOf(obs))
	if c := resultOf(t, v, check.LimitEnforced); c.Status != check.Pass {
		t.Errorf("%s = %s (%s); want pass", check.LimitEnforced, c.Status, c.Message)
	}
	if got := concluded(v, obs); got.Status != check.Pass {
		t.Errorf("run concluded %s (%s); want pass", got.Status, got.Reason)
	}

	extra := slices.Clone(obs)
	for i, o := range extra {
		if o.Limited() && p.Phases[o.Phase].Kind == scenarios.PhaseOver {
			extra[i].Status = 200 // the first rejection of the window driven past
			break
		}
	}
	if c := resultOf(t, Check(p, seqOf(extra)), check.LimitEnforced); c.Status != check.Fail {
		t.Errorf("with request 101 of the window admitted: %s = %s (%s); want fail", check.LimitEnforced, c.Status, c.Message)
	}
}

// storedRun reads a run directory stored under testdata with the plan its
// run sent, as `ratecheck report` re-plans it: lean or full, and on the
// built-in target with the spare key and the quota tests.
func storedRun(t *testing.T, dir string) (*plan.Plan, []results.Observation) {
	t.Helper()
	run, err := results.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenarios.Parse("scenario.yaml", run.Scenario)
	if err != nil {
		t.Fatal(err)
	}
	var opts []plan.Option
	if run.Meta.BuiltinTarget {
		sc = sc.WithSpareKey()
		opts = append(opts, plan.ExhaustQuotas())
	}
	if run.Meta.Lean {
		opts = append(opts, plan.Lean())
	}
	var obs []results.Observation
	for o, err := range run.Observations() {
		if err != nil {
			t.Fatal(err)
		}
		obs = append(obs, o)
	}
	return plan.New(sc, opts...), obs
}
