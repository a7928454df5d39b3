package main

import (
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
	"github.com/ratecheck/ratecheck/conformance"
	"github.com/ratecheck/ratecheck/internal/runner"
	"github.com/ratecheck/ratecheck/report"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

type runOptions struct {
	Scenario string
	Target   string
	Out      string
	Fault    string
	NoTUI    bool
	CAFile   string
	Insecure bool
	Shard    shardFlags
	Rails    railOptions
	Outputs  reportOutputs
	Plan     planFlags
	Guard    guardFlags
	Args     []string
}

func newRunCmd(env *Env, runF func(context.Context, *runOptions) error) *cobra.Command {
	opts := &runOptions{}
	cmd := &cobra.Command{
		Use:   "run SCENARIO",
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
sent and still writes every report; a second Ctrl-C quits at once.`,
		Example: `  ratecheck run scenarios/copilot.yaml --target builtin
  ratecheck run scenarios/copilot.yaml --target builtin --no-tui --json out.json --junit junit.xml
  COPILOT_API_KEY=... ratecheck run scenarios/copilot.yaml   # the scenario's target: https://api.copilot.com
  ratecheck run scenarios/copilot.yaml --target builtin --fault off-by-one   # see a check fail`,
		Args: argsError(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Scenario = args[0]
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
	opts.Outputs.addFlags(fs)
	opts.Plan.addFlags(fs)
	opts.Guard.addFlags(fs)
	return cmd
}

func runRun(ctx context.Context, env *Env, o *runOptions) error {
	sc, err := scenarios.Load(o.Scenario)
	if err != nil {
		return err
	}
	plan, err := o.Plan.plan(sc)
	if err != nil {
		return err
	}
	sc = plan.Scenario
	if len(plan.Phases) == 0 {
		return &usageError{err: fmt.Errorf("%s: nothing to send: %s", sc.File, strings.Join(plan.Warnings, "; "))}
	}
	tgt, err := prepareTarget(o.Shard.keyEnv(env), sc, o)
	if err != nil {
		return err
	}
	defer tgt.close()
	o.Guard.Yes = o.Rails.Yes // one --yes answers both questions
	if err := o.Guard.check(ctx, env, plan, tgt.builtin); err != nil {
		return err
	}
	tlsConfig, tlsNotes, err := transportSecurity(o, tgt)
	if err != nil {
		return err
	}
	tgt.notes = append(tgt.notes, tlsNotes...)

	aopts := attack.Options{Target: tgt.url, Keys: tgt.keys, Connections: sc.Run.Connections, Timeout: sc.Run.Timeout, Headers: declaredHeaders(sc), TLS: tlsConfig}
	if err := o.Shard.apply(&aopts, env, o.Outputs); err != nil {
		return err
	}
	if err := o.Rails.apply(ctx, env, plan, tgt.url.Hostname(), &aopts); err != nil {
		return err
	}
	started := env.Now()
	dir := o.Out
	if dir == "" {
		dir = results.DefaultDir("runs", started, sc.Name)
	}
	// Every output must be writable before the first request spends quota.
	_, statErr := os.Stat(dir)
	if err := o.Outputs.check(dir); err != nil {
		return &usageError{err: fmt.Errorf("an output cannot be written, so nothing was sent:\n%w", err)}
	}
	total, _ := planLoad(plan)
	spaceWarning, err := results.CheckSpace(dir, total, attack.DefaultMaxBody)
	if err != nil {
		return &usageError{err: fmt.Errorf("the run directory cannot hold this run, so nothing was sent: %w", err)}
	}
	if spaceWarning != "" {
		tgt.notes = append(tgt.notes, "warning: "+spaceWarning)
	}
	cal, err := attack.Calibrate(ctx, plan, aopts)
	if err != nil {
		if errors.Is(statErr, fs.ErrNotExist) {
			os.Remove(dir) // made empty by the check; a run that never started leaves none
		}
		return err
	}
	tgt.notes = append(tgt.notes, calibrationNotes(cal)...)
	meta := results.Meta{
		SchemaVersion: results.SchemaVersion,
		RunID:         newRunID(),
		Tool:          "ratecheck " + currentVersion().Short(),
		ScenarioFile:  o.Scenario,
		ScenarioName:  sc.Name,
		Target:        tgt.url.String(),
		BuiltinTarget: tgt.builtin,
		Fault:         o.Fault,
		PlanTier:      o.Plan.Tier,
		Lean:          o.Plan.Lean,
		Started:       started,
		Notes:         tgt.notes,
		Args:          o.Args,
		Shard:         aopts.Shard.String(),
		StartAt:       aopts.StartAt,
		SourceAddr:    o.Shard.SourceAddr,
	}
	w, err := results.Create(dir, meta, sc.Raw)
	if err != nil {
		return &usageError{err: err}
	}

	ctx, cancel := interruptible(ctx, env)
	defer cancel(nil)
	o.Shard.announce(env, aopts)
	show := newProgressView(env, o.NoTUI, plan, meta)
	show.start(ctx, func() { cancel(&stoppedError{by: "quit"}) })
	outcome, err := runner.Run(ctx, runner.Options{Plan: plan, Attack: aopts, Writer: w, OnProgress: show.update})
	if err != nil {
		show.stop(nil)
		w.Close(meta)
		return err
	}
	meta.Started, meta.Finished, meta.Interrupted = outcome.Started, outcome.Finished, outcome.Interrupted
	if outcome.BackedOff != "" {
		meta.Notes = append(meta.Notes, outcome.BackedOff)
	}
	if meta.Interrupted && ctx.Err() != nil { // not when the attack backed off by itself
		meta.Stopped = stoppedBy(ctx)
	}
	meta.PhaseStarts = outcome.PhaseStarts
	if aopts.Shard.Sharded() {
		show.stop(nil)
		return finishShard(env, w, meta, outcome, dir)
	}
	rep := buildReport(meta, plan, outcome.Verdict, outcome.Metrics, outcome.Timeline)
	show.stop(rep)

	written, werr := o.Outputs.write(dir, rep)
	if err := w.Close(meta); err != nil {
		werr = errors.Join(werr, err)
	}
	if outcome.WriteErr != nil {
		werr = errors.Join(werr, fmt.Errorf("observations were not all saved: %s holds the first %d of the %d requests sent, which 'ratecheck report %s' judges; the verdict above judged all %d: %w",
			w.Path(), w.Saved(), rep.Requests, dir, rep.Requests, outcome.WriteErr))
	}
	printSummary(env, rep, dir, written)
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
	case rep.Verdict == conformance.Fail:
		return errChecksFailed
	case rep.Verdict == conformance.Inconclusive:
		return errInconclusive
	case rep.Interrupted || rep.Verdict != conformance.Pass:
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
func prepareTarget(env *Env, sc *scenarios.Scenario, o *runOptions) (*target, error) {
	name, from := o.Target, "--target"
	if name == "" {
		name, from = sc.Target, sc.File+": target"
	}
	if name == "" || name == builtinTarget {
		return startBuiltin(sc, o.Fault)
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
func startBuiltin(sc *scenarios.Scenario, fault string) (*target, error) {
	keys := demoKeys(sc)
	ts, err := startTarget(sc, "127.0.0.1:0", keys, fault)
	if err != nil {
		return nil, err
	}
	t := &target{url: ts.URL, keys: keys, builtin: true, close: func() { ts.Close() }}
	t.notes = append(t.notes, "built-in reference target on "+ts.URL.String())
	if len(sc.Auth.Keys) > 0 {
		var envs []string
		for _, k := range sc.Auth.Keys {
			envs = append(envs, k.Env)
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

// declaredHeaders are the header names the scenario declares, recorded besides
// the rate-limit headers found by name.
func declaredHeaders(sc *scenarios.Scenario) []string {
	var names []string
	for _, n := range []string{sc.Headers.Limit, sc.Headers.Remaining, sc.Headers.Reset} {
		if n != "" {
			names = append(names, n)
		}
	}
	return names
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
