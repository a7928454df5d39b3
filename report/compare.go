package report

import (
	"fmt"
	"slices"
	"time"

	"github.com/ratecheck/ratecheck/conformance"
	"github.com/ratecheck/ratecheck/conformance/check"
)

// Tolerance is how much worse a measurement may get between two runs before
// Compare calls it a regression. Loopback latencies move by tens of percent
// between runs of the same build, so a latency must grow by both the relative
// and the absolute amount.
type Tolerance struct {
	Latency      float64       // relative growth allowed, 0.5 = +50 %
	LatencyFloor time.Duration // and the absolute growth allowed
	Recovery     time.Duration // growth of the measured recovery allowed beyond both runs' precision
}

// DefaultTolerance is the tolerance of `ratecheck compare` without flags.
var DefaultTolerance = Tolerance{Latency: 0.5, LatencyFloor: 5 * time.Millisecond, Recovery: 100 * time.Millisecond}

// String states the tolerance in words, for the reader of a comparison.
func (t Tolerance) String() string {
	return fmt.Sprintf("latency +%.0f%% and +%s; recovery +%s beyond both measurements' precision",
		t.Latency*100, t.LatencyFloor, t.Recovery)
}

// Comparison is what changed between a base run and a later run.
type Comparison struct {
	Base, Run Side
	Tolerance Tolerance
	Checks    []CheckChange // checks whose status changed, worse first
	Recovery  *Delta        // nil when neither run measured a recovery
	Latency   []Delta       // p50, p90, p99, max over all requests
	Notes     []string      // e.g. the runs followed different scenarios
}

// Side names one run of a comparison.
type Side struct {
	Name     string // the path given
	RunID    string
	Scenario string
	Target   string
	Verdict  check.Status
	Requests int64
}

// CheckChange is one check whose status differs between the runs. A status
// of "" means the check is absent from that run.
type CheckChange struct {
	ID      check.ID
	Limit   string
	Base    check.Status
	Run     check.Status
	Message string // the later run's message, or the base's when the check is gone
	Worse   bool
	// See is the failing check a check now skipped points at (check.Result's
	// See): the defect is that check's regression, not counted again here.
	See check.ID
}

// Delta is one measurement in both runs.
type Delta struct {
	Name       string
	Base, Run  time.Duration
	Precision  time.Duration // the two measurements' combined precision (recovery only)
	Measured   [2]bool       // whether base and run measured it
	Worse      bool
	Reason     string // why it is worse, when it is
	comparable bool
}

// Change is Run − Base.
func (d Delta) Change() time.Duration { return d.Run - d.Base }

// Worse reports whether anything got worse beyond the tolerance.
func (c *Comparison) Worse() bool { return len(c.Regressions()) > 0 }

// Regressions lists, in words, everything that got worse beyond the tolerance.
func (c *Comparison) Regressions() []string {
	var out []string
	for _, ch := range c.Checks {
		if ch.Worse {
			out = append(out, fmt.Sprintf("%s: %s → %s", ch.label(), statusWord(ch.Base), statusWord(ch.Run)))
		}
	}
	if c.Recovery != nil && c.Recovery.Worse {
		out = append(out, c.Recovery.Reason)
	}
	for _, d := range c.Latency {
		if d.Worse {
			out = append(out, d.Reason)
		}
	}
	return out
}

func (ch CheckChange) label() string {
	if ch.Limit == "" {
		return string(ch.ID)
	}
	return fmt.Sprintf("%s (%s)", ch.ID, ch.Limit)
}

func statusWord(s check.Status) string {
	if s == "" {
		return "absent"
	}
	return string(s)
}

// Compare sets run against base. A check got worse when it fails now and did
// not before, or passed before and is now skipped or absent (it no longer
// proves what it proved), unless it now skips pointing at a check that
// fails (one defect, one regression). Measured recovery got worse when it grew by more
// than tol.Recovery beyond both measurements' precision; a latency percentile
// (p50, p90, p99) when it grew by more than tol.Latency and tol.LatencyFloor
// both. The maximum latency is shown, not judged: it is one request.
func Compare(baseName string, base *Report, runName string, run *Report, tol Tolerance) *Comparison {
	c := &Comparison{Base: side(baseName, base), Run: side(runName, run), Tolerance: tol}
	if base.Scenario.Name != run.Scenario.Name {
		c.Notes = append(c.Notes, fmt.Sprintf("the runs followed different scenarios (%q and %q)", base.Scenario.Name, run.Scenario.Name))
	}
	if base.Interrupted || run.Interrupted {
		c.Notes = append(c.Notes, "an interrupted run is compared: it judged only what it sent")
	}
	c.Checks = compareChecks(base.Checks, run.Checks)
	c.Recovery = compareRecovery(base.Recovery, run.Recovery, tol)
	c.Latency = compareLatency(base, run, tol)
	return c
}

