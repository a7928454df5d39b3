package thirdparty

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ratecheck/ratecheck/attack"
	"github.com/ratecheck/ratecheck/conformance"
	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/internal/runner"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// pending is the message of a check the conformance package does not perform yet.
const pending = "not checked yet by this version"

// contract is the promise a scenario states about one limit, 20 requests per
// second unless it says otherwise: the limiter family, its burst and the
// headers the implementation sends.
type contract struct {
	algorithm scenarios.Algorithm
	burst     int    // bucket capacity; 0 leaves it unwritten (the default is requests)
	scope     string // key, ip or global
	headers   string // the scenario's headers: section, "" when none is promised
	requests  int    // per window; 0 is 20
	window    string // as a scenario writes it; "" is 1s
}

// yaml writes the contract as a scenario file whose one endpoint is GET path.
func (c contract) yaml(name, path string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "name: %s\ntarget: http://127.0.0.1\n", name)
	fmt.Fprintf(&b, "endpoints:\n  - name: get\n    path: %s\n", path)
	requests, window := c.requests, c.window
	if requests == 0 {
		requests = 20
	}
	if window == "" {
		window = "1s"
	}
	fmt.Fprintf(&b, "limits:\n  - name: per-window\n    requests: %d\n    window: %s\n", requests, window)
	fmt.Fprintf(&b, "    scope: %s\n    algorithm: %s\n", c.scope, c.algorithm)
	if c.burst > 0 {
		fmt.Fprintf(&b, "    burst: %d\n", c.burst)
	}
	b.WriteString(c.headers)
	return b.String()
}

// asAny is the same promise with the family left open ("20 per second").
func (c contract) asAny() contract {
	c.algorithm, c.burst = scenarios.AlgoAny, 0
	return c
}

// expect is what a verdict must say per check id. Ids not listed must not fail.
type expect map[check.ID]check.Status

// failOrAmbiguous wants a fail, or a pass whose message counts ambiguous
// decisions: a violation smaller than one request, which a slow response can
// move inside the timing tolerance, must never pass cleanly.
const failOrAmbiguous check.Status = "fail, or pass with ambiguous decisions"

// passOrFail wants a judgement either way (not a skip, unless it points
// (check.Result.See) to a check that fails the same defect): what the run can
// show depends on where the evidence fell, as the run's want explains.
const passOrFail check.Status = "pass or fail"

// passOrSkip wants a pass, or a skip that points (check.Result.See) to the
// check failing the defect this one would otherwise report again.
const passOrSkip check.Status = "pass, or skip pointing to the check that fails"

// passOrUndecided wants a pass, or a skip saying the timing tolerance left
// every decision the check needs undecidable ("... lay within the timing
// tolerance ..."): on a loaded machine a correct limiter may not be
// provable, which is not a false fail. Never a fail. The matrix script
// counts such runs as undecided, apart from the right ones.
const passOrUndecided check.Status = "pass, or skip as undecidable within the timing tolerance"

// failOrUndecided wants a fail, or a skip saying the check could not decide
// (check.Result.Undecided): a fault the traffic cannot always show, such as
// one request too many in the only window a per-minute plan drives past
// its limit, where a clock-aligned window starting just after the run's
// first request explains the run as well. Never a pass: the run is then
// inconclusive at best. The matrix script counts such runs as undecided.
const failOrUndecided check.Status = "fail, or skip as undecidable"

// failOrBlind wants what failOrUndecided does, or a pass by a sliding-window
// counter that names its blind spot ("not detectable: a counter admitting
// one too many ..."): a limit one too high that a counter on the wall clock
// would also show, where the clock's turn fell inside the run's one window
// driven past the limit. The matrix script counts such runs as undecided.
const failOrBlind check.Status = "fail, skip as undecidable, or pass naming the counter's blind spot"

