package main

import (
	"fmt"
	"iter"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/ratecheck/ratecheck/conformance"
	"github.com/ratecheck/ratecheck/internal/gcpolicy"
	"github.com/ratecheck/ratecheck/internal/runner"
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
		Long: `report re-reads a run directory (its scenario.yaml and observations.jsonl),
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
	sc, err := scenarios.Parse(run.Meta.ScenarioFile, run.Scenario)
	if err != nil {
		return err
	}
	plan, err := (&planFlags{Tier: run.Meta.PlanTier, Lean: run.Meta.Lean}).plan(sc)
	if err != nil {
		return err
	}
	rec := metrics.NewRecorder(runner.MetricsPhases(plan), run.Meta.Started)
	for i, t := range run.Meta.PhaseStarts {
		if !t.IsZero() {
			rec.StartPhase(i, t)
		}
	}
	var readErr error
	var last time.Time
	verdict := gcpolicy.Judge(func() conformance.Verdict {
		j := runner.NewJudge(plan)
		for o := range recorded(run, rec, &last, &readErr) {
			j.Observe(o)
		}
		return j.Verdict()
	})
	if readErr != nil {
		return fmt.Errorf("read %s: %w", o.Dir, readErr)
	}
	meta := run.Meta
	if !run.Finished() {
		// The process died before it recorded the run's end.
		meta.Finished, meta.Interrupted = last, true
		meta.Notes = append(meta.Notes, "the run did not finish (its process stopped before recording the end): only what it had recorded is judged")
	}
	if n := run.CutLine(); n > 0 {
		msg := fmt.Sprintf("%s:%d: the last line was cut short (the process died mid-write) and is skipped",
			filepath.Join(o.Dir, results.ObservationsFile), n)
		fmt.Fprintf(env.Stderr, "ratecheck: warning: %s\n", msg)
		meta.Notes = append(meta.Notes, "warning: "+msg)
	}
	rep := buildReport(meta, plan, verdict, rec.Snapshot(meta.Finished), rec.Timeline())
	written, werr := o.Outputs.write("", rep)
	fmt.Fprintf(env.Stdout, "ratecheck report %s: %s against %s\n", o.Dir, sc.Name, results.TargetName(meta.Target, meta.BuiltinTarget))
	printSummary(env, rep, o.Dir, written)
	if werr != nil {
		return werr
	}
	return verdictError(rep, "")
}

// recorded replays a run's observations into the checkers, recording metrics on
// the way and keeping the first read error.
func recorded(run *results.Run, rec *metrics.Recorder, last *time.Time, readErr *error) iter.Seq[results.Observation] {
	return func(yield func(results.Observation) bool) {
		for o, err := range run.Observations() {
			if err != nil {
				*readErr = err
				return
			}
			rec.Record(o)
			if r := o.Received(); r.After(*last) {
				*last = r
			}
			if !yield(o) {
				return
			}
		}
	}
}
