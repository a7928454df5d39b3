package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/internal/runreport"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/report"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// manyOutcome is what became of one scenario of an invocation of several.
type manyOutcome struct {
	label string // the scenario's name, made unique in the invocation
	limit string // the limit it tested, when it was one of its scenario's several
	file  string
	dir   string
	rep   *report.Report // nil when it was not judged
	err   error          // the error that sets its exit status, or nil
}

// runMany runs several scenarios, one after another and never at once (two
// runs would spend each other's limits). Every scenario is loaded, planned
// and checked, and every question asked, before the first request: a
// problem in any of them sends nothing (exit 2). Each run writes its own
// run directory (DIR/<scenario> under --out, else runs/<start>-<scenario>)
// and its own --json and --html files (the scenario's name before the
// extension); --junit holds one suite per scenario and --md one document.
// Ctrl-C stops the run in progress (judged and written, INCOMPLETE) and the
// scenarios after it are not started. The exit status is the combined
// verdict's (report.Combined), a signal's status when one stopped them.
func runMany(ctx context.Context, env *Env, o *runOptions, units []runUnit) error {
	if o.Shard.Shard != "" {
		return &usageError{err: errors.New("--shard sends one scenario's slice of one limit's test: give one scenario, and --limit when it has several")}
	}
	if units == nil {
		scs, err := loadAll(o.Scenarios)
		if err != nil {
			return err
		}
		units = runUnits(scs, o)
	}
	labels := uniqueLabels(units)
	runs, err := prepareAll(ctx, env, o, units, labels)
	if err != nil {
		return err
	}
	defer func() {
		for _, sr := range runs {
			sr.discard()
		}
	}()
	shared := runreport.Outputs{JUnit: o.Outputs.JUnit, Markdown: o.Outputs.Markdown}
	if err := shared.Check(""); err != nil {
		return &usageError{err: fmt.Errorf("an output cannot be written, so nothing was sent:\n%w", err)}
	}

	ctx, cancel := interruptible(ctx, env)
	defer cancel(nil)
	outcomes := sendAll(ctx, cancel, env, o, runs, labels)
	reps := outcomeReports(outcomes)
	werr := shared.WriteRuns(reps)
	printCombined(env, outcomes, reps)
	return errors.Join(combinedError(outcomes, reps), werr)
}

// prepareAll prepares the run of every scenario (prepareRun), the one
// labelled labels[i] in its own run directory and with its own --json and
// --html files. When one cannot run, those prepared are discarded and
// nothing is sent.
func prepareAll(ctx context.Context, env *Env, o *runOptions, units []runUnit, labels []string) ([]*scenarioRun, error) {
	started := env.Now()
	var runs []*scenarioRun
	for i, u := range units {
		sc := u.sc
		dir := ""
		if o.Out != "" {
			dir = filepath.Join(o.Out, results.SafeName(labels[i]))
		}
		outputs := runreport.Outputs{JSON: labelled(o.Outputs.JSON, labels[i]), HTML: labelled(o.Outputs.HTML, labels[i])}
		if len(o.Scenarios) == 1 {
			dir, outputs = unitPaths(o, u)
		}
		sr, err := prepareRun(ctx, env, o, u, started, dir, outputs, labels[i])
		if err != nil {
			for _, sr := range runs {
				sr.discard()
			}
			return nil, fmt.Errorf("%s: %w", sc.File, err)
		}
		runs = append(runs, sr)
	}
	if err := o.Guard.check(ctx, env, runs); err != nil {
		for _, sr := range runs {
			sr.discard()
		}
		return nil, err
	}
	return runs, nil
}

// sendAll sends the prepared runs one after another, each with its target
// closed once it is done. Once ctx is cancelled (Ctrl-C, or cancel when the
// dashboard is quit) the runs not started are not sent: their outcomes
// carry the cause.
func sendAll(ctx context.Context, cancel context.CancelCauseFunc, env *Env, o *runOptions, runs []*scenarioRun, labels []string) []manyOutcome {
	var outcomes []manyOutcome
	for i, sr := range runs {
		out := manyOutcome{label: labels[i], limit: sr.limit, file: sr.file, dir: sr.dir}
		if ctx.Err() != nil {
			out.err = context.Cause(ctx)
			outcomes = append(outcomes, out)
			continue
		}
		fmt.Fprintf(env.Stdout, "== scenario %d of %d: %s (%s%s)\n", i+1, len(runs), labels[i], sr.file, limitNote(sr.limit))
		out.rep, out.err = sendRun(ctx, cancel, env, o, sr)
		if out.rep == nil && out.err != nil {
			fmt.Fprintf(env.Stderr, "ratecheck: %s: %v\n", labels[i], out.err)
		}
		sr.tgt.close()
		sr.tgt.close = func() {}
		outcomes = append(outcomes, out)
	}
	return outcomes
}

