package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/ratecheck/ratecheck/conformance"
	"github.com/ratecheck/ratecheck/internal/gcpolicy"
	"github.com/ratecheck/ratecheck/internal/runner"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/results/metrics"
	"github.com/ratecheck/ratecheck/scenarios"
)

type reportOptions struct {
	Dir     string
	Dirs    []string // every RUN_DIR given; several are the shards of one run
	Wait    time.Duration
	Outputs reportOutputs
}

func newReportCmd(env *Env) *cobra.Command {
	opts := &reportOptions{}
	cmd := &cobra.Command{
		Use:   "report RUN_DIR...",
		Short: "Judge a stored run again from its observations and write its reports",
		Long: `report re-reads a run directory (its scenario.yaml and observations.bin,
or observations.jsonl for a run written before it),
judges every observation again with the same engine as the live run, prints the
verdict and writes the reports asked for. It works on interrupted runs too:
whatever was flushed to disk is judged. The run directory is not changed.

Several run directories are the shards of one sharded run ('ratecheck run
--shard i/N'): their observations are put on one timeline, each shard's clock
offset estimated from the target's Date headers, and judged once as the one
run they sent together. The report lists each shard's rate and offset.`,
		Example: `  ratecheck report runs/20261122T142000Z-copilot --html report.html
  ratecheck report runs/20261122T142000Z-copilot --junit junit.xml --md summary.md
  ratecheck report shards/0 shards/1 shards/2 shards/3 --html merged.html`,
		Args: argsError(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir, opts.Dirs = args[0], args
			if err := waitForRuns(env, args, opts.Wait); err != nil {
				return err
			}
			if len(args) > 1 {
				return reportMerged(env, opts)
			}
			return reportRun(env, opts)
		},
	}
	cmd.Flags().DurationVar(&opts.Wait, "wait", 0, "wait up to `D` for every run directory to exist and its run to finish (shards still sending)")
	opts.Outputs.addFlags(cmd.Flags())
	return cmd
}

func reportRun(env *Env, o *reportOptions) error {
	run, err := results.Open(o.Dir)
	if err != nil {
		return &usageError{err: err}
	}
	total, err := run.Count()
	if err != nil {
		return err
	}
	return judgeStored(env, o, stored{
		first: fmt.Sprintf("ratecheck report %s", o.Dir),
		meta:  run.Meta,
		raw:   run.Scenario,
		total: total,
		replay: func(yield func(seen, judged results.Observation)) error {
			for ob, err := range run.Observations() {
				if err != nil {
					return fmt.Errorf("read %s: %w", o.Dir, err)
				}
				yield(ob, ob)
			}
			return nil
		},
		finish: func(meta *results.Meta, last time.Time) {
			if !run.Finished() {
				// The process died before it recorded the run's end.
				meta.Finished, meta.Interrupted = last, true
				meta.Notes = append(meta.Notes, "the run did not finish (its process stopped before recording the end): only what it had recorded is judged")
			}
			if msg := run.Cut(); msg != "" {
				fmt.Fprintf(env.Stderr, "ratecheck: warning: %s\n", msg)
				meta.Notes = append(meta.Notes, "warning: "+msg)
			}
		},
	})
}

// stored is a run as 'report' judges it: one run directory, or the shards of
// one sharded run put on one timeline.
type stored struct {
	first string       // the first line printed, before the target is named
	meta  results.Meta // as recorded (its tier and plan choice rebuild the plan)
	raw   []byte       // the scenario file's bytes
	total int64        // observations replay yields, for the progress lines; < 0 when unknown
	// replay yields every observation once, as recorded (seen, for the
	// metrics) and as judging must take it (judged: for merged shards,
	// widened by the clocks' uncertainty), and returns the first read error.
	replay func(yield func(seen, judged results.Observation)) error
	// finish, if set, completes meta once everything was read: last is the
	// latest response's arrival.
	finish func(meta *results.Meta, last time.Time)
	// doubt, if set, says why the plan's checks cannot be judged on this
	// timeline, and whether failures are withheld too.
	doubt func(*plan.Plan) (why string, failures bool)
	// coarse, if set, says why the checks that need one request's precision
	// (conformance.OneRequestChecks) cannot pass on this timeline though the
	// others can be judged; "" when they can.
	coarse func(*plan.Plan) string
	lines  []string // printed under the first line
}

