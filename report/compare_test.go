package report_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/google/go-cmp/cmp"

	"github.com/ratecheck/ratecheck/conformance"
	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/report"
)

func TestCompareChecks(t *testing.T) {
	const (
		P = check.Pass
		F = check.Fail
		S = check.Skip
		A = check.Status("") // absent
	)
	tests := []struct {
		base, run check.Status
		changed   bool
		worse     bool
	}{
		{P, P, false, false},
		{F, F, false, false}, // failing the same check again is not worse
		{S, S, false, false},
		{P, F, true, true},
		{S, F, true, true},
		{A, F, true, true},
		{P, S, true, true}, // no longer proven
		{P, A, true, true},
		{F, P, true, false},
		{F, S, true, false},
		{S, P, true, false},
		{A, P, true, false},
		{F, A, true, false},
	}
	for _, tt := range tests {
		name := string(tt.base) + "→" + string(tt.run)
		t.Run(name, func(t *testing.T) {
			base, run := passingReport(), passingReport()
			setStatus(base, check.LimitEnforced, tt.base)
			setStatus(run, check.LimitEnforced, tt.run)
			c := report.Compare("a", base, "b", run, report.DefaultTolerance)
			if got := len(c.Checks) == 1; got != tt.changed {
				t.Fatalf("changes = %+v; want changed=%v", c.Checks, tt.changed)
			}
			if c.Worse() != tt.worse {
				t.Errorf("Worse() = %v; want %v (regressions %q)", c.Worse(), tt.worse, c.Regressions())
			}
			if tt.changed && (c.Checks[0].Base != tt.base || c.Checks[0].Run != tt.run || c.Checks[0].Limit != "per-second") {
				t.Errorf("change = %+v; want %s per-second %q → %q", c.Checks[0], check.LimitEnforced, tt.base, tt.run)
			}
		})
	}
}

// TestCompareOneDefectOneRegression: a check that passed and now skips
// pointing at the check that fails the defect (timing.onset at
// limit.enforced, as in a --fault off-by-one run) changes, but is not a
// second regression; pointing at a check that does not fail, it is one.
func TestCompareOneDefectOneRegression(t *testing.T) {
	for _, tc := range []struct {
		name        string
		enforced    check.Status
		regressions int
	}{
		{"pointing at a failure", check.Fail, 1},
		{"pointing at a pass", check.Pass, 1},
	} {
		base, run := passingReport(), passingReport()
		setStatus(run, check.LimitEnforced, tc.enforced)
		setStatus(base, check.TimingOnset, check.Pass)
		setStatus(run, check.TimingOnset, check.Skip)
		for i := range run.Checks {
			if run.Checks[i].ID == check.TimingOnset {
				run.Checks[i].See = check.LimitEnforced
			}
		}
		c := report.Compare("a", base, "b", run, report.DefaultTolerance)
		if got := len(c.Regressions()); got != tc.regressions {
			t.Errorf("%s: regressions %q; want %d", tc.name, c.Regressions(), tc.regressions)
		}
		for _, ch := range c.Checks {
			if ch.ID == check.TimingOnset && ch.Worse == (tc.enforced == check.Fail) {
				t.Errorf("%s: timing.onset's change %+v; want worse %v", tc.name, ch, tc.enforced != check.Fail)
			}
		}
	}
}

// setStatus sets the status of check id, or removes it for "".
func setStatus(r *report.Report, id check.ID, s check.Status) {
	for i, c := range r.Checks {
		if c.ID != id {
			continue
		}
		if s == "" {
			r.Checks = append(r.Checks[:i], r.Checks[i+1:]...)
			return
		}
		r.Checks[i].Status = s
	}
}

