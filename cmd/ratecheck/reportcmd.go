package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ratecheck/ratecheck/internal/runreport"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

type reportOptions struct {
	Dir     string
	Dirs    []string // every RUN_DIR given; several are the shards of one run
	Wait    time.Duration
	Outputs runreport.Outputs
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
	addOutputFlags(cmd.Flags(), &opts.Outputs)
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
		raw:   run.Scenario,
		Stored: runreport.Stored{
			Meta:  run.Meta,
			Total: total,
			Observations: func(yield func(seen, judged results.Observation)) error {
				for ob, err := range run.Observations() {
					if err != nil {
						return fmt.Errorf("read %s: %w", o.Dir, err)
					}
					yield(ob, ob)
				}
				return nil
			},
			Finish: func(meta *results.Meta, last time.Time) {
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
		},
	})
}

// stored is a run as 'report' judges it (runreport.Stored), with what the
// command prints about it.
type stored struct {
	runreport.Stored
	first string   // the first line printed, before the target is named
	raw   []byte   // the scenario file's bytes
	lines []string // printed under the first line
}

// judgeStored judges a stored run with the live run's engine, in one pass that
// also records its metrics, and writes and prints its reports.
func judgeStored(env *Env, o *reportOptions, s stored) error {
	sc, err := scenarios.Parse(s.Meta.ScenarioFile, s.raw)
	if err != nil {
		return err
	}
	p, err := storedPlan(sc, s.Meta)
	if err != nil {
		return err
	}
	rep, err := runreport.Judge(p, s.Stored, env.Stderr)
	if err != nil {
		return err
	}
	written, werr := o.Outputs.Write("", rep)
	fmt.Fprintf(env.Stdout, "%s: %s against %s\n", s.first, sc.Name, results.TargetName(rep.Target, rep.BuiltinTarget))
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
	return (&planFlags{Tier: meta.PlanTier, Lean: meta.Lean, Limit: meta.Limit}).plan(sc, popts...)
}

// addOutputFlags adds the flags that ask for report files.
func addOutputFlags(fs *pflag.FlagSet, o *runreport.Outputs) {
	fs.StringVar(&o.JSON, "json", "", "write the JSON report to `FILE`")
	fs.StringVar(&o.HTML, "html", "", "write the HTML report (one self-contained file) to `FILE`")
	fs.StringVar(&o.JUnit, "junit", "", "write a JUnit XML report to `FILE` (for CI test reporters)")
	fs.StringVar(&o.Markdown, "md", "", "write a Markdown report to `FILE` (e.g. $GITHUB_STEP_SUMMARY)")
}
