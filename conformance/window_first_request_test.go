package conformance

import (
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// Runs of the reference target's first-request-aligned window recorded by the
// matrix, each of which the chain search once got wrong. Each verdict must
// name the fault, and only it.
//
//   - fra-burst-expiry: the off-by-one fault, sent with every request delayed
//     up to 30 ms at the target (a loaded server). A burst straddled an
//     expiry: four of its requests arrived before it and were rejected, and
//     the one admitted arrived after and opened the next window. The chain
//     once opened it with a rejected request (its arrival interval was the
//     narrowest), which found the window empty and was blamed as a late
//     recovery.
//   - fra-penalty-box: the slow-recovery fault's 2 s penalty box. While the
//     box held, no request was admitted, so no window opened; the first
//     admission after it opened one, and the 21st request of that window was
//     rightly rejected. The chain once opened windows with the boxed
//     rejections instead, one of which was still open when the box ended, so
//     the window that really followed seemed to start with the 20th
//     admission and its 21st request was blamed as an early rejection.
//   - fra-late-lift-shift: the same penalty box, where the first request
//     after the promised recovery was rejected (it opened no window in the
//     server): the server's window opened at the first admission after the
//     box, half a second after the model's, and its 21st request was rightly
//     rejected where the model saw a fresh window. That streak, after a late
//     lift and a whole window's admissions, is the late recovery's, not an
//     early rejection.
//   - fra-off-by-one-ambiguous: off-by-one, where X-RateLimit-Remaining said
//     0 and the next request was admitted: an over-admission the model
//     leaves ambiguous near a window boundary; limit.enforced fails the
//     defect on other windows, so headers.remaining points there.
func TestFirstRequestChainReplays(t *testing.T) {
	tests := []struct {
		dir  string
		what string
		want map[check.ID]check.Status
	}{
		{"testdata/fra-burst-expiry", "off-by-one, burst straddling an expiry", map[check.ID]check.Status{
			check.LimitEnforced:       check.Fail,
			check.LimitNoEarlyReject:  check.Pass,
			check.LimitStatus:         check.Pass,
			check.RecoveryAfterWindow: check.Pass,
		}},
		{"testdata/fra-penalty-box", "penalty box", map[check.ID]check.Status{
			check.LimitEnforced:       check.Pass,
			check.LimitNoEarlyReject:  check.Pass,
			check.LimitStatus:         check.Pass,
			check.TimingOnset:         check.Pass,
			check.RecoveryAfterWindow: check.Fail,
		}},
		{"testdata/fra-late-lift-shift", "penalty box, window shifted by the late lift", map[check.ID]check.Status{
			check.LimitEnforced:       check.Pass,
			check.LimitNoEarlyReject:  check.Pass,
			check.LimitStatus:         check.Pass,
			check.TimingOnset:         check.Pass,
			check.RecoveryAfterWindow: check.Fail,
			check.HeadersRemaining:    check.Pass,
		}},
		{"testdata/fra-off-by-one-ambiguous", "off-by-one, Remaining 0 then an admission near a boundary", map[check.ID]check.Status{
			check.LimitEnforced:       check.Fail,
			check.LimitNoEarlyReject:  check.Pass,
			check.RecoveryAfterWindow: check.Pass,
			check.HeadersRemaining:    check.Skip,
		}},
	}
	for _, tt := range tests {
		v := replay(t, tt.dir)
		for id, status := range tt.want {
			if c := resultOf(t, v, id); c.Status != status {
				t.Errorf("Check(%s) %s = %s (%s); want %s", tt.what, id, c.Status, c.Message, status)
			}
		}
	}
}

// TestEarlyRejectingChainIsNotOverAdmitting judges a first-request-aligned
// window that rejects at 18 of 20, over a minute of rejections after ten
// seconds under the limit (finding F14, fixed). The under phase never shows
// where its windows began, and the chain that blames the fewest decisions
// opened the over phase's first window 0.3 s early: 4 of its admissions
// before a rejection streak, 18 more surely after it, so it blamed 2
// over-admissions instead of the streak's early rejections, and
// limit.enforced failed beside limit.no-early-reject. A window fills and
// stays full: admissions surely after a rejection of the same window now
// count against a chain, and only the defect's own check fails.
func TestEarlyRejectingChainIsNotOverAdmitting(t *testing.T) {
	for _, fam := range simFamilies {
		if fam.name != "first-request-window" && fam.name != "first-admission-window" {
			continue
		}
		for seed := uint64(1); seed <= 3; seed++ {
			p := planOf(limitOf(20, time.Second, fam.algo), soakPhases)
			obs := serve(client(p, []string{"k1"}, jitteredLatency(5*time.Millisecond), seed), fam.server(20, time.Second, faultEarly))
			v := Check(p, seqOf(obs))
			if r := rightness(v, faultEarly); r != "right" {
				t.Errorf("%s, early-reject, seed %d: %s\n%s", fam.name, seed, r, failingChecks(v))
			}
		}
	}
}

// replay judges a run directory stored under testdata with its own scenario.
func replay(t *testing.T, dir string) Verdict {
	t.Helper()
	p, obs := stored(t, dir)
	return Check(p, seqOf(obs))
}

// replayConcluded judges a run directory stored under testdata as replay
// does, and returns its verdict and the overall one Conclude gives it from
// the statuses the run received.
func replayConcluded(t *testing.T, dir string) (v, concluded Verdict) {
	t.Helper()
	p, obs := stored(t, dir)
	v = Check(p, seqOf(obs))
	facts := RunFacts{Requests: int64(len(obs)), Statuses: map[int]int64{}}
	for _, o := range obs {
		facts.Statuses[o.Status]++
	}
	return v, v.Conclude(p.Scenario, facts)
}

// stored reads a run directory stored under testdata: the plan of its own
// scenario and its observations.
func stored(t *testing.T, dir string) (*plan.Plan, []results.Observation) {
	t.Helper()
	run, err := results.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenarios.Parse("scenario.yaml", run.Scenario)
	if err != nil {
		t.Fatal(err)
	}
	var obs []results.Observation
	for o, err := range run.Observations() {
		if err != nil {
			t.Fatal(err)
		}
		obs = append(obs, o)
	}
	return plan.New(sc), obs
}
