package runner

import (
	"context"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ratecheck/ratecheck/attack"
	"github.com/ratecheck/ratecheck/conformance"
	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/internal/reftarget"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

const scenario = `name: runner-test
target: http://127.0.0.1:1
auth: {header: X-API-KEY, keys: {primary: "${RUNNER_TEST_KEY}"}}
endpoints: [{name: list, method: GET, path: /v1/items}]
limits: [{name: per-second, requests: 20, window: 1s, recovery: 1s}]
phases:
  - {name: under, kind: under, rate: 20/s, duration: 500ms}
  - {name: over, kind: over, rate: 80/s, duration: 500ms}
`

func start(t *testing.T) (*plan.Plan, attack.Options) {
	t.Helper()
	sc, err := scenarios.Parse("runner-test.yaml", []byte(scenario))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(reftarget.New(sc, reftarget.Keys(map[string]string{"k-1": "primary"})))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return plan.New(sc), attack.Options{Target: u, Keys: map[string]string{"primary": "k-1"}}
}

// TestRunWritesJudgesAndReports runs a plan against the reference target and
// checks the fan-out: every request is on disk, the live verdict equals the
// verdict replayed from disk, metrics count every request, and progress ends
// with one Done.
func TestRunWritesJudgesAndReports(t *testing.T) {
	p, aopts := start(t)
	dir := t.TempDir()
	w, err := results.Create(dir, results.Meta{RunID: "t", ScenarioName: "runner-test"}, p.Scenario.Raw)
	if err != nil {
		t.Fatal(err)
	}
	var progress []Progress
	out, err := Run(context.Background(), Options{Plan: p, Attack: aopts, Writer: w, ProgressEvery: 50 * time.Millisecond,
		OnProgress: func(pr Progress) { progress = append(progress, pr) }})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(results.Meta{RunID: "t", Finished: out.Finished}); err != nil {
		t.Fatal(err)
	}
	if out.Interrupted || out.WriteErr != nil {
		t.Fatalf("outcome interrupted=%v writeErr=%v; want a complete run", out.Interrupted, out.WriteErr)
	}
	const planned = 10 + 40
	if out.Metrics.Requests != planned {
		t.Errorf("metrics counted %d requests; want %d", out.Metrics.Requests, planned)
	}

	run, err := results.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var stored []results.Observation
	for o, err := range run.Observations() {
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, o)
	}
	if len(stored) != planned {
		t.Fatalf("%d observations on disk; want %d", len(stored), planned)
	}
	replayed := conformance.Check(p, func(yield func(results.Observation) bool) {
		for _, o := range stored {
			if !yield(o) {
				return
			}
		}
	})
	if diff := cmp.Diff(out.Verdict, replayed); diff != "" {
		t.Errorf("live verdict differs from the one replayed from disk (-live +replayed):\n%s", diff)
	}
	if out.Verdict.Status != check.Pass {
		t.Errorf("verdict against the correct reference target = %s; want pass: %+v", out.Verdict.Status, out.Verdict.Checks)
	}

	checkPhaseStarts(t, p, out, stored)

	if len(progress) < 2 || !progress[len(progress)-1].Done {
		t.Fatalf("got %d progress calls, last %+v; want several, ending with Done", len(progress), progress[len(progress)-1])
	}
	for _, pr := range progress[:len(progress)-1] {
		if pr.Done {
			t.Errorf("progress marked Done before the end: %+v", pr)
		}
	}
}

// checkPhaseStarts checks the origins of the phases' schedules: each phase was
// launched no earlier than its planned offset from the start of the run, and
// none of its requests was sent before its launch.
func checkPhaseStarts(t *testing.T, p *plan.Plan, out *Outcome, stored []results.Observation) {
	t.Helper()
	if len(out.PhaseStarts) != len(p.Phases) {
		t.Fatalf("%d phase starts; want one per phase (%d)", len(out.PhaseStarts), len(p.Phases))
	}
	for i, ph := range p.Phases {
		if got, earliest := out.PhaseStarts[i], out.Started.Add(ph.Start); got.Before(earliest) {
			t.Errorf("phase %s launched at %v; want at or after %v (start + %v)", ph.Name, got, earliest, ph.Start)
		}
	}
	for _, o := range stored {
		if origin := out.PhaseStarts[o.Phase]; o.Sent.Before(origin) {
			t.Errorf("request %d sent at %v, before its phase was launched at %v", o.Seq, o.Sent, origin)
		}
	}
}