// judgeStored judges a stored run with the live run's engine, in one pass that
// also records its metrics, and writes and prints its reports.
func judgeStored(env *Env, o *reportOptions, s stored) error {
	sc, err := scenarios.Parse(s.meta.ScenarioFile, s.raw)
	if err != nil {
		return err
	}
	p, err := storedPlan(sc, s.meta)
	if err != nil {
		return err
	}
	rec := metrics.NewRecorder(runner.MetricsPhases(p), s.meta.Started)
	for i, t := range s.meta.PhaseStarts {
		if !t.IsZero() {
			rec.StartPhase(i, t)
		}
	}
	waits := metrics.NewWaits(runner.WaitSpec(p), s.meta.Started)
	var readErr error
	var last time.Time
	progress := newReplayProgress(env.Stderr, s.total, time.Now)
	verdict := gcpolicy.Judge(func() conformance.Verdict {
		j := runner.NewJudge(p)
		readErr = s.replay(func(seen, judged results.Observation) {
			rec.Record(seen)
			waits.Record(seen)
			if r := seen.Received(); r.After(last) {
				last = r
			}
			j.Observe(judged)
			progress.observed()
		})
		defer progress.judging()()
		return j.Verdict()
	})
	if readErr != nil {
		return readErr
	}
	meta := s.meta
	if s.finish != nil {
		s.finish(&meta, last)
	}
	doubted := false
	if s.doubt != nil {
		if why, failures := s.doubt(p); why != "" {
			doubted = true
			meta.Notes = append(meta.Notes, "the merged timeline is too uncertain to judge: "+why)
			verdict = verdict.Withhold(func(msg string) string {
				return "the shards' clocks are too uncertain to judge their merged timeline: " + why + " (as judged: " + msg + ")"
			}, failures)
		}
	}
	if s.coarse != nil && !doubted {
		if why := s.coarse(p); why != "" {
			meta.Notes = append(meta.Notes, "the merged timeline is too coarse to pass the checks that count single requests: "+why)
			verdict = verdict.WithholdPasses(conformance.OneRequestChecks, func(msg string) string {
				return "the shards' clocks are too uncertain to show one request too many or too few: " + why + " (as judged: " + msg + ")"
			})
		}
	}
	rep := buildReport(meta, p, verdict, rec.Snapshot(meta.Finished), rec.Timeline())
	rep.Waits = waits.Points()
	written, werr := o.Outputs.write("", rep)
	fmt.Fprintf(env.Stdout, "%s: %s against %s\n", s.first, sc.Name, results.TargetName(meta.Target, meta.BuiltinTarget))
	for _, l := range s.lines {
		fmt.Fprintln(env.Stdout, "  "+l)
	}
	printSummary(env, rep, o.Dir, written)
	if werr != nil {
		return werr
	}
	return verdictError(rep, "")
}

// storedPlan plans sc as the run recorded in meta planned it: its tier, lean
// or full, its source addresses, the quotas it spent, the optional keys it
// went without, and on the built-in
// target the spare key and the quota tests.
func storedPlan(sc *scenarios.Scenario, meta results.Meta) (*plan.Plan, error) {
	popts := []plan.Option{plan.Sources(1 + len(meta.OtherSources))}
	sc = sc.WithoutKeys(meta.KeysLeftOut...)
	if meta.BuiltinTarget {
		sc = sc.WithSpareKey() // as the run did
		popts = append(popts, plan.ExhaustQuotas())
	}
	popts = append(popts, plan.SpendQuotas(meta.QuotaTests...))
	return (&planFlags{Tier: meta.PlanTier, Lean: meta.Lean}).plan(sc, popts...)
}
