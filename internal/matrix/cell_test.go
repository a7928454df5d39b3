package matrix

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/ratecheck/ratecheck/attack"
	"github.com/ratecheck/ratecheck/conformance"
	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/internal/latencyproxy"
	"github.com/ratecheck/ratecheck/internal/limiter"
	"github.com/ratecheck/ratecheck/internal/reftarget"
	"github.com/ratecheck/ratecheck/internal/runner"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// family is one limiter family of the reference target and the algorithm the
// scenario promises for it.
type family struct {
	name      string
	algorithm scenarios.Algorithm
	limiter   *limiter.Family // overrides the target's family when set
}

// families are every family the reference target implements.
var families = []family{
	{name: "fixed-window", algorithm: scenarios.AlgoFixedWindow},
	{name: "fixed-window-first", algorithm: scenarios.AlgoFixedWindow, limiter: ptr(limiter.FixedWindowFirst)},
	{name: "sliding-window", algorithm: scenarios.AlgoSlidingWindow},
	{name: "token-bucket", algorithm: scenarios.AlgoTokenBucket},
	{name: "gcra", algorithm: scenarios.AlgoGCRA},
	{name: "leaky-bucket", algorithm: scenarios.AlgoLeakyBucket},
}

func ptr[T any](v T) *T { return &v }

// cell is one run of the matrix: a family with a fault ("none" for a correct
// target), sent the default plan (plan.New), or with burstOver that
// plan with every paced over phase in bursts too (Plan.BurstOver).
type cell struct {
	family    family
	fault     string
	burstOver bool
	lean      bool               // the plan plan.Lean derives, instead of the default one
	link      *latencyproxy.Link // the target sits behind this link; nil for plain loopback
}

// String is family/fault, with /burst-over when the over phase bursts and
// /far when the target is behind a link.
func (c cell) String() string {
	s := c.family.name + "/" + c.fault
	if c.burstOver {
		s += "/burst-over"
	}
	if c.lean {
		s += "/lean"
	}
	if c.link != nil {
		s += "/far"
	}
	return s
}

// options are the reference target's options for the cell.
func (c cell) options() []reftarget.Option {
	opts := []reftarget.Option{
		reftarget.Keys(map[string]string{testKey: "primary"}),
		reftarget.Algorithm(c.family.algorithm),
	}
	if c.family.limiter != nil {
		opts = append(opts, reftarget.LimiterFamily(*c.family.limiter))
	}
	if c.fault != "none" {
		opts = append(opts, reftarget.Fault(c.fault))
	}
	return opts
}

// run parses the contract, serves the reference target for the cell on
// loopback and sends the derived plan at it, as `ratecheck run --target` does.
// The observations go to a run directory under the system's temporary
// directory, returned in dir, so that a cell that comes out wrong can be
// looked at request by request (`ratecheck report DIR` judges it again).
func (c cell) run(ctx context.Context) (out *runner.Outcome, dir string, err error) {
	sc, err := contract{algorithm: c.family.algorithm, headers: true}.parse()
	if err != nil {
		return nil, "", err
	}
	tg := reftarget.New(sc, c.options()...)
	if err := tg.Err(); err != nil {
		return nil, "", fmt.Errorf("reference target for %s: %w", c, err)
	}
	dir, err = os.MkdirTemp("", "ratecheck-matrix-")
	if err != nil {
		return nil, "", fmt.Errorf("run directory for %s: %w", c, err)
	}
	meta := results.Meta{Tool: "ratecheck matrix", ScenarioFile: "matrix.yaml", ScenarioName: sc.Name,
		Target: "http://127.0.0.1", BuiltinTarget: true, Fault: c.fault, Started: time.Now(),
		Notes: []string{"matrix cell " + c.String()}}
	w, err := results.Create(dir, meta, sc.Raw)
	if err != nil {
		return nil, dir, fmt.Errorf("run directory for %s: %w", c, err)
	}
	var edit func(*plan.Plan)
	if c.burstOver {
		edit = (*plan.Plan).BurstOver
	}
	var opts []plan.Option
	if c.lean {
		opts = append(opts, plan.Lean())
	}
	_, out, err = serveAndRunVia(ctx, sc, jittered(tg), c.link, edit, w, opts...)
	if out != nil {
		meta.Finished, meta.Interrupted = out.Finished, out.Interrupted
	}
	if cerr := w.Close(meta); cerr != nil && err == nil {
		err = fmt.Errorf("close run directory of %s: %w", c, cerr)
	}
	return out, dir, err
}