// undecidable reports whether c skipped because it could not decide what
// the run gave it (check.Result.Undecided): the timing tolerance left its
// evidence in doubt, or the traffic never drove the limit far enough.
func undecidable(c check.Result) bool {
	return c.Status == check.Skip && c.Undecided
}

// run is one ratecheck run against one implementation and one contract.
type run struct {
	name     string
	contract contract
	path     string              // the endpoint path; "/" when empty
	want     expect              // the verdict a correct ratecheck gives
	bugs     map[check.ID]string // checks ratecheck gets wrong today, and why
	facts    *headerFacts        // what ratecheck's reader must get from the headers; nil skips
	warns    []check.ID          // the checks that must warn of a lenient read; no other may
	target   *url.URL            // the implementation, on loopback
	tls      *tls.Config         // for an https:// target: the roots that trust it
	// print is how the fingerprint must begin: the family and parameters
	// the implementation really has ("token bucket, burst 21, refill
	// 20/s"); "" when not asserted.
	print string
	// scenario, when set, is the whole scenario file, written as an API's
	// docs state it, in place of the one contract writes; keys are the API
	// keys its auth section names, by key id.
	scenario string
	keys     map[string]string
	// secondSource sends a second client from 127.0.0.2, as `ratecheck run`
	// does against a loopback target, so limit.per-ip is judged. Off by
	// default: behind the latency proxy every client comes from its
	// address, as behind a reverse proxy that forwards none.
	secondSource bool
	// limit, when set, is the limit under test (plan.TestLimit), as
	// `ratecheck run` tests each of a scenario's limits that count
	// different endpoints.
	limit string
	// failsUnderLoad, when set, says why the implementation may answer
	// most requests with 5xx on a loaded machine: the attack then backs
	// off (stops sending to a failing target), which is right, and the
	// run counts as undecided, not wrong. Any other backoff is wrong.
	failsUnderLoad string

	dir     string // the stored run
	plan    *plan.Plan
	outcome *runner.Outcome
	err     error
}

// execute parses the contract, sends the derived plan at r.target with the
// runner, as `ratecheck run --target` does, and stores the observations under dir.
func (r *run) execute(ctx context.Context, dir string) {
	path := r.path
	if path == "" {
		path = "/"
	}
	src := []byte(r.contract.yaml(strings.NewReplacer("/", "-", "_", "-").Replace(r.name), path))
	if r.scenario != "" {
		src = []byte(r.scenario)
	}
	sc, err := scenarios.Parse(r.name+".yaml", src)
	if err != nil {
		r.err = fmt.Errorf("parse scenario: %w", err)
		return
	}
	attackOpts := attack.Options{Target: r.target, TLS: r.tls, Keys: r.keys}
	var planOpts []plan.Option
	if r.secondSource {
		planOpts = append(planOpts, plan.Sources(2))
		attackOpts.OtherSources = []netip.Addr{netip.MustParseAddr("127.0.0.2")}
	}
	if r.limit != "" {
		planOpts = append(planOpts, plan.TestLimit(r.limit))
	}
	r.plan = plan.New(sc, planOpts...)
	r.dir = filepath.Join(dir, strings.ReplaceAll(r.name, "/", "_"))
	meta := results.Meta{ScenarioName: sc.Name, Target: r.target.String(), Started: time.Now(), Limit: r.limit}
	w, err := results.Create(r.dir, meta, src)
	if err != nil {
		r.err = err
		return
	}
	r.outcome, r.err = runner.Run(ctx, runner.Options{Plan: r.plan, Writer: w, Attack: attackOpts})
	meta.Finished = time.Now()
	if err := w.Close(meta); err != nil && r.err == nil {
		r.err = err
	}
}

// executeAll runs every run at the same time: the runs are bound by the clock,
// not the CPU, so together they take as long as the longest (about 8 s for
// a per-second limit).
func executeAll(t *testing.T, runs []*run) {
	t.Helper()
	// A bound, not a deadline: each run ends with its plan (per-minute
	// limits take about 100 s).
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	dir := runsDir(t)
	var wg sync.WaitGroup
	for _, r := range runs {
		// Each goroutine exits when its run has ended (at most the plan's ~8 s,
		// or when ctx is cancelled).
		wg.Go(func() { r.execute(ctx, dir) })
	}
	wg.Wait()
}