// TestRunInterrupted cancels a run midway: it stops early, says so, and keeps
// what was sent.
func TestRunInterrupted(t *testing.T) {
	p, aopts := start(t)
	ctx, cancel := context.WithCancel(context.Background())
	var cancelled bool
	out, err := Run(ctx, Options{Plan: p, Attack: aopts, ProgressEvery: 20 * time.Millisecond,
		OnProgress: func(pr Progress) {
			if !cancelled && pr.Metrics.Requests >= 3 {
				cancelled = true
				cancel()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if !out.Interrupted {
		t.Error("Outcome.Interrupted = false after cancel; want true")
	}
	if n := out.Metrics.Requests; n < 3 || n >= 50 {
		t.Errorf("interrupted run kept %d requests; want those sent before the cancel (3 to 49)", n)
	}
}

// TestRunJudgesWhileItGoes runs a plan against a target that admits one
// request too many per window: progress carries the checks judged so far,
// in the verdict's order, and the failure of limit.enforced, with its
// evidence, is there before the run ends (the pause and the recovery after
// the over phase leave two seconds for it to be seen).
func TestRunJudgesWhileItGoes(t *testing.T) {
	t.Parallel()
	const src = `name: runner-test
auth: {header: X-API-KEY, keys: {primary: "${RUNNER_TEST_KEY}"}}
endpoints: [{name: list, method: GET, path: /v1/items}]
limits: [{name: per-second, requests: 20, window: 1s, recovery: 1s}]
phases:
  - {name: under, kind: under, rate: 20/s, duration: 500ms}
  - {name: over, kind: over, rate: 80/s, duration: 1500ms}
  - {name: pause, kind: pause, duration: 1s}
  - {name: recovery, kind: recovery, rate: 4/s, duration: 1s}
`
	sc, err := scenarios.Parse("runner-test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(reftarget.New(sc, reftarget.Keys(map[string]string{"k-1": "primary"}), reftarget.Fault("off-by-one")))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	p := plan.New(sc)
	dir := t.TempDir()
	w, err := results.Create(dir, results.Meta{RunID: "t", ScenarioName: "runner-test"}, p.Scenario.Raw)
	if err != nil {
		t.Fatal(err)
	}
	var progress []Progress
	out, err := Run(context.Background(), Options{Plan: p, Attack: attack.Options{Target: u, Keys: map[string]string{"primary": "k-1"}},
		Writer: w, ProgressEvery: 50 * time.Millisecond, JudgeEvery: 100 * time.Millisecond,
		OnProgress: func(pr Progress) { progress = append(progress, pr) }})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(results.Meta{RunID: "t", Finished: out.Finished}); err != nil {
		t.Fatal(err)
	}
	// Judging while the run went must not change the verdict: it equals
	// the verdict of the same observations replayed from disk at once.
	run, err := results.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	replayed := conformance.Check(p, func(yield func(results.Observation) bool) {
		for o, err := range run.Observations() {
			if err != nil || !yield(o) {
				return
			}
		}
	})
	if diff := cmp.Diff(out.Verdict, replayed); diff != "" {
		t.Errorf("the verdict judged while the run went differs from the replay (-live +replayed):\n%s", diff)
	}
	final := out.Verdict.Checks
	var enforced *check.Result
	for i, c := range final {
		if c.ID == check.LimitEnforced {
			enforced = &final[i]
		}
	}
	if enforced == nil || enforced.Status != check.Fail {
		t.Skipf("limit.enforced did not fail in the end on this machine (%+v): nothing to see early", enforced)
	}
	var firstFail *Progress
	judged := 0
	for i, pr := range progress {
		if pr.Done {
			if pr.Checks != nil {
				t.Errorf("the final progress carries provisional checks")
			}
			continue
		}
		if pr.Checks == nil {
			continue
		}
		judged++
		// A new judging comes with the metrics taken when it was made.
		if fresh := i == 0 || progress[i-1].Checks == nil || &progress[i-1].Checks[0] != &pr.Checks[0]; fresh && pr.ChecksAt != pr.Elapsed {
			t.Errorf("progress at %v carries checks judged anew with ChecksAt %v; want its Elapsed", pr.Elapsed, pr.ChecksAt)
		} else if pr.ChecksAt > pr.Elapsed || (!fresh && pr.ChecksAt != progress[i-1].ChecksAt) {
			t.Errorf("progress at %v: ChecksAt %v; want the Elapsed of the progress that first carried these checks", pr.Elapsed, pr.ChecksAt)
		}
		if len(pr.Checks) != len(final) {
			t.Fatalf("progress at %v has %d checks; want the verdict's %d", pr.Elapsed, len(pr.Checks), len(final))
		}
		for j, c := range pr.Checks {
			if c.ID != final[j].ID || c.Limit != final[j].Limit {
				t.Errorf("progress check %d is %s/%s; want the verdict's order, %s/%s", j, c.ID, c.Limit, final[j].ID, final[j].Limit)
			}
			if firstFail == nil && c.ID == check.LimitEnforced && c.Status == check.Fail {
				firstFail = &progress[i]
				if c.Evidence == nil || len(c.Evidence.Requests) == 0 {
					t.Errorf("the provisional failure of limit.enforced has no evidence: %+v", c)
				}
			}
		}
	}
	if judged < 2 {
		t.Errorf("the run was judged %d times while it went; want several", judged)
	}
	if firstFail == nil {
		t.Fatalf("limit.enforced failed in the end but never while the run went (%d progress calls)", len(progress))
	}
	if end := out.Finished.Sub(out.Started); firstFail.Elapsed >= end {
		t.Errorf("the failure was first shown at %v, not before the end of the run at %v", firstFail.Elapsed, end)
	}
}
