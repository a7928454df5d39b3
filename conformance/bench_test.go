package conformance

import (
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// longRun simulates about 100k requests against srv: 100 s under the limit of
// 100/s, 400 s over it, a pause, and 300 s of recovery.
func longRun(algo scenarios.Algorithm, srv server) (*plan.Plan, []results.Observation) {
	p := planOf(limitOf(100, time.Second, algo), []phaseSpec{
		{"under", scenarios.PhaseUnder, 0.5, 100 * time.Second},
		{"over", scenarios.PhaseOver, 2, 400 * time.Second},
		{"pause", scenarios.PhasePause, 0, time.Second},
		{"recovery", scenarios.PhaseRecovery, 0.5, 300 * time.Second},
	})
	return p, serve(client(p, []string{"k1"}, jitteredLatency(5*time.Millisecond), 1), srv)
}

func benchmarkCheck(b *testing.B, algo scenarios.Algorithm, srv server) {
	p, obs := longRun(algo, srv)
	b.ReportMetric(float64(len(obs)), "observations")
	for b.Loop() {
		Check(p, seqOf(obs))
	}
}

func BenchmarkCheckFixedWindow(b *testing.B) {
	benchmarkCheck(b, scenarios.AlgoFixedWindow, newClockWindow(100, time.Second, base.Add(370*time.Millisecond), faultNone))
}

func BenchmarkCheckAnyOffByOne(b *testing.B) {
	benchmarkCheck(b, scenarios.AlgoAny, newClockWindow(100, time.Second, base.Add(370*time.Millisecond), faultOffByOne))
}

func BenchmarkCheckTokenBucket(b *testing.B) {
	benchmarkCheck(b, scenarios.AlgoTokenBucket, newTokenBucket(100, 100, faultNone))
}

// BenchmarkCheckFixedWindowBesideADay is BenchmarkCheckFixedWindow with a
// per-day limit of a million beside the tested one, so that every
// observation is also counted against a longer limit's budget (the
// attribution of its 429s).
func BenchmarkCheckFixedWindowBesideADay(b *testing.B) {
	p, obs := longRun(scenarios.AlgoFixedWindow, newClockWindow(100, time.Second, base.Add(370*time.Millisecond), faultNone))
	p.Scenario.Limits = append(p.Scenario.Limits, scenarios.Limit{Name: "per-day", Requests: 1_000_000, Window: 24 * time.Hour,
		Scope: scenarios.ScopeKey, Algorithm: scenarios.AlgoFixedWindow})
	b.ReportMetric(float64(len(obs)), "observations")
	for b.Loop() {
		Check(p, seqOf(obs))
	}
}