// outcomeReports are the outcomes' reports for the combined outputs, a
// scenario that was not judged with one saying so (manyOutcome.report).
func outcomeReports(outcomes []manyOutcome) []*report.Report {
	reps := make([]*report.Report, len(outcomes))
	for i, out := range outcomes {
		reps[i] = out.report()
		if reps[i].Scenario.Name != out.label && results.SafeName(reps[i].Scenario.Name) != out.label {
			// A second scenario of one name: its suite and section take the
			// label its run directory has (users-2), so the two are told apart.
			r := *reps[i]
			r.Scenario.Name = out.label
			reps[i] = &r
		}
	}
	return reps
}

// discard closes the run's target and removes its run directory if the
// outputs check made it and nothing was written there: a scenario that never
// started leaves no empty directory behind.
func (sr *scenarioRun) discard() {
	sr.tgt.close()
	if errors.Is(sr.statErr, fs.ErrNotExist) {
		os.Remove(sr.dir) // only when empty
	}
}

// loadAll loads every scenario file and reports every problem of every file.
func loadAll(files []string) ([]*scenarios.Scenario, error) {
	var scs []*scenarios.Scenario
	var list scenarios.ErrorList
	var other []error
	for _, f := range files {
		sc, err := scenarios.Load(f)
		if el, ok := errors.AsType[scenarios.ErrorList](err); ok {
			list = append(list, el...)
			continue
		}
		if err != nil {
			other = append(other, err)
			continue
		}
		scs = append(scs, sc)
	}
	if len(list) > 0 {
		return nil, list
	}
	if len(other) > 0 {
		return nil, errors.Join(other...)
	}
	return scs, nil
}

// limitNote is ", limit NAME" for a run of one of a scenario's several
// limits, "" otherwise.
func limitNote(limit string) string {
	if limit == "" {
		return ""
	}
	return ", limit " + limit
}

// runUnit is one run of an invocation: a scenario, and the limit it tests
// when it is one of the scenario's several that a run can test (one run
// each).
type runUnit struct {
	sc    *scenarios.Scenario
	limit string // "" : the plan's default (or --limit)
	// also is the name of the limit tested besides the default one; its run
	// is named and its files are written after the default run's.
	also string
	// shown is the limit named in the run's progress lines when its
	// scenario's limits are run one by one; "" otherwise.
	shown string
}

// runUnits are the runs of scs: one per scenario, and, for a scenario with
// several testable limits (plan.TestableLimits: reads 10 per second and
// writes 3 per second on other endpoints) and no --limit, one more per
// limit besides the default one (plan.New's), so that every limit
// the scenario states is tested and none passes unseen. The default run
// comes first and is the run a scenario of one testable limit would make.
func runUnits(scs []*scenarios.Scenario, o *runOptions) []runUnit {
	var units []runUnit
	for _, sc := range scs {
		first := len(units)
		units = append(units, runUnit{sc: sc})
		if o.Plan.Limit != "" || o.Shard.Shard != "" {
			continue
		}
		tiered := sc
		if o.Plan.Tier != "" {
			if t, err := sc.WithPlan(o.Plan.Tier); err == nil {
				tiered = t // a bad --tier is reported when the run is planned
			}
		}
		limits := plan.TestableLimits(tiered) // the default first
		for _, l := range limits[min(1, len(limits)):] {
			units = append(units, runUnit{sc: sc, limit: l, also: l, shown: l})
		}
		if len(limits) > 1 {
			units[first].shown = limits[0]
		}
	}
	return units
}

// unitPaths are the run directory and report files of a run of one of a
// scenario's further limits when the scenario alone was given: the default
// run's, with the limit's name after them (--out runs/api: runs/api-writes;
// --json r.json: r-writes.json), so that the default run keeps the paths a
// scenario with one limit has.
func unitPaths(o *runOptions, u runUnit) (dir string, outputs runreport.Outputs) {
	if u.also == "" {
		return o.Out, o.Outputs
	}
	name := results.SafeName(u.also)
	if o.Out != "" {
		dir = filepath.Clean(o.Out) + "-" + name
	}
	return dir, runreport.Outputs{JSON: labelled(o.Outputs.JSON, name), HTML: labelled(o.Outputs.HTML, name)}
}

