package conformance

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/model"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

var modelChecks = []check.ID{check.LimitEnforced, check.LimitNoEarlyReject, check.LimitStatus, check.TimingOnset, check.RecoveryAfterWindow}

func TestCheckSkipReasons(t *testing.T) {
	std := func() *plan.Plan {
		return planOf(limitOf(20, time.Second, scenarios.AlgoFixedWindow), standardPhases)
	}
	some := []results.Observation{{Seq: 1, Endpoint: "list", KeyID: "k1", Sent: base, Status: 200}}
	tests := []struct {
		name string
		plan func() *plan.Plan
		obs  []results.Observation
		want string
	}{
		{"no plan", func() *plan.Plan { return nil }, some, "there is no plan to judge the run against"},
		{"no tested limit", func() *plan.Plan { p := std(); p.Tested = -1; return p }, some, "the plan tests no limit"},
		{"unlimited", func() *plan.Plan { p := std(); p.Scenario.Limits[0].Unlimited = true; return p }, some,
			`limit "per-second" is unlimited on this plan`},
		{"zero window", func() *plan.Plan { p := std(); p.Scenario.Limits[0].Window = 0; return p }, some,
			`limit "per-second" has no positive requests per window`},
		{"no observations", std, nil, "the run has no observations"},
		{"other endpoints only", func() *plan.Plan {
			p := std()
			p.Scenario.Limits[0].Endpoints = []string{"search"}
			return p
		}, some, `no request of the run was counted by limit "per-second"`},
		{"no decisions", std, []results.Observation{
			{Seq: 1, Endpoint: "list", Sent: base, Error: "connection refused"},
			{Seq: 2, Endpoint: "list", Sent: base, Status: 401},
			{Seq: 3, Endpoint: "list", Sent: base, Status: 404},
		}, `none of the 3 requests counted by limit "per-second" got a rate-limit decision (1 failed in transport; 401, 403 and 404 are not limiting)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Check(tt.plan(), seqOf(tt.obs))
			for _, id := range modelChecks {
				if c := resultOf(t, v, id); c.Status != check.Skip || c.Message != tt.want {
					t.Errorf("%s = %s %q; want skip %q", id, c.Status, c.Message, tt.want)
				}
			}
			if v.Status != check.Pass {
				t.Errorf("Verdict.Status = %s; want pass (nothing failed)", v.Status)
			}
		})
	}
}

func TestCheckNeverExceeded(t *testing.T) {
	p := planOf(limitOf(20, time.Second, scenarios.AlgoFixedWindow), standardPhases[:1])
	obs := serve(client(p, []string{"k1"}, fixedLatency(time.Millisecond), 1), newClockWindow(20, time.Second, base, faultNone))
	v := Check(p, seqOf(obs))
	want := map[check.ID]check.Result{
		check.LimitStatus:         {ID: check.LimitStatus, Limit: "per-second", Status: check.Skip, Message: "the run never exceeded the limit, so no request was limited"},
		check.RecoveryAfterWindow: {ID: check.RecoveryAfterWindow, Limit: "per-second", Status: check.Skip, Message: "the server never rejected a request, so recovery after the limit was not exercised"},
	}
	for id, w := range want {
		if diff := cmp.Diff(w, resultOf(t, v, id)); diff != "" {
			t.Errorf("%s mismatch (-want +got):\n%s", id, diff)
		}
	}
	// limit.enforced needs a window driven past the limit; the under phase
	// only shows that nothing was rejected under it.
	if c := resultOf(t, v, check.LimitEnforced); c.Status != check.Skip || !strings.Contains(c.Message, "enforcement was not exercised") {
		t.Errorf("%s = %s (%s); want skip: enforcement was not exercised", check.LimitEnforced, c.Status, c.Message)
	}
	if c := resultOf(t, v, check.LimitNoEarlyReject); c.Status != check.Pass {
		t.Errorf("%s = %s (%s); want pass", check.LimitNoEarlyReject, c.Status, c.Message)
	}
	// The plan stayed under the limit: enforcement does not apply, it is not
	// undecided, and the run passes on what it meant to test.
	if c := resultOf(t, v, check.LimitEnforced); c.Undecided {
		t.Errorf("%s undecided on a plan that never meant to exceed the limit (%s)", check.LimitEnforced, c.Message)
	}
	if got := concluded(v, obs); got.Status != check.Pass {
		t.Errorf("run concluded %s (%s); want pass", got.Status, got.Reason)
	}
}

// A run whose plan meant to drive the limit past its limit but that never got
// there (the rate was not reached: here the over phases sent nothing) could
// not decide limit.enforced: the run is inconclusive, naming the check.
func TestRateNotReachedIsUndecided(t *testing.T) {
	p := planOf(limitOf(20, time.Second, scenarios.AlgoFixedWindow), standardPhases)
	var under []results.Observation
	for _, o := range serve(client(p, []string{"k1"}, fixedLatency(time.Millisecond), 1), newClockWindow(20, time.Second, base, faultNone)) {
		if p.Phases[o.Phase].Kind == scenarios.PhaseUnder {
			under = append(under, o)
		}
	}
	v := Check(p, seqOf(under))
	if c := resultOf(t, v, check.LimitEnforced); c.Status != check.Skip || !c.Undecided {
		t.Errorf("%s = %s, undecided %v (%s); want an undecided skip", check.LimitEnforced, c.Status, c.Undecided, c.Message)
	}
	got := concluded(v, under)
	if got.Status != check.Inconclusive || !strings.HasPrefix(got.Reason, "limit.enforced could not be decided: no window was driven past the limit") {
		t.Errorf("run concluded %s (%s); want inconclusive, limit.enforced could not be decided", got.Status, got.Reason)
	}
}

// A server that never limits fails limit.enforced, and limit.status says why it
// cannot judge.
func TestCheckNeverLimited(t *testing.T) {
	p := planOf(limitOf(20, time.Second, scenarios.AlgoFixedWindow), standardPhases)
	h := hand{start: base}
	for _, r := range client(p, []string{"k1"}, fixedLatency(time.Millisecond), 1) {
		h.add(r.obs.Phase, r.obs.Sent.Sub(base), r.obs.Latency, 200)
	}
	v := Check(p, seqOf(h.obs))
	if c := resultOf(t, v, check.LimitEnforced); c.Status != check.Fail {
		t.Errorf("limit.enforced = %s (%s); want fail", c.Status, c.Message)
	}
	if c := resultOf(t, v, check.LimitStatus); c.Status != check.Skip || !strings.Contains(c.Message, "never rejected a request over the limit") {
		t.Errorf("limit.status = %s (%s); want skip: never rejected over the limit", c.Status, c.Message)
	}
}

// Every check id of DESIGN.md is judged, in the order a Verdict reports them,
// each by exactly one kind of checker.
func TestCheckOrder(t *testing.T) {
	for _, c := range checks {
		if (c.judge == nil) == (c.make == nil) {
			t.Errorf("%s: want exactly one of judge and make", c.id)
		}
	}
	p := planOf(limitOf(20, time.Second, scenarios.AlgoFixedWindow), standardPhases)
	v := Check(p, nil)
	var got []check.ID
	for _, c := range v.Checks {
		got = append(got, c.ID)
		if want := "per-second"; c.ID == check.QuotaEnforced && c.Limit != "" || c.ID != check.QuotaEnforced && c.Limit != want {
			t.Errorf("%s.Limit = %q; want per-second (quota.enforced: none, the scenario has no quota)", c.ID, c.Limit)
		}
	}
	want := []check.ID{check.LimitEnforced, check.LimitNoEarlyReject, check.LimitStatus, check.TimingOnset, check.RecoveryAfterWindow,
		check.HeadersLimit, check.HeadersRemaining, check.HeadersReset, check.HeadersRetryAfter, check.BodyErrorFormat,
		check.LimitPerKey, check.LimitPerIP, check.LimitExcluded, check.AuthMissingKey, check.AuthInvalidKey, check.AuthScope, check.AuthNotCounted, check.QuotaEnforced}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("check ids mismatch (-want +got):\n%s", diff)
	}
}

// Transport failures, auth errors and requests to endpoints the limit does not
// count say nothing about the limit: mixing them into a correct run changes no
// verdict, not even by breaking a streak of rejections.
func TestCheckIgnoresNonDecisions(t *testing.T) {
	p := planOf(limitOf(20, time.Second, scenarios.AlgoFixedWindow), standardPhases)
	p.Scenario.Limits[0].Exclude = []string{"health"}
	obs := serve(client(p, []string{"k1"}, fixedLatency(time.Millisecond), 1), simFamilies[0].server(20, time.Second, faultNone))
	var mixed []results.Observation
	for _, o := range obs {
		mixed = append(mixed, o)
		for k, extra := range []results.Observation{
			{Status: 0, Error: "timeout", Endpoint: "list"},
			{Status: 401, Endpoint: "list"},
			{Status: 503, Endpoint: "health"},
		} {
			extra.Sent, extra.Phase, extra.KeyID = o.Sent.Add(time.Duration(k+1)*time.Microsecond), o.Phase, o.KeyID
			mixed = append(mixed, extra)
		}
	}
	for i := range mixed {
		mixed[i].Seq = uint64(i + 1)
	}
	if v := Check(p, seqOf(mixed)); v.Status != check.Pass {
		t.Errorf("Verdict.Status = %s; want pass (%+v)", v.Status, v.Checks)
	}
}

// An algorithm no family implements is an error the model checks report,
// never judged as some default family.
func TestUnknownAlgorithmSkips(t *testing.T) {
	if _, err := model.FamiliesFor(&scenarios.Limit{Algorithm: "mystery"}); err == nil {
		t.Fatal(`FamiliesFor(algorithm "mystery"): no error`)
	}
	p := planOf(limitOf(20, time.Second, "mystery"), standardPhases)
	obs := serve(client(p, []string{"k1"}, fixedLatency(200*time.Microsecond), 1), newTokenBucket(20, 20, faultNone))
	v := Check(p, seqOf(obs))
	for _, id := range modelChecks {
		c := resultOf(t, v, id)
		if c.Status != check.Skip || !strings.Contains(c.Message, `no limiter model implements algorithm "mystery"`) {
			t.Errorf("%s = %s (%s); want skip: no model implements the algorithm", id, c.Status, c.Message)
		}
	}
	if v.Fingerprint != nil {
		t.Errorf("Fingerprint = %+v; want none", v.Fingerprint)
	}
}

// A limiter that admits one too many in every window, seen through latencies
// of 25-75 ms (a target 50 ms ± 25 ms away), where every extra admission may
// have arrived in the next window, leaves limit.enforced nothing to judge
// cleanly: it skips, never passes (it passed before, "2 ambiguous decisions
// not counted"). Past about 200 ms of jitter the tolerant window chain
// absorbs the extra admissions entirely and it passes again: a known gap.
func TestEnforcedSkipsWhenEveryEpisodeIsAmbiguous(t *testing.T) {
	p := planOf(limitOf(20, time.Second, scenarios.AlgoFixedWindow), standardPhases)
	srv := newFirstRequestWindow(20, time.Second, faultOffByOne)
	obs := serve(client(p, []string{"k1"}, jitteredLatency(50*time.Millisecond), 3), srv)
	v := Check(p, seqOf(obs))
	wantFailOrUndecided(t, v, obs, check.LimitEnforced)
	c := resultOf(t, v, check.LimitEnforced)
	t.Logf("%s = %s (%s); run %s", check.LimitEnforced, c.Status, c.Message, concluded(v, obs).Status)
}

// A limiter that rejects two early, seen through 50-150 ms of latency (a
// target 50 ms ± 25 ms away, both ways): limit.no-early-reject must fail it
// or skip for want of a rejection it can place, never pass. (A sliding log
// declared as sliding-window is left out: a sliding-window counter, which
// that promise allows, explains its early rejections within the tolerance,
// and passes it: a known gap.)
func TestEarlyRejectFarAwayNeverPasses(t *testing.T) {
	for _, fam := range simFamilies {
		if fam.algo == scenarios.AlgoSlidingWindow {
			continue
		}
		for seed := range uint64(3) {
			t.Run(fmt.Sprintf("%s/%d", fam.name, seed), func(t *testing.T) {
				p := planOf(limitOf(20, time.Second, fam.algo), standardPhases)
				obs := serve(client(p, []string{"k1"}, jitteredLatency(100*time.Millisecond), seed), fam.server(20, time.Second, faultEarly))
				wantFailOrUndecided(t, Check(p, seqOf(obs)), obs, check.LimitNoEarlyReject)
			})
		}
	}
}

// A target that redirects every request (a wrong scheme or host) never
// decided on the limit: no limit check may fail on the redirects as if
// they were admissions, and the verdict says what the target answered.
func TestRedirectsAreNotDecisions(t *testing.T) {
	for _, status := range []int{301, 302, 307, 308} {
		p := planOf(limitOf(20, time.Second, scenarios.AlgoFixedWindow), standardPhases)
		obs := serve(client(p, []string{"k1"}, fixedLatency(200*time.Microsecond), 1), constant(status))
		v := Check(p, seqOf(obs))
		if v.Failed() {
			t.Errorf("every answer %d: a check failed: %+v", status, v.Checks)
		}
		if c := resultOf(t, v, check.LimitEnforced); c.Status != check.Skip {
			t.Errorf("every answer %d: limit.enforced = %s (%s); want skip", status, c.Status, c.Message)
		}
	}
}

// constant is a server that gives every request the same answer.
type constant int

func (c constant) decide(time.Time, string) int { return int(c) }
