package matrix

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/attack"
	"github.com/ratecheck/ratecheck/conformance"
	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/internal/longtest"
	"github.com/ratecheck/ratecheck/internal/reftarget"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/scenarios"
)

// quotaScenarios are shipped scenarios with a quota of each length: a
// month (copilot, global), a day beside 100/s (coperniq, per key, with
// approximate headers describing it), an hour that is also the rate tested
// (bot-platform).
var quotaScenarios = []string{"copilot.yaml", "coperniq.yaml", "bot-platform.yaml"}

// quotaFaults are the faults of the quota test, each with the one check it
// must fail: the quota's own fault, and a rate fault the quota test must
// not see.
var quotaFaults = []struct {
	fault string
	fails check.ID
}{
	{"none", ""},
	{"quota-off-by-one", check.QuotaEnforced},
	{"off-by-one", check.LimitEnforced},
}

// TestQuotaFaults runs each shipped scenario with a quota against the
// reference target as `ratecheck run --target builtin` does (a spare key,
// the quota tests of plan.ExhaustQuotas), RATECHECK_MATRIX_RUNS times:
// a fault must fail its own check and no other, and a correct target must
// pass with quota.enforced judged. A long test (13 to 31 s a run, two at
// once: at four on two busy cores, loopback answers took up to 3 s and one
// run in 90 failed limit.no-early-reject).
func TestQuotaFaults(t *testing.T) {
	longtest.Skip(t, "runs the shipped quota scenarios against the reference target, 13 to 31 s a run")
	// Not parallel: the matrix, contract and quota runs time 429s to
	// milliseconds, and each of them already sends several runs at once; run
	// beside each other on two cores their latencies reached seconds.
	type job struct {
		file, fault string
		fails       check.ID
		run         int
	}
	var jobs []job
	for r := range matrixRuns(t) {
		for _, f := range quotaScenarios {
			for _, q := range quotaFaults {
				jobs = append(jobs, job{f, q.fault, q.fails, r})
			}
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Minute)
	defer cancel()
	verdicts, errs := runJobs(ctx, len(jobs), 2, func(ctx context.Context, i int) (conformance.Verdict, error) {
		return runQuota(ctx, jobs[i].file, jobs[i].fault) // at most about 31 s
	})
	tally := rightTally{}
	for i, j := range jobs {
		name := strings.TrimSuffix(j.file, ".yaml") + "/" + j.fault
		ok := t.Run(fmt.Sprintf("%s/run%d", name, j.run), func(t *testing.T) {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			v := verdicts[i]
			w := want{}
			switch {
			case j.file == "bot-platform.yaml" && j.fault == "off-by-one":
				// limit.enforced may leave the extra admission of a 1000/h
				// over phase sent in bursts within the timing tolerance
				// (undecided); the quota test must not fail either way.
				w.mayFail = ids(j.fails)
			case j.fails != "":
				w.fail = ids(j.fails)
			}
			var mustPass []check.ID
			if j.fault == "none" {
				mustPass = ids(check.QuotaEnforced)
			}
			checkVerdict(t, v, w, mustPass)
		})
		tally.add(name, ok)
	}
	tally.log(t, "quota faults", 32)
}

// runQuota serves the shipped scenario file with the fault and runs the plan
// a built-in run makes of it.
func runQuota(ctx context.Context, file, fault string) (conformance.Verdict, error) {
	sc, err := scenarios.Load(filepath.Join("..", "..", "scenarios", file))
	if err != nil {
		return conformance.Verdict{}, err
	}
	p := plan.New(sc.WithSpareKey(), plan.ExhaustQuotas())
	if len(p.Quotas) == 0 {
		return conformance.Verdict{}, fmt.Errorf("%s: the plan has no quota test (warnings: %v)", file, p.Warnings)
	}
	sc = p.Scenario
	keys, byValue := map[string]string{}, map[string]string{}
	for _, k := range sc.Auth.Keys {
		keys[k.ID], byValue["k-"+k.ID] = "k-"+k.ID, k.ID
	}
	opts := []reftarget.Option{reftarget.Keys(byValue)}
	for _, q := range p.Quotas {
		opts = append(opts, reftarget.QuotaStart(q.Key, map[string]int64{q.Limit: q.Left}))
	}
	if fault != "none" {
		opts = append(opts, reftarget.Fault(fault))
	}
	return runOnTarget(ctx, sc, p, attack.Options{Keys: keys, Connections: sc.Run.Connections, Timeout: sc.Run.Timeout}, opts...)
}
