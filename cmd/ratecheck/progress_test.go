package main

import (
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results/metrics"
	"github.com/ratecheck/ratecheck/scenarios"
)

// TestPhasesRun: a phase has run once its time is over and every request it
// planned was answered; the count stops at the first that has not.
func TestPhasesRun(t *testing.T) {
	p := &plan.Plan{Phases: []plan.Phase{
		{Name: "under", Kind: scenarios.PhaseUnder, Start: 0, Duration: 2 * time.Second, Requests: 20},
		{Name: "pause", Kind: scenarios.PhasePause, Start: 2 * time.Second, Duration: time.Second},
		{Name: "no-key", Kind: scenarios.PhaseNoKey, Start: 3 * time.Second, Duration: 50 * time.Millisecond, Requests: 10},
	}}
	snap := func(answered ...int64) metrics.Snapshot {
		planned := []int64{20, 0, 10}
		var m metrics.Snapshot
		for i, a := range answered {
			m.Phases = append(m.Phases, metrics.PhaseSnapshot{Planned: planned[i], Requests: a})
		}
		return m
	}
	for _, tc := range []struct {
		name    string
		m       metrics.Snapshot
		elapsed time.Duration
		want    int
	}{
		{"under going", snap(12, 0, 0), time.Second, 0},
		{"under's time over, answers in flight", snap(19, 0, 0), 2100 * time.Millisecond, 0},
		{"in the pause", snap(20, 0, 0), 2500 * time.Millisecond, 1},
		{"no-key sent, its time over, answers in flight", snap(20, 0, 9), 3100 * time.Millisecond, 2},
		{"all run", snap(20, 0, 10), 3100 * time.Millisecond, 3},
		{"all answered before no-key's time is over", snap(20, 0, 10), 3040 * time.Millisecond, 2},
		{"metrics of fewer phases", snap(20), 3100 * time.Millisecond, 1},
	} {
		if got := phasesRun(p, tc.m, tc.elapsed); got != tc.want {
			t.Errorf("%s: phasesRun = %d; want %d", tc.name, got, tc.want)
		}
	}
}