// runsDir is where executeAll stores its runs: a temporary directory, or,
// when RATECHECK_KEEP_RUNS names a directory, a new one under it that
// outlives the test, so that a run that came out wrong can be re-judged with
// `ratecheck report` and replayed in a test.
func runsDir(t *testing.T) string {
	t.Helper()
	keep := os.Getenv("RATECHECK_KEEP_RUNS")
	if keep == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(keep, 0o755); err != nil {
		t.Fatalf("RATECHECK_KEEP_RUNS: %v", err)
	}
	dir, err := os.MkdirTemp(keep, strings.ReplaceAll(t.Name(), "/", "_")+"-")
	if err != nil {
		t.Fatalf("RATECHECK_KEEP_RUNS: %v", err)
	}
	t.Logf("runs kept in %s", dir)
	return dir
}

// observations reads the stored run back, as `ratecheck report RUN_DIR` does.
func (r *run) observations(t *testing.T) []results.Observation {
	t.Helper()
	stored, err := results.Open(r.dir)
	if err != nil {
		t.Fatalf("results.Open(%s) = %v", r.dir, err)
	}
	var out []results.Observation
	for o, err := range stored.Observations() {
		if err != nil {
			t.Fatalf("read %s: %v", r.dir, err)
		}
		out = append(out, o)
	}
	return out
}

// judge asserts the verdict of r against r.want, and that replaying the stored
// observations gives the same verdict as the live run.
func (r *run) judge(t *testing.T) {
	t.Helper()
	if r.err != nil {
		t.Fatalf("run: %v", r.err)
	}
	logVerdict(t, r.outcome.Verdict)
	if r.outcome.Interrupted {
		if r.outcome.BackedOff != "" && r.failsUnderLoad != "" {
			t.Skipf("the attack backed off (%s), as it should from a failing target: %s", r.outcome.BackedOff, r.failsUnderLoad)
		}
		t.Fatalf("run interrupted before its plan ended (%s)", r.outcome.BackedOff)
	}
	if fp := r.outcome.Verdict.Fingerprint; r.print != "" && (fp == nil || !strings.HasPrefix(fp.Summary, r.print)) {
		t.Errorf("fingerprint %+v; want it to begin %q", fp, r.print)
	}
	obs := r.observations(t)
	replayed := conformance.Check(r.plan, func(yield func(results.Observation) bool) {
		for _, o := range obs {
			if !yield(o) {
				return
			}
		}
	})
	if diff := cmp.Diff(r.outcome.Verdict, replayed); diff != "" {
		t.Errorf("replayed verdict differs from the live one (-live +replayed):\n%s", diff)
	}
	if r.facts != nil {
		checkHeaders(t, *r.facts, obs)
	}
	wrong, bugs, notes := r.problems()
	if v := r.outcome.Concluded(r.plan.Scenario); v.Status == check.Inconclusive {
		// No check failed wrongly, but a limit check could not decide: the
		// run is no pass, and the matrix script counts it as undecided.
		notes = append(notes, "undecided: the run is inconclusive: "+v.Reason)
	}
	for _, n := range notes {
		t.Log(n)
	}
	for _, w := range wrong {
		t.Error(w)
	}
	if len(bugs) > 0 && !t.Failed() {
		t.Skipf("ratecheck bug: %s", strings.Join(bugs, "; "))
	}
}