// serveAndRun serves h on loopback and runs the derived plan of sc at it,
// after edit (if any) has adjusted the plan, writing the observations to w
// unless it is nil.
func serveAndRun(ctx context.Context, sc *scenarios.Scenario, h http.Handler, edit func(*plan.Plan), w *results.Writer) (*plan.Plan, *runner.Outcome, error) {
	return serveAndRunVia(ctx, sc, h, nil, edit, w)
}

// serveAndRunVia is serveAndRun with the server behind link (a latency
// proxy on loopback) when link is not nil, and the plan derived with opts.
func serveAndRunVia(ctx context.Context, sc *scenarios.Scenario, h http.Handler, link *latencyproxy.Link, edit func(*plan.Plan), w *results.Writer, opts ...plan.Option) (*plan.Plan, *runner.Outcome, error) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	u, err := url.Parse(srv.URL)
	if err != nil {
		return nil, nil, fmt.Errorf("parse server url: %w", err)
	}
	if link != nil {
		px, err := latencyproxy.Start(u.Host, *link)
		if err != nil {
			return nil, nil, err
		}
		defer px.Close()
		u.Host = px.Addr()
	}
	p := plan.New(sc, opts...)
	if edit != nil {
		edit(p)
	}
	out, err := runner.Run(ctx, runner.Options{Plan: p, Writer: w, Attack: attack.Options{
		Target: u, Keys: map[string]string{"primary": testKey},
	}})
	if err != nil {
		return p, nil, fmt.Errorf("run %s: %w", sc.Name, err)
	}
	if out.Interrupted {
		return p, out, fmt.Errorf("run %s interrupted before its plan ended", sc.Name)
	}
	return p, out, nil
}

// want is what a fault must do to a verdict: the checks that must fail and
// those that may fail besides (a fault can show in two checks that measure the
// same thing). Every other check must not fail.
type want struct {
	fail    []check.ID
	mayFail []check.ID
}

// pending marks a check the conformance package does not perform yet: a skip
// with this in its message stands in for the fail (or pass) it will become.
const pending = "not checked yet"

// problems lists what is wrong with verdict v for a cell that should give w.
// A check that must fail and passed is wrong, ambiguous decisions or not; one
// that skipped is judged by judgeFar (undecided when the run did not pass).
func (w want) problems(v conformance.Verdict) (out, notes []string) {
	seen := map[check.ID]bool{}
	for _, c := range v.Checks {
		seen[c.ID] = true
		must, may := slices.Contains(w.fail, c.ID), slices.Contains(w.mayFail, c.ID)
		switch {
		case c.Status == check.Skip && c.Message == "":
			out = append(out, fmt.Sprintf("%s skipped without a reason", c.ID))
		case must && c.Status == check.Fail:
		case must && c.Status == check.Skip && strings.Contains(c.Message, pending):
		case must:
			out = append(out, fmt.Sprintf("%s = %s (%s); want fail", c.ID, c.Status, c.Message))
		case may:
		case c.Status == check.Fail:
			out = append(out, fmt.Sprintf("%s = fail (%s); want no failure", c.ID, c.Message))
		}
	}
	for _, id := range w.fail {
		if !seen[id] {
			out = append(out, fmt.Sprintf("%s missing from the verdict; want fail", id))
		}
	}
	return out, notes
}
