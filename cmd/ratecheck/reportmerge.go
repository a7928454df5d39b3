package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/results/merge"
	"github.com/ratecheck/ratecheck/scenarios"
)

// clockShare is the part of the tested limit's window that the shards' clock
// uncertainty may take up before the merged timeline is too uncertain to
// judge: beyond it, so much of every window is ambiguous that the checks
// would pass on little evidence.
const clockShare = 5

// reportMerged judges the shards of one sharded run as one run: each
// observation widened by its shard's clock uncertainty, and no verdict where
// that uncertainty is more than the checks can absorb.
func reportMerged(env *Env, o *reportOptions) error {
	m, err := merge.Open(o.Dirs)
	if err != nil {
		return &usageError{err: err}
	}
	meta := m.Meta
	meta.Notes = append(meta.Notes, m.Notes()...)
	return judgeStored(env, o, stored{
		first: fmt.Sprintf("ratecheck report %s (%d shards merged)", strings.Join(o.Dirs, " "), len(m.Shards)),
		meta:  meta,
		raw:   m.Scenario,
		total: -1,
		replay: func(yield func(seen, judged results.Observation)) error {
			for p, err := range m.Observations() {
				if err != nil {
					return fmt.Errorf("read shards: %w", err)
				}
				yield(p.Observation, p.Widened())
			}
			return nil
		},
		finish: func(meta *results.Meta, last time.Time) {
			if meta.Finished.IsZero() {
				meta.Finished = last
			}
		},
		doubt: func(p *plan.Plan) (string, bool) { return m.Undecidable(clockTolerance(p)) },
		coarse: func(p *plan.Plan) string {
			why, _ := m.Undecidable(requestSpacing(p))
			return why
		},
		lines: m.Notes(),
	})
}

// clockTolerance is the most clock error between shards the merged run is
// judged with at all: a fifth of the tested window. Below it every request's
// arrival interval is widened by its shard's uncertainty, so a decision the
// clocks could flip is ambiguous, never a violation; a failure found stands.
func clockTolerance(p *plan.Plan) time.Duration {
	window := time.Second
	if l := p.TestedLimit(); l != nil && l.Window > 0 {
		window = l.Window
	}
	return window / clockShare
}

// requestSpacing is the most clock error under which the checks that count
// single requests (conformance.OneRequestChecks) may pass: the time between
// two requests of the fastest over phase. A larger error can move one
// request across a window's edge, and an off-by-one admission is exactly one
// request: widened by it, the extra admission hid in a four-shard run at
// 20/s (offsets ±34 ms). Between the two bounds the other checks (status,
// headers, recovery, auth) are judged and those three pass only undecided.
// (A single bound at this spacing refused every merge at thousands a second:
// four shards at 2,000/s, offsets known to ±1 ms, against 0.5 ms.)
func requestSpacing(p *plan.Plan) time.Duration {
	tol := clockTolerance(p)
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
