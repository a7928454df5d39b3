package main

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/report"
	"github.com/ratecheck/ratecheck/scenarios"
)

func TestLabelsAndPaths(t *testing.T) {
	var units []runUnit
	for _, n := range []string{"users", "copilot", "users", "a/b c", "users"} {
		units = append(units, runUnit{sc: &scenarios.Scenario{Name: n}})
	}
	api := &scenarios.Scenario{Name: "api"}
	units = append(units, runUnit{sc: api, shown: "reads"}, runUnit{sc: api, limit: "writes", also: "writes", shown: "writes"})
	got := fmt.Sprint(uniqueLabels(units))
	if want := "[users copilot users-2 a-b-c users-3 api api-writes]"; got != want {
		t.Errorf("uniqueLabels = %s; want %s", got, want)
	}
	for _, tt := range []struct{ path, want string }{
		{"report.html", "report-users.html"},
		{"out/r.json", "out/r-users.json"},
		{"noext", "noext-users"},
		{"", ""},
	} {
		if got := labelled(tt.path, "users"); got != tt.want {
			t.Errorf("labelled(%q) = %q; want %q", tt.path, got, tt.want)
		}
	}
}

// TestCombinedExit: the exit status of several scenarios, from the worst of
// them: a signal, then a failure, then a scenario that could not run, then
// the combined verdict.
func TestCombinedExit(t *testing.T) {
	ran := func(s check.Status, err error) manyOutcome {
		return manyOutcome{label: string(s), rep: &report.Report{Verdict: s}, err: err}
	}
	pass := ran(check.Pass, nil)
	fail := ran(check.Fail, errChecksFailed)
	inconclusive := ran(check.Inconclusive, errInconclusive)
	incomplete := ran(check.Incomplete, errInterrupted)
	unreachable := manyOutcome{label: "down", err: &usageError{err: errors.New("target unreachable")}}
	stopped := manyOutcome{label: "stopped", rep: &report.Report{Verdict: check.Incomplete, Interrupted: true}, err: &stoppedError{by: "SIGTERM"}}
	notStarted := manyOutcome{label: "next", err: &stoppedError{by: "SIGTERM"}}
	unwritten := ran(check.Pass, errors.New("not every output was written"))
	tests := []struct {
		name string
		outs []manyOutcome
		want int
	}{
		{"all pass", []manyOutcome{pass, pass}, exitPass},
		{"a failure wins over the rest", []manyOutcome{pass, inconclusive, unreachable, fail, incomplete}, exitFail},
		{"a signal wins over a failure", []manyOutcome{fail, stopped, notStarted}, exitSIGTERM},
		{"a scenario that could not run", []manyOutcome{pass, unreachable, inconclusive}, exitUsage},
		{"incomplete over inconclusive", []manyOutcome{inconclusive, incomplete}, exitFail},
		{"inconclusive", []manyOutcome{pass, inconclusive}, exitInconclusive},
		{"a report not written", []manyOutcome{pass, unwritten}, exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reps := make([]*report.Report, len(tt.outs))
			for i, o := range tt.outs {
				reps[i] = o.report()
			}
			env := &Env{Stdout: io.Discard, Stderr: io.Discard}
			if got := reportError(env, combinedError(tt.outs, reps)); got != tt.want {
				t.Errorf("exit status %d; want %d", got, tt.want)
			}
		})
	}
}

// A scenario's limits that count different endpoints are run one by one,
// the default first; a limit --tier makes unlimited has no run, and --limit
// or --shard leave one run.
func TestRunUnits(t *testing.T) {
	sc, err := scenarios.Parse("api.yaml", []byte(`name: api
target: http://127.0.0.1:1
auth:
  header: X-Key
  keys:
    primary: ${K}
endpoints:
  - {name: list, path: /items}
  - {name: create, method: POST, path: /items}
limits:
  - {name: reads, requests: 10, window: 1s, endpoints: [list]}
  - {name: writes, window: 1s, endpoints: [create], plans: {free: 3, pro: unlimited}}
plan: free
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		o    runOptions
		want string // limit/shown of each unit
	}{
		{"every limit", runOptions{}, "[/writes reads/reads]"}, // the stricter first
		{"a tier where writes are unlimited", runOptions{Plan: planFlags{Tier: "pro"}}, "[/]"},
		{"--limit", runOptions{Plan: planFlags{Limit: "writes"}}, "[/]"},
		{"--shard", runOptions{Shard: shardFlags{Shard: "0/2"}}, "[/]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, u := range runUnits([]*scenarios.Scenario{sc}, &tt.o) {
				got = append(got, u.limit+"/"+u.shown)
			}
			if s := fmt.Sprint(got); s != tt.want {
				t.Errorf("runUnits = %s; want %s", s, tt.want)
			}
		})
	}
}
