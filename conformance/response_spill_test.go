package conformance

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/conformance/response"
	"github.com/ratecheck/ratecheck/results"
)

// TestRemainingSpillsAndJudgesTheSame: past records.SpillAfter responses
// headers.remaining keeps none in memory while the run goes on, and judges
// exactly as it does with every record in memory, whether the countdown
// holds or not; a spill that fails makes it skip, saying why.
func TestRemainingSpillsAndJudgesTheSame(t *testing.T) {
	defer func(n int) { records.SpillAfter = n }(records.SpillAfter)
	runs := []struct {
		name string
		obs  []results.Observation
	}{
		{"correct", stdRun(xrate(20))},
		{"one more than the truth", stdRun(remainingAs(func(d decision) int64 { return d.rem + 1 }))},
		{"a dip", stdRun(remainingAs(func(d decision) int64 {
			if d.seq == 10 {
				return d.rem - 3
			}
			return d.rem
		}))},
	}
	remaining := func(o Options, obs []results.Observation) (check.Result, *response.RemainingChecker) {
		j := New(stdPlan(), o)
		for _, ob := range obs {
			j.Observe(ob)
		}
		c := j.cur.checkers[checkIndex(check.HeadersRemaining)].Checker.(*response.RemainingChecker)
		return resultOf(t, j.Verdict(), check.HeadersRemaining), c
	}
	for _, r := range runs {
		records.SpillAfter = 1 << 30
		want, _ := remaining(Options{}, r.obs)
		records.SpillAfter = 7
		var sp *memSpill
		j := New(stdPlan(), Options{Spill: inMemory(&sp)})
		for _, ob := range r.obs {
			j.Observe(ob)
		}
		c := j.cur.checkers[checkIndex(check.HeadersRemaining)].Checker.(*response.RemainingChecker)
		inMem := 0
		for _, s := range c.Set.ByKey {
			inMem += len(s.Recs)
		}
		if c.Set.Spilled == nil || c.Set.Spilled.N != c.Set.N || inMem != 0 {
			t.Fatalf("%s: %d responses kept, %d in memory (spilled: %v); want all on disk past %d", r.name, c.Set.N, inMem, c.Set.Spilled != nil, records.SpillAfter)
		}
		got := resultOf(t, j.Verdict(), check.HeadersRemaining)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: headers.remaining spilled differs from in memory (-memory +spilled):\n%s", r.name, diff)
		}
	}

	records.SpillAfter = 7
	var sp *memSpill
	got, _ := remaining(Options{Spill: func() (records.Spill, error) {
		if sp == nil { // the collector's, first: it works
			sp = &memSpill{}
			return sp, nil
		}
		return &memSpill{gone: true}, nil
	}}, runs[0].obs)
	if got.Status != check.Skip || !strings.Contains(got.Message, "could not be kept on disk and read back") || !strings.Contains(got.Message, "the file went away") {
		t.Errorf("a spill that cannot be read back: headers.remaining = %s (%s); want skip saying why", got.Status, got.Message)
	}
	_, c := remaining(Options{Spill: func() (records.Spill, error) { return nil, fmt.Errorf("no room") }}, runs[0].obs)
	if c.Set.Spilled != nil || !c.Set.NoSpill {
		t.Errorf("with no spill to be had: spilled %v, given up %v; want the records kept in memory", c.Set.Spilled != nil, c.Set.NoSpill)
	}
}
