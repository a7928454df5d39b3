package matrix

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance"
	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/internal/longtest"
	"github.com/ratecheck/ratecheck/internal/runner"
)

// quietLatency is the slowest answer under which the probe must time a lift
// to ±10 ms: its precision is half of 10 ms of spacing, plus the admission's
// latency and 4 ms of clock allowance. On a machine so loaded that loopback
// answers take longer, the precision is stated wider, and only the accuracy
// (the lift lies within the stated precision) is asserted.
const quietLatency = 5 * time.Millisecond

// TestProbeTimesLiftOnLoopback proves the measured recovery against the
// reference target over HTTP, where the truth is known: a clock-aligned fixed
// window lifts on whole seconds of this machine's clock, and the slow-recovery
// fault holds every request for 2 s (twice the promised recovery) after the
// first rejection.
func TestProbeTimesLiftOnLoopback(t *testing.T) {
	t.Parallel()
	longtest.Skip(t, "runs of the default plan, 12 s")
	t.Run("fixed window lifts on the second", func(t *testing.T) {
		t.Parallel()
		m, out := measure(t, cell{family: families[0], fault: "none"})
		if m.Phase != "probe" {
			t.Errorf("Recovery.Phase = %q; want probe", m.Phase)
		}
		off := m.LiftedAt.Sub(m.LiftedAt.Round(time.Second))
		if off < -m.LiftPrecision || off > m.LiftPrecision {
			t.Errorf("lift at %s is %v from the nearest whole second; want within its precision ±%v",
				m.LiftedAt.Format("15:04:05.000000"), off, m.LiftPrecision)
		}
		if lat := out.Metrics.Latency.Max; lat <= quietLatency && m.LiftPrecision > 10*time.Millisecond {
			t.Errorf("Recovery.LiftPrecision = ±%v with latencies up to %v; want within ±10ms", m.LiftPrecision, lat)
		}
		if s := status(out.Verdict, check.RecoveryAfterWindow); s != check.Pass {
			t.Errorf("%s = %s; want pass", check.RecoveryAfterWindow, s)
		}
	})
	for _, f := range []family{families[0], families[3]} {
		t.Run(f.name+" slow recovery waits 2s", func(t *testing.T) {
			t.Parallel()
			m, out := measure(t, cell{family: f, fault: "slow-recovery"})
			if d := m.Wait - 2*time.Second; d < -m.Precision || d > m.Precision {
				t.Errorf("Recovery.Wait = %v ± %v; want the 2s penalty within that precision", m.Wait, m.Precision)
			}
			if s := status(out.Verdict, check.RecoveryAfterWindow); s != check.Fail {
				t.Errorf("%s = %s; want fail", check.RecoveryAfterWindow, s)
			}
		})
	}
}

// measure runs c and returns the measured recovery, failing the test when the
// run did not measure one.
func measure(t *testing.T, c cell) (*conformance.Recovery, *runner.Outcome) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, dir, err := c.run(ctx)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s: observations kept in %s (ratecheck report DIR re-judges them)", c, dir)
			return
		}
		os.RemoveAll(dir)
	})
	if err != nil {
		t.Fatal(err)
	}
	logChecks(t, out.Verdict)
	m := out.Verdict.Recovery
	if m == nil {
		t.Fatalf("%s: Verdict.Recovery = nil; want a measured lift", c)
	}
	t.Logf("%s: %s (lifted at %s ± %v)", c, m.Summary, m.LiftedAt.Format("15:04:05.000000"), m.LiftPrecision)
	return m, out
}
