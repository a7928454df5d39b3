package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/ratecheck/ratecheck/report"
)

// errRegressed says compare found something worse beyond the tolerance; the
// comparison has already been printed.
var errRegressed = errors.New("the run is worse than its base")

type compareOptions struct {
	Base, Run string
	Markdown  bool
	Tolerance report.Tolerance
}

func newCompareCmd(env *Env) *cobra.Command {
	opts := &compareOptions{Tolerance: report.DefaultTolerance}
	var latencyPct float64
	cmd := &cobra.Command{
		Use:   "compare BASE RUN",
		Short: "Show what changed between two runs; exit 1 when something got worse",
		Long: `compare reads two runs (run directories, or report.json files) and shows the
checks whose status changed, then the measured recovery and the latency
percentiles side by side with their change.

It exits 1 when the later run is worse than the base: a check that fails now
and did not before; a check that passed before and is now skipped or absent;
a measured recovery longer by more than --recovery-tolerance beyond both
measurements' precision; a latency percentile higher by more than both
--latency-tolerance (percent) and --latency-floor. Otherwise it exits 0, also
when both runs fail the same checks. --markdown writes the comparison for a CI
job summary ($GITHUB_STEP_SUMMARY) or a pull-request comment.`,
		Example: `  ratecheck compare runs/20261201T090000Z-copilot runs/20261204T090000Z-copilot
  ratecheck compare last-release/report.json runs/latest --markdown >> "$GITHUB_STEP_SUMMARY"`,
		Args: argsError(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Base, opts.Run = args[0], args[1]
			if latencyPct < 0 || opts.Tolerance.LatencyFloor < 0 || opts.Tolerance.Recovery < 0 {
				return &usageError{err: errors.New("tolerances must not be negative"), cmd: cmd}
			}
			opts.Tolerance.Latency = latencyPct / 100
			return compareRun(env, opts)
		},
	}
	fs := cmd.Flags()
	fs.BoolVar(&opts.Markdown, "markdown", false, "write GitHub-flavoured Markdown instead of plain text")
	fs.Float64Var(&latencyPct, "latency-tolerance", opts.Tolerance.Latency*100, "growth of a latency percentile allowed, in `percent`")
	fs.DurationVar(&opts.Tolerance.LatencyFloor, "latency-floor", opts.Tolerance.LatencyFloor, "and the absolute growth allowed")
	fs.DurationVar(&opts.Tolerance.Recovery, "recovery-tolerance", opts.Tolerance.Recovery, "growth of the measured recovery allowed beyond both runs' precision")
	return cmd
}

func compareRun(env *Env, o *compareOptions) error {
	base, err := readRunReport(o.Base)
	if err != nil {
		return err
	}
	run, err := readRunReport(o.Run)
	if err != nil {
		return err
	}
	c := report.Compare(o.Base, base, o.Run, run, o.Tolerance)
	write := report.WriteComparison
	if o.Markdown {
		write = report.WriteComparisonMarkdown
	}
	if err := write(env.Stdout, c); err != nil {
		return err
	}
	if c.Worse() {
		return errRegressed
	}
	return nil
}

// readRunReport reads the report of a run: path is a run directory (its
// report.json) or a report.json file.
func readRunReport(path string) (*report.Report, error) {
	file := path
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		file = filepath.Join(path, "report.json")
		if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
			return nil, &usageError{err: fmt.Errorf("%s has no report.json: judge it first with 'ratecheck report %s'", path, path)}
		}
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, &usageError{err: err}
	}
	defer f.Close()
	r, err := report.ReadJSON(f)
	if err != nil {
		return nil, &usageError{err: fmt.Errorf("%s: %w", file, err)}
	}
	return r, nil
}