func TestCompareMeasurements(t *testing.T) {
	ms := time.Millisecond
	tol := report.Tolerance{Latency: 0.5, LatencyFloor: 5 * ms, Recovery: 100 * ms}
	tests := []struct {
		name        string
		p99         [2]time.Duration
		max         [2]time.Duration
		wait        [2]time.Duration
		precision   time.Duration // of each recovery
		regressions []string
	}{
		{"same", [2]time.Duration{20 * ms, 20 * ms}, [2]time.Duration{30 * ms, 30 * ms}, [2]time.Duration{time.Second, time.Second}, 5 * ms, nil},
		{"p99 +60% but only +3ms", [2]time.Duration{5 * ms, 8 * ms}, [2]time.Duration{9 * ms, 9 * ms}, [2]time.Duration{time.Second, time.Second}, 5 * ms, nil},
		{"p99 +10ms but only +20%", [2]time.Duration{50 * ms, 60 * ms}, [2]time.Duration{90 * ms, 90 * ms}, [2]time.Duration{time.Second, time.Second}, 5 * ms, nil},
		{"p99 doubled", [2]time.Duration{20 * ms, 40 * ms}, [2]time.Duration{50 * ms, 50 * ms}, [2]time.Duration{time.Second, time.Second}, 5 * ms,
			[]string{"latency p99 grew from 20.00 ms to 40.00 ms (+100%; tolerance +50% and +5ms)"}},
		{"max is not judged", [2]time.Duration{20 * ms, 20 * ms}, [2]time.Duration{30 * ms, 900 * ms}, [2]time.Duration{time.Second, time.Second}, 5 * ms, nil},
		{"recovery within precision and tolerance", [2]time.Duration{20 * ms, 20 * ms}, [2]time.Duration{30 * ms, 30 * ms}, [2]time.Duration{time.Second, 1109 * ms}, 5 * ms, nil},
		{"recovery beyond", [2]time.Duration{20 * ms, 20 * ms}, [2]time.Duration{30 * ms, 30 * ms}, [2]time.Duration{time.Second, 1111 * ms}, 5 * ms,
			[]string{"recovery (per-second) grew by 111ms, from 1.000 s to 1.111 s (± 10ms together; tolerance +100ms)"}},
		{"faster recovery", [2]time.Duration{20 * ms, 20 * ms}, [2]time.Duration{30 * ms, 30 * ms}, [2]time.Duration{2 * time.Second, time.Second}, 5 * ms, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rs [2]*report.Report
			for i := range rs {
				rs[i] = passingReport()
				rs[i].Latency.P99, rs[i].Latency.Max = tt.p99[i], tt.max[i]
				rs[i].Recovery = &conformance.Recovery{Limit: "per-second", Wait: tt.wait[i], Precision: tt.precision}
			}
			c := report.Compare("a", rs[0], "b", rs[1], tol)
			if diff := cmp.Diff(tt.regressions, c.Regressions()); diff != "" {
				t.Errorf("Regressions() (-want +got):\n%s", diff)
			}
		})
	}
}

// TestComparisonWriters renders a regression (a passing base, a failing run
// with a slower recovery) and its reverse in both formats.
func TestComparisonWriters(t *testing.T) {
	base, run := passingReport(), failingReport()
	base.Recovery = &conformance.Recovery{Limit: "per-second", Wait: 480 * time.Millisecond, Precision: 6 * time.Millisecond}
	run.Checks = append(run.Checks, check.Result{ID: check.BodyErrorFormat, Status: check.Skip, Message: "no error shape declared"})
	run.Checks[1].Message += " \x1b[2J"
	for _, w := range []struct {
		name  string
		write func(*bytes.Buffer, *report.Comparison) error
	}{
		{"text", func(b *bytes.Buffer, c *report.Comparison) error { return report.WriteComparison(b, c) }},
		{"markdown", func(b *bytes.Buffer, c *report.Comparison) error { return report.WriteComparisonMarkdown(b, c) }},
	} {
		t.Run(w.name, func(t *testing.T) {
			var buf bytes.Buffer
			c := report.Compare("runs/base", base, "runs/run", run, report.DefaultTolerance)
			if err := w.write(&buf, c); err != nil {
				t.Fatal(err)
			}
			golden.RequireEqual(t, buf.Bytes())
			if !strings.Contains(buf.String(), "limit.enforced") {
				t.Errorf("the comparison does not name limit.enforced")
			}
			if w.name == "markdown" && strings.Contains(buf.String(), "<script>") {
				t.Errorf("report text is not escaped for Markdown")
			}
			if strings.Contains(buf.String(), "\x1b") {
				t.Errorf("a control character reached the output")
			}
		})
	}
}