// problems compares the verdict of r with r.want: what is wrong, the checks
// that came out as a known ratecheck bug (r.bugs) says, and notes to log;
// a check accepted as undecidable (passOrUndecided) is noted with the prefix
// "undecided: ".
func (r *run) problems() (wrong, bugs, notes []string) {
	for _, c := range r.outcome.Verdict.Checks {
		want, listed := r.want[c.ID]
		switch {
		case listed && c.Status == want:
		case listed && want == passOrUndecided && c.Status == check.Pass:
		case listed && (want == passOrUndecided || want == failOrUndecided) && undecidable(c):
			notes = append(notes, fmt.Sprintf("undecided: %s skipped (%s)", c.ID, c.Message))
		case listed && (want == failOrUndecided || want == failOrBlind) && c.Status == check.Fail:
		case listed && want == failOrBlind && undecidable(c):
			notes = append(notes, fmt.Sprintf("undecided: %s skipped (%s)", c.ID, c.Message))
		case listed && want == failOrBlind && c.Status == check.Pass && strings.Contains(c.Message, "not detectable: a counter"):
			notes = append(notes, fmt.Sprintf("undecided: %s passed in the counter's blind spot (%s)", c.ID, c.Message))
		case listed && want == failOrAmbiguous && (c.Status == check.Fail ||
			c.Status == check.Pass && strings.Contains(c.Message, "ambiguous")):
		case listed && want == passOrFail && (c.Status == check.Pass || c.Status == check.Fail ||
			c.Status == check.Skip && c.See != "" && status(r.outcome.Verdict, c.See) == check.Fail):
		case listed && want == passOrSkip && (c.Status == check.Pass ||
			c.Status == check.Skip && c.See != "" && status(r.outcome.Verdict, c.See) == check.Fail):
		case listed && want == check.Pass && c.Status == check.Skip && c.Message == pending:
			notes = append(notes, fmt.Sprintf("%s: %s (want pass once it is checked)", c.ID, pending))
		case r.bugs[c.ID] != "":
			bugs = append(bugs, fmt.Sprintf("%s is %s: %s", c.ID, c.Status, r.bugs[c.ID]))
		case listed:
			wrong = append(wrong, fmt.Sprintf("%s = %s (%s); want %s", c.ID, c.Status, c.Message, want))
		case c.Status == check.Fail:
			wrong = append(wrong, fmt.Sprintf("%s = fail (%s); want no failure", c.ID, c.Message))
		}
		if warns := slices.Contains(r.warns, c.ID); warns != (c.Warning != "") {
			wrong = append(wrong, fmt.Sprintf("%s warning %q; want a warning %v", c.ID, c.Warning, warns))
		}
	}
	for id, why := range r.bugs {
		if got := status(r.outcome.Verdict, id); got == r.want[id] {
			notes = append(notes, fmt.Sprintf("known ratecheck bug not seen in this run: %s = %s (%s)", id, got, why))
		}
	}
	return wrong, bugs, notes
}

// status is the status of check id in v, or "" when v has none.
func status(v conformance.Verdict, id check.ID) check.Status {
	for _, c := range v.Checks {
		if c.ID == id {
			return c.Status
		}
	}
	return ""
}

// logVerdict writes what ratecheck concluded, so `go test -v` shows it.
func logVerdict(t *testing.T, v conformance.Verdict) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "verdict %s", v.Status)
	if v.Fingerprint != nil {
		fmt.Fprintf(&b, "\n  fingerprint: %s", v.Fingerprint.Summary)
	}
	for _, c := range v.Checks {
		if c.Status == check.Skip && c.Message == pending {
			continue
		}
		fmt.Fprintf(&b, "\n  %-22s %-4s %s", c.ID, c.Status, c.Message)
		if c.Evidence != nil && len(c.Evidence.Requests) > 0 {
			e := c.Evidence.Requests[0]
			fmt.Fprintf(&b, "\n      first evidence: #%d %s +%.3fs %d %s", e.Seq, e.Phase, e.Offset.Seconds(), e.Status, e.Note)
		}
	}
	t.Log(b.String())
}

// inCI reports whether the test runs under CI (.ci/run sets CI=true).
func inCI() bool { return os.Getenv("CI") == "true" }