// uniqueLabels are the runs' names (the scenario's; for a further limit's
// run, the limit's after it: api-writes), a second one of a name numbered
// (users, users-2), so that their run directories and reports do not collide.
func uniqueLabels(units []runUnit) []string {
	seen := map[string]int{}
	labels := make([]string, len(units))
	for i, u := range units {
		name := results.SafeName(u.sc.Name)
		if u.also != "" {
			name += "-" + results.SafeName(u.also)
		}
		seen[name]++
		labels[i] = name
		if n := seen[name]; n > 1 {
			labels[i] = name + "-" + strconv.Itoa(n)
		}
	}
	return labels
}

// labelled is a report path for one scenario of several: the scenario's
// label before the extension (report.html → report-copilot.html).
func labelled(path, label string) string {
	if path == "" {
		return ""
	}
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + "-" + label + ext
}

// report is the outcome's report, or, for a scenario that was not judged
// (stopped before it started, or an error), a report saying so: INCOMPLETE,
// so that the combined reports show it and never count it as passed.
func (m manyOutcome) report() *report.Report {
	if m.rep != nil {
		return m.rep
	}
	why := "not run"
	if se, ok := errors.AsType[*stoppedError](m.err); ok {
		why = "not run: the invocation was stopped by " + se.by + " before this scenario started"
	} else if m.err != nil {
		why = "not run: " + m.err.Error()
	}
	return &report.Report{
		SchemaVersion: report.SchemaVersion,
		Scenario:      report.ScenarioInfo{Name: m.label, File: m.file},
		Verdict:       check.Incomplete,
		VerdictReason: why,
		Interrupted:   true,
	}
}

// printCombined prints one line per scenario and the combined verdict.
func printCombined(env *Env, outcomes []manyOutcome, reps []*report.Report) {
	w := env.Stdout
	status, reason := report.Combined(reps)
	fmt.Fprintf(w, "\n== %d %s, one after another\n", len(outcomes), runsOrScenarios(outcomes))
	for i, out := range outcomes {
		verdict, where := strings.ToUpper(string(reps[i].Verdict)), out.dir
		if out.rep == nil {
			verdict, where = "NOT RUN", printable(reps[i].VerdictReason)
		}
		fmt.Fprintf(w, "  %-12s  %-20s  %s\n", verdict, out.label, where)
	}
	fmt.Fprintf(w, "combined verdict: %s\n", strings.ToUpper(string(status)))
	if status != check.Pass {
		fmt.Fprintf(w, "why: %s\n", printable(reason))
	}
}

// runsOrScenarios names what outcomes are: "scenarios", or "runs" when a
// scenario's limits were run one by one.
func runsOrScenarios(outcomes []manyOutcome) string {
	for _, out := range outcomes {
		if out.limit != "" {
			return "runs"
		}
	}
	return "scenarios"
}

// combinedError is the error that sets the exit status of several
// scenarios: a signal that stopped them (130, 143); else a failed check (1);
// else a scenario that could not run (its own error, usually 2); else the
// combined verdict's (INCOMPLETE 1, INCONCLUSIVE 3, PASS 0).
func combinedError(outcomes []manyOutcome, reps []*report.Report) error {
	var notRun, written error
	for _, out := range outcomes {
		if se, ok := errors.AsType[*stoppedError](out.err); ok {
			return se
		}
		if out.err != nil && !isVerdictError(out.err) {
			err := fmt.Errorf("%s: %w", out.label, out.err)
			if out.rep == nil {
				notRun = errors.Join(notRun, err)
			} else {
				written = errors.Join(written, err)
			}
		}
	}
	status, _ := report.Combined(reps)
	switch {
	case status == check.Fail:
		return errChecksFailed
	case notRun != nil:
		return notRun
	case written != nil:
		return written
	case status == check.Incomplete:
		return errInterrupted
	case status == check.Inconclusive:
		return errInconclusive
	}
	return nil
}

// isVerdictError reports whether err only carries a run's verdict.
func isVerdictError(err error) bool {
	return errors.Is(err, errChecksFailed) || errors.Is(err, errInconclusive) || errors.Is(err, errInterrupted)
}
