package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/ratecheck/ratecheck/internal/runreport"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/results/merge"
)

// reportMerged judges the shards of one sharded run as one run
// (runreport.Merged).
func reportMerged(env *Env, o *reportOptions) error {
	m, err := merge.Open(o.Dirs)
	if err != nil {
		return &usageError{err: err}
	}
	return judgeStored(env, o, stored{
		Stored: runreport.Merged(m),
		first:  fmt.Sprintf("ratecheck report %s (%d shards merged)", strings.Join(o.Dirs, " "), len(m.Shards)),
		raw:    m.Scenario,
		lines:  m.Notes(),
	})
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
