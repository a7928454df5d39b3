package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/ratecheck/ratecheck/attack"
	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/internal/reftarget"
	"github.com/ratecheck/ratecheck/internal/runner"
	"github.com/ratecheck/ratecheck/internal/runreport"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/report"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

type runOptions struct {
	Scenarios []string
	Target    string
	Out       string
	Fault     string
	NoTUI     bool
	CAFile    string
	Insecure  bool
	Shard     shardFlags
	Rails     railOptions
	Outputs   runreport.Outputs
	Plan      planFlags
	Guard     guardFlags
	Args      []string
}

func newRunCmd(env *Env, runF func(context.Context, *runOptions) error) *cobra.Command {
	opts := &runOptions{}
	cmd := &cobra.Command{
		Use:   "run SCENARIO...",
		Short: "Send the scenario's planned traffic and check every response against its limits",
		Long: `run plans phases calibrated to the scenario's limit (under it, over it, a
pause, a recovery probe), sends them with vegeta, judges every response, and
writes the run directory (runs/<start>-<scenario>/ unless --out) with its
observations and report.json.

The target is --target URL, else the scenario's target:. With --target
builtin (or a scenario that names no target), the built-in reference target
serves the scenario on 127.0.0.1 with generated demo keys, so nothing needs
to be set, and --fault breaks it on purpose. Against any other target, API
keys come from the environment variables the scenario names.

A live dashboard shows the run on a terminal; plain progress lines are
printed otherwise (or with --no-tui). Ctrl-C stops sending, judges what was
sent and still writes every report; a second Ctrl-C quits at once.

A run tests the limit that stops its traffic first. A scenario whose limits
count different endpoints (reads 10 per second, writes 3 per second) runs
once per such limit, one after another, as several scenarios do, unless
--limit NAME picks one: the default run (the limit that stops traffic first:
the shortest window, then the fewest requests) keeps the usual paths and
each other limit's run follows it, named <scenario>-<limit> (--out
runs/api-writes, --json r-writes.json); 'ratecheck plan' shows each run.

Several scenarios run one after another, never at once (they would spend
each other's limits). All of them are checked, and every question asked,
before the first request. Each writes its own run directory (DIR/<scenario>
with --out DIR) and its own --json and --html files, named with the
scenario before the extension (--html r.html: r-copilot.html, r-users.html);
--junit writes one file with a suite per scenario and --md one document. The
combined verdict is FAIL if any scenario failed, else INCOMPLETE if one did
not finish (or could not run), else INCONCLUSIVE if one settled nothing,
else PASS; the exit status follows it. Ctrl-C stops the scenario in
progress, writes its reports and the combined ones, and starts no other.`,
		Example: `  ratecheck run scenarios/copilot.yaml --target builtin
  ratecheck run scenarios/copilot.yaml --target builtin --no-tui --json out.json --junit junit.xml
  COPILOT_API_KEY=... ratecheck run scenarios/copilot.yaml   # the scenario's target: https://api.copilot.com
  ratecheck run scenarios/copilot.yaml --target builtin --fault off-by-one   # see a check fail
  ratecheck run scenarios/*.yaml --target builtin --no-tui --junit junit.xml --out runs/all   # every scenario, one JUnit file`,
		Args: argsError(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Scenarios = args
			opts.Args = os.Args[1:]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runRun(cmd.Context(), env, opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.Target, "target", "", "base `URL` of the API to test, or builtin for the built-in reference target (default: the scenario's target:)")
	fs.StringVar(&opts.Out, "out", "", "run directory `DIR` (default runs/<start>-<scenario>)")
	fs.StringVar(&opts.Fault, "fault", "", "inject a fault into the built-in target, with --target builtin (see 'ratecheck serve --help')")
	fs.BoolVar(&opts.NoTUI, "no-tui", false, "print plain progress lines instead of the live dashboard")
	fs.StringVar(&opts.CAFile, "ca-file", "", "trust the PEM CA certificates in `FILE` for an https:// target, besides the system's")
	fs.BoolVar(&opts.Insecure, "insecure", false, "do not verify an https:// target's certificate (every report says so)")
	opts.Shard.addFlags(fs)
	opts.Rails.addFlags(fs)
	addOutputFlags(fs, &opts.Outputs)
	opts.Plan.addFlags(fs)
	opts.Guard.addFlags(fs)
	return cmd
}

func runRun(ctx context.Context, env *Env, o *runOptions) error {
	if len(o.Scenarios) > 1 {
		return runMany(ctx, env, o, nil)
	}
	sc, err := scenarios.Load(o.Scenarios[0])
	if err != nil {
		return err
	}
	units := runUnits([]*scenarios.Scenario{sc}, o)
	if len(units) > 1 {
		return runMany(ctx, env, o, units)
	}
	sr, err := prepareRun(ctx, env, o, units[0], env.Now(), o.Out, o.Outputs, sc.Name)
	if err != nil {
		return err
	}
	defer sr.tgt.close()
	if err := o.Guard.check(ctx, env, []*scenarioRun{sr}); err != nil {
		sr.discard() // the run directory the outputs check made, when empty
		return err
	}
	_, err = sendRun(ctx, nil, env, o, sr)
	return err
}

// scenarioRun is one scenario of an invocation, made ready to send: planned,
// its target chosen, its questions asked and its outputs checked.
type scenarioRun struct {
	file    string
	limit   string // the limit under test, named when the scenario's several run one by one
	plan    *plan.Plan
	tgt     *target
	aopts   attack.Options
	started time.Time
	dir     string
	statErr error // of dir, before the outputs check made it
	outputs runreport.Outputs
	// keysLeftOut are the optional keys the run goes without (their
	// variables are unset), in meta.json so that a report re-plans alike.
	keysLeftOut []string
}

// prepareRun does everything a run does before it sends: it plans sc, picks
// its target, asks the run's questions (quota, remote host) and checks that
// the run directory dir (default runs/<started>-<label>) and every output
// can be written. It sends nothing; an error here means nothing was sent.
func prepareRun(ctx context.Context, env *Env, o *runOptions, u runUnit, started time.Time, dir string, outputs runreport.Outputs, label string) (*scenarioRun, error) {
	sc := u.sc
	target := cmp.Or(o.Target, sc.Target)
	o.Shard.resolveSources(target)
	var leftOut, vars []string
	popts := []plan.Option{plan.Sources(1 + len(o.Shard.OtherAddrs))}
	if target == "" || target == builtinTarget {
		sc = sc.WithSpareKey() // the built-in target serves a second key for limit.per-key
		// and starts each quota with a few requests left, so a run can exhaust it
		popts = append(popts, plan.ExhaustQuotas())
	} else {
		// A real quota is exhausted only when --max-share allows spending it.
		popts = append(popts, plan.AffordQuotas(o.Guard.MaxShare, o.Guard.Budget))
		// An optional key left unset: the run goes without it.
		leftOut, vars = unsetOptionalKeys(sc, o.Shard.keyEnv(env).Getenv)
		sc = sc.WithoutKeys(leftOut...)
	}
	flags := o.Plan
	flags.Limit = cmp.Or(u.limit, flags.Limit)
	p, err := flags.plan(sc, popts...)
	if err != nil {
		return nil, err
	}
	sc = p.Scenario
	if len(p.Phases) == 0 {
		return nil, &usageError{err: fmt.Errorf("%s: nothing to send: %s", sc.File, strings.Join(p.Warnings, "; "))}
	}
	tgt, err := prepareTarget(o.Shard.keyEnv(env), p, o)
	if err != nil {
		return nil, err
	}
	for i, id := range leftOut {
		tgt.notes = append(tgt.notes, fmt.Sprintf("%s is not set: the optional key %q is left out, and the checks that need it skip", vars[i], id))
	}
	sr := &scenarioRun{file: sc.File, limit: u.shown, plan: p, tgt: tgt, started: started, dir: dir, outputs: outputs, keysLeftOut: leftOut}
	if err := sr.check(ctx, env, o, label); err != nil {
		tgt.close()
		return nil, err
	}
	return sr, nil
}

// check asks the run's questions and checks its outputs (prepareRun).
func (sr *scenarioRun) check(ctx context.Context, env *Env, o *runOptions, label string) error {
	sc, tgt := sr.plan.Scenario, sr.tgt
	o.Guard.Yes = o.Rails.Yes // one --yes answers both questions
	tlsConfig, tlsNotes, err := transportSecurity(o, tgt)
	if err != nil {
		return err
	}
	tgt.notes = append(tgt.notes, tlsNotes...)
	sr.aopts = attack.Options{Target: tgt.url, Keys: tgt.keys, Connections: sc.Run.Connections, Timeout: sc.Run.Timeout, TLS: tlsConfig}
	if err := o.Shard.apply(&sr.aopts, env, sr.outputs); err != nil {
		return err
	}
	if err := o.Rails.apply(ctx, env, sr.plan, tgt.url.Hostname(), &sr.aopts); err != nil {
		return err
	}
	if sr.dir == "" {
		sr.dir = results.DefaultDir("runs", sr.started, label)
	}
	// Every output must be writable before the first request spends quota.
	_, sr.statErr = os.Stat(sr.dir)
	if err := sr.outputs.Check(sr.dir); err != nil {
		return &usageError{err: fmt.Errorf("an output cannot be written, so nothing was sent:\n%w", err)}
	}
	total, _ := planLoad(sr.plan)
	spaceWarning, err := results.CheckSpace(sr.dir, total, attack.DefaultMaxBody)
	if err != nil {
		return &usageError{err: fmt.Errorf("the run directory cannot hold this run, so nothing was sent: %w", err)}
	}
	if spaceWarning != "" {
		tgt.notes = append(tgt.notes, "warning: "+spaceWarning)
	}
	return nil
}

// sendRun calibrates, sends, judges and reports one prepared run, prints its
// summary and returns its report (nil when it was not judged: a shard, or an
// error before sending) and the error that sets the exit status. With stop
// nil it makes ctx interruptible itself (Ctrl-C stops this run); otherwise
// ctx already is, and stop is what quitting the dashboard calls.
func sendRun(ctx context.Context, stop context.CancelCauseFunc, env *Env, o *runOptions, sr *scenarioRun) (*report.Report, error) {
	if err := sr.calibrate(ctx); err != nil {
		return nil, err
	}
	meta := sr.meta(o)
	w, err := results.Create(sr.dir, meta, sr.plan.Scenario.Raw)
	if err != nil {
		return nil, &usageError{err: err}
	}
	if stop == nil {
		var cancel context.CancelCauseFunc
		ctx, cancel = interruptible(ctx, env)
		defer cancel(nil)
		stop = cancel
	}
	o.Shard.announce(env, sr.aopts)
	show := newProgressView(env, o.NoTUI, sr.plan, meta)
	show.start(ctx, func() { stop(&stoppedError{by: "quit"}) })
	outcome, err := runner.Run(ctx, runner.Options{Plan: sr.plan, Attack: sr.aopts, Writer: w, OnProgress: show.update})
	if err != nil {
		show.stop(nil)
		w.Close(meta)
		return nil, err
	}
	recordOutcome(ctx, &meta, outcome)
	if sr.aopts.Shard.Sharded() {
		show.stop(nil)
		return nil, finishShard(env, w, meta, outcome, sr.dir)
	}
	rep := runreport.Build(meta, sr.plan, outcome.Verdict, outcome.Metrics, outcome.Timeline)
	rep.Waits = outcome.Waits
	show.stop(rep)
	return rep, sr.writeReports(env, w, meta, outcome, rep)
}

// calibrate measures the target's connect time and this machine's sending
// capacity before the run (attack.Calibrate) and adds what it found to the
// target's notes. When it fails, the run directory the outputs check made is
// removed: a run that never started leaves none.
func (sr *scenarioRun) calibrate(ctx context.Context) error {
	cal, err := attack.Calibrate(ctx, sr.plan, sr.aopts)
	if err != nil {
		if errors.Is(sr.statErr, fs.ErrNotExist) {
			os.Remove(sr.dir) // only when empty
		}
		if se, ok := errors.AsType[*stoppedError](context.Cause(ctx)); ok {
			return se
		}
		return err
	}
	sr.tgt.notes = append(sr.tgt.notes, calibrationNotes(cal)...)
	return nil
}

// meta is the run's metadata as it starts: what it plans and sends, to which
// target, from where, and how it was asked for.
func (sr *scenarioRun) meta(o *runOptions) results.Meta {
	return results.Meta{
		SchemaVersion: results.SchemaVersion,
		RunID:         newRunID(),
		Tool:          "ratecheck " + currentVersion().Short(),
		ScenarioFile:  sr.file,
		ScenarioName:  sr.plan.Scenario.Name,
		Target:        sr.tgt.url.String(),
		BuiltinTarget: sr.tgt.builtin,
		Fault:         o.Fault,
		PlanTier:      o.Plan.Tier,
		Lean:          o.Plan.Lean,
		Limit:         testedName(sr.plan),
		QuotaTests:    spentQuotas(sr.plan),
		KeysLeftOut:   sr.keysLeftOut,
		Started:       sr.started,
		Notes:         sr.tgt.notes,
		Args:          o.Args,
		Shard:         sr.aopts.Shard.String(),
		StartAt:       sr.aopts.StartAt,
		SourceAddr:    o.Shard.SourceAddr,
		OtherSources:  o.Shard.OtherAddrs,
	}
}

// recordOutcome completes meta with what the run did: when it started and
// finished, whether it was interrupted and by what, when each phase began.
func recordOutcome(ctx context.Context, meta *results.Meta, outcome *runner.Outcome) {
	meta.Started, meta.Finished, meta.Interrupted = outcome.Started, outcome.Finished, outcome.Interrupted
	if outcome.BackedOff != "" {
		meta.Notes = append(meta.Notes, outcome.BackedOff)
	}
	if meta.Interrupted && ctx.Err() != nil { // not when the attack backed off by itself
		meta.Stopped = stoppedBy(ctx)
	}
	meta.PhaseStarts = outcome.PhaseStarts
}

// writeReports writes the judged run's report files, closes its run
// directory with meta and prints its summary. It returns the error that sets
// the exit status: the verdict's, or, for a run that passed, an output that
// could not be written (otherwise that is printed).
func (sr *scenarioRun) writeReports(env *Env, w *results.Writer, meta results.Meta, outcome *runner.Outcome, rep *report.Report) error {
	written, werr := sr.outputs.Write(sr.dir, rep)
	if err := w.Close(meta); err != nil {
		werr = errors.Join(werr, err)
	}
	if outcome.WriteErr != nil {
		werr = errors.Join(werr, fmt.Errorf("observations were not all saved: %s holds the first %d of the %d requests sent, which 'ratecheck report %s' judges; the verdict above judged all %d: %w",
			w.Path(), w.Saved(), rep.Requests, sr.dir, rep.Requests, outcome.WriteErr))
	}
	printSummary(env, rep, sr.dir, written)
	if outcome.BackedOff != "" {
		fmt.Fprintf(env.Stderr, "ratecheck: %s\n", outcome.BackedOff)
	}
	verr := verdictError(rep, meta.Stopped)
	if werr != nil {
		if verr == nil {
			return fmt.Errorf("the run was judged %s, but not every output was written: %w", rep.Verdict, werr)
		}
		fmt.Fprintf(env.Stderr, "ratecheck: %v\n", werr)
	}
	return verr
}

// verdictError turns a report's verdict into the error that sets the exit
// status: a run stopped by a signal (or by quitting the dashboard) exits as
// interrupted whatever it saw; otherwise FAIL, INCONCLUSIVE and INCOMPLETE
// each have their own status.
func verdictError(rep *report.Report, stopped string) error {
	switch {
	case rep.Interrupted && stopped != "":
		return &stoppedError{by: stopped}
	case rep.Verdict == check.Fail:
		return errChecksFailed
	case rep.Verdict == check.Inconclusive:
		return errInconclusive
	case rep.Interrupted || rep.Verdict != check.Pass:
		return errInterrupted
	}
	return nil
}

// target is where a run sends its traffic.
type target struct {
	url     *url.URL
	keys    map[string]string // key id → key
	builtin bool
	notes   []string
	close   func()
}

// builtinTarget is the --target value that asks for the built-in reference target.
const builtinTarget = "builtin"

// prepareTarget picks the target a run judges: --target, else the scenario's
// target:, and the built-in reference target only for --target builtin or a
// scenario that names no target.
func prepareTarget(env *Env, p *plan.Plan, o *runOptions) (*target, error) {
	sc := p.Scenario
	name, from := o.Target, "--target"
	if name == "" {
		name, from = sc.Target, sc.File+": target"
	}
	if name == "" || name == builtinTarget {
		return startBuiltin(p, o.Fault)
	}
	if o.Fault != "" {
		return nil, &usageError{err: fmt.Errorf("--fault breaks the built-in reference target, but the target is %s (from %s): add --target builtin, or give --fault to 'ratecheck serve'", results.RedactTarget(name), from)}
	}
	u, err := url.Parse(name)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &usageError{err: fmt.Errorf("%s %q: want builtin or an http:// or https:// URL such as http://127.0.0.1:8080", from, name)}
	}
	if u.User != nil {
		return nil, &usageError{err: fmt.Errorf("%s must not carry credentials: API keys come from the environment variables the scenario names", from)}
	}
	keys, err := envKeys(sc, env.Getenv)
	if err != nil {
		return nil, err
	}
	return &target{url: u, keys: keys, close: func() {}}, nil
}

// startBuiltin serves the scenario on loopback with the built-in reference
// target and generated demo keys, with fault injected when not "".
func startBuiltin(p *plan.Plan, fault string) (*target, error) {
	sc := p.Scenario
	keys := demoKeys(sc)
	var opts []reftarget.Option
	for _, q := range p.Quotas {
		opts = append(opts, reftarget.QuotaStart(q.Key, map[string]int64{q.Limit: q.Left}))
	}
	ts, err := startTarget(sc, "127.0.0.1:0", keys, fault, opts...)
	if err != nil {
		return nil, err
	}
	t := &target{url: ts.URL, keys: keys, builtin: true, close: func() { ts.Close() }}
	t.notes = append(t.notes, "built-in reference target on "+ts.URL.String())
	if len(sc.Auth.Keys) > 0 {
		var envs []string
		for _, k := range sc.Auth.Keys {
			if k.Env != "" { // the spare key a built-in run adds has no variable
				envs = append(envs, k.Env)
			}
		}
		t.notes = append(t.notes, fmt.Sprintf("demo key generated for the built-in target (%s not used)", strings.Join(envs, ", ")))
	}
	if fault != "" {
		t.notes = append(t.notes, "fault injected into the built-in target: "+fault)
	}
	return t, nil
}

// calibrationNotes says what the calibration measured, and every phase this
// machine cannot deliver as asked.
func calibrationNotes(c attack.Calibration) []string {
	s := fmt.Sprintf("calibration: connect time %s", c.Connect.Round(time.Microsecond))
	if c.TLS != "" {
		s += "; " + c.TLS
	}
	if c.Capacity > 0 {
		s += fmt.Sprintf("; this machine sent up to %.0f requests/s to a local sink", c.Capacity)
	}
	notes := []string{s}
	for _, p := range c.Problems {
		notes = append(notes, "warning: "+p)
	}
	return notes
}

// interruptible cancels the returned context on the first Ctrl-C (or SIGTERM),
// with a *stoppedError naming the signal as its cause: the run stops sending,
// judges what was sent and writes its reports. A second signal exits at once
// (130 or 143); the observations flushed so far stay in the run directory for
// 'ratecheck report'.
func interruptible(ctx context.Context, env *Env) (context.Context, context.CancelCauseFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	// This goroutine exits when the run ends (ctx done) or after a second signal.
	go func() {
		defer signal.Stop(sig)
		select {
		case s := <-sig:
			fmt.Fprintln(env.Stderr, "\nstopping: waiting for requests in flight, then writing reports (Ctrl-C again to quit at once)")
			cancel(&stoppedError{by: signalName(s)})
		case <-ctx.Done():
			return
		}
		select {
		case s := <-sig:
			fmt.Fprintln(env.Stderr, "quit: observations saved so far can be judged with 'ratecheck report RUN_DIR'")
			os.Exit(exitStatus(&stoppedError{by: signalName(s)}))
		case <-time.After(time.Minute):
		}
	}()
	return ctx, cancel
}

// signalName is "SIGINT" or "SIGTERM".
func signalName(s os.Signal) string {
	if s == syscall.SIGTERM {
		return "SIGTERM"
	}
	return "SIGINT"
}

// stoppedBy says what stopped an interrupted run: the signal, or "quit" when
// the dashboard was quit.
func stoppedBy(ctx context.Context) string {
	if se, ok := errors.AsType[*stoppedError](context.Cause(ctx)); ok {
		return se.by
	}
	return "quit"
}

func newRunID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// spentQuotas names the quotas a run against a real API spends until they
// run out (plan.AffordQuotas), for the run's metadata.
func spentQuotas(p *plan.Plan) []string {
	var out []string
	for _, t := range p.Quotas {
		if t.Left < 0 {
			out = append(out, t.Limit)
		}
	}
	return out
}

// testedName is the name of the limit p tests, "" when it tests none.
func testedName(p *plan.Plan) string {
	if l := p.TestedLimit(); l != nil {
		return l.Name
	}
	return ""
}
