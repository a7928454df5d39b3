package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/ratecheck/ratecheck/conformance"
	"github.com/ratecheck/ratecheck/internal/gcpolicy"
	"github.com/ratecheck/ratecheck/internal/runner"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/results/merge"
	"github.com/ratecheck/ratecheck/results/metrics"
	"github.com/ratecheck/ratecheck/scenarios"
)

// clockShare is the part of the tested limit's window that the shards' clock
// uncertainty may take up before the merged timeline is too uncertain to
// judge: beyond it, so much of every window is ambiguous that the checks
// would pass on little evidence.
const clockShare = 5

// reportMerged judges the shards of one sharded run as one run.
func reportMerged(env *Env, o *reportOptions) error {
	m, err := merge.Open(o.Dirs)
	if err != nil {
		return &usageError{err: err}
	}
	sc, err := scenarios.Parse(m.Meta.ScenarioFile, m.Scenario)
	if err != nil {
		return err
	}
	plan := scenarios.NewPlan(sc)
	meta := m.Meta
	meta.Notes = append(meta.Notes, m.Notes()...)
	rec := metrics.NewRecorder(runner.MetricsPhases(plan), meta.Started)
	for i, t := range meta.PhaseStarts {
		if !t.IsZero() {
			rec.StartPhase(i, t)
		}
	}
	var last time.Time
	for ob, err := range m.Observations(false) {
		if err != nil {
			return fmt.Errorf("read shards: %w", err)
		}
		rec.Record(ob)
		if r := ob.Received(); r.After(last) {
			last = r
		}
	}
	if meta.Finished.IsZero() {
		meta.Finished = last
	}
	var readErr error
	verdict := gcpolicy.Judge(func() conformance.Verdict {
		j := runner.NewJudge(plan)
		for ob, err := range m.Observations(true) {
			if err != nil {
				readErr = err
				break
			}
			j.Observe(ob)
		}
		return j.Verdict()
	})
	if readErr != nil {
		return fmt.Errorf("read shards: %w", readErr)
	}
	if why, unaligned := m.Undecidable(clockTolerance(plan)); why != "" {
		// Timing on this timeline settles nothing: no pass stands, and when
		// a shard could not be aligned at all, no failure either. A failure
		// found on a timeline widened by a known uncertainty stands, since
		// the widening only ever excuses decisions.
		meta.Notes = append(meta.Notes, "the merged timeline is too uncertain to judge: "+why)
		verdict = verdict.Withhold(func(msg string) string {
			return "the shards' clocks are too uncertain to judge their merged timeline: " + why + " (as judged: " + msg + ")"
		}, unaligned)
	}
	rep := buildReport(meta, plan, verdict, rec.Snapshot(meta.Finished), rec.Timeline())
	written, werr := o.Outputs.write("", rep)
	fmt.Fprintf(env.Stdout, "ratecheck report %s: %s against %s, %d shards merged\n", strings.Join(o.Dirs, " "), sc.Name, results.TargetName(meta.Target, meta.BuiltinTarget), len(m.Shards))
	for _, n := range m.Notes() {
		fmt.Fprintln(env.Stdout, "  "+n)
	}
	printSummary(env, rep, o.Dir, written)
	if werr != nil {
		return werr
	}
	return verdictError(rep, "")
}

// clockTolerance is the most clock error between shards the checks can
// absorb: less than the time between two requests of the fastest phase that
// drives the tested limit past its budget (a larger error could move one
// request across a window's edge, and an off-by-one admission is exactly one
// request), and at most a fifth of the window.
func clockTolerance(p *scenarios.Plan) time.Duration {
	window := time.Second
	if l := p.TestedLimit(); l != nil && l.Window > 0 {
		window = l.Window
	}
	tol := window / clockShare
	for _, ph := range p.Phases {
		if ph.Kind == scenarios.PhaseOver && ph.Rate > 0 && !ph.Unpaced() {
			tol = min(tol, time.Duration(float64(time.Second)/ph.Rate))
		}
	}
	return tol
}

// waitPoll is how often waitForRuns looks again.
const waitPoll = time.Second

// waitForRuns waits, up to wait, until every run directory exists and its run
// has finished, saying what it waits for. With wait 0 it returns at once.
// Runs still unfinished after wait are judged as they are (and reported
// incomplete).
func waitForRuns(env *Env, dirs []string, wait time.Duration) error {
	if wait <= 0 {
		return nil
	}
	deadline := env.Now().Add(wait)
	said := -1
	for {
		var pending []string
		for _, d := range dirs {
			if r, err := results.Open(d); err != nil || !r.Finished() {
				pending = append(pending, d)
			}
		}
		if len(pending) == 0 {
			return nil
		}
		if !env.Now().Before(deadline) {
			fmt.Fprintf(env.Stderr, "ratecheck: waited %s; still unfinished: %s\n", wait, strings.Join(pending, " "))
			return nil
		}
		if len(pending) != said {
			fmt.Fprintf(env.Stderr, "waiting for %d of %d runs to finish: %s\n", len(pending), len(dirs), strings.Join(pending, " "))
			said = len(pending)
		}
		time.Sleep(waitPoll)
	}
}