func side(name string, r *Report) Side {
	return Side{Name: name, RunID: r.RunID, Scenario: r.Scenario.Name, Target: r.Target, Verdict: r.Verdict, Requests: r.Requests}
}

type checkKey struct {
	id    check.ID
	limit string
}

func compareChecks(base, run []check.Result) []CheckChange {
	was := map[checkKey]check.Result{}
	for _, ch := range base {
		was[checkKey{ch.ID, ch.Limit}] = ch
	}
	var out []CheckChange
	for _, now := range run {
		k := checkKey{now.ID, now.Limit}
		before, ok := was[k]
		delete(was, k)
		if ok && before.Status == now.Status {
			continue
		}
		ch := checkChange(k, before.Status, now.Status, now.Message)
		if ch.Worse && now.Status == check.Skip && failsIn(run, now.See, now.Limit) {
			ch.Worse, ch.See = false, now.See // one defect, one regression: the check it points at
		}
		out = append(out, ch)
	}
	for _, ch := range base { // in the base's order: gone from the later run
		if _, gone := was[checkKey{ch.ID, ch.Limit}]; gone {
			out = append(out, checkChange(checkKey{ch.ID, ch.Limit}, ch.Status, "", ch.Message))
		}
	}
	slices.SortStableFunc(out, func(a, b CheckChange) int {
		switch {
		case a.Worse && !b.Worse:
			return -1
		case b.Worse && !a.Worse:
			return 1
		}
		return 0
	})
	return out
}

// failsIn reports whether check id of limit fails in checks.
func failsIn(checks []check.Result, id check.ID, limit string) bool {
	return id != "" && slices.ContainsFunc(checks, func(c check.Result) bool {
		return c.ID == id && c.Limit == limit && c.Status == check.Fail
	})
}

func checkChange(k checkKey, before, now check.Status, msg string) CheckChange {
	worse := (now == check.Fail && before != check.Fail) ||
		(before == check.Pass && now != check.Pass && now != check.Fail)
	return CheckChange{ID: k.id, Limit: k.limit, Base: before, Run: now, Message: msg, Worse: worse}
}

func compareRecovery(base, run *conformance.Recovery, tol Tolerance) *Delta {
	if base == nil && run == nil {
		return nil
	}
	d := &Delta{Name: "recovery"}
	if base != nil {
		d.Base, d.Measured[0], d.Precision = base.Wait, true, base.Precision
		d.Name = "recovery (" + base.Limit + ")"
	}
	if run != nil {
		d.Run, d.Measured[1], d.Precision = run.Wait, true, d.Precision+run.Precision
		d.Name = "recovery (" + run.Limit + ")"
	}
	if d.Measured[0] && d.Measured[1] {
		d.comparable = true
		if grew := d.Change(); grew > d.Precision+tol.Recovery {
			d.Worse = true
			d.Reason = fmt.Sprintf("%s grew by %s, from %s to %s (± %s together; tolerance +%s)",
				d.Name, grew.Round(time.Millisecond), seconds(d.Base), seconds(d.Run), d.Precision.Round(time.Millisecond), tol.Recovery)
		}
	}
	return d
}

func compareLatency(base, run *Report, tol Tolerance) []Delta {
	// The maximum is one request: shown, never judged.
	pick := []struct {
		name   string
		of     func(*Report) time.Duration
		judged bool
	}{
		{"latency p50", func(r *Report) time.Duration { return r.Latency.P50 }, true},
		{"latency p90", func(r *Report) time.Duration { return r.Latency.P90 }, true},
		{"latency p99", func(r *Report) time.Duration { return r.Latency.P99 }, true},
		{"latency max (not judged)", func(r *Report) time.Duration { return r.Latency.Max }, false},
	}
	measured := [2]bool{base.Requests > 0, run.Requests > 0}
	out := make([]Delta, 0, len(pick))
	for _, p := range pick {
		d := Delta{Name: p.name, Base: p.of(base), Run: p.of(run), Measured: measured, comparable: measured[0] && measured[1]}
		limit := max(time.Duration(float64(d.Base)*(1+tol.Latency)), d.Base+tol.LatencyFloor)
		if p.judged && d.comparable && d.Run > limit {
			d.Worse = true
			d.Reason = fmt.Sprintf("%s grew from %s to %s (%s; tolerance +%.0f%% and +%s)",
				d.Name, millis(d.Base), millis(d.Run), percent(d.Base, d.Run), tol.Latency*100, tol.LatencyFloor)
		}
		out = append(out, d)
	}
	return out
}

// percent is the relative change from a to b, "+12%".
func percent(a, b time.Duration) string {
	if a <= 0 {
		return "new"
	}
	return fmt.Sprintf("%+.0f%%", (float64(b)/float64(a)-1)*100)
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f s", d.Seconds()) }

func millis(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}
