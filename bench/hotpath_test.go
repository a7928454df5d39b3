// Package bench holds ratecheck's benchmark suite: the benchmarks of the
// per-observation hot path below, and, under cmd/, the programs that compare
// ratecheck with vegeta's CLI and profile the attack. It is a module of its
// own, so the product's `go test ./...` never runs it. It imports only the
// product's public packages (internal/ is out of reach from another module).
package bench

import (
	"runtime"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/internal/runner"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/results/metrics"
	"github.com/ratecheck/ratecheck/scenarios"
)

// benchScenario is the compare program's scenario at 20,000/s, for 50 s:
// 1,000,000 planned requests, what the checks reserve room for.
const benchScenario = `name: bench-20000rps
target: http://127.0.0.1:8089
endpoints: [{name: hit, method: GET, path: /}]
limits: [{name: huge, requests: 100000000, window: 1s, scope: global}]
run: {connections: 64, timeout: 5s, max_duration: 10m}
phases: [{name: steady, kind: under, rate: 20000/s, duration: 50s}]
`

// headersSection declares the X-RateLimit headers bench/target sends, which
// turns on the header checks.
const headersSection = "headers: {convention: x-ratelimit, reset: \"\"}\n"

var start = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// benchPlan plans benchScenario plus extra YAML.
func benchPlan(b *testing.B, extra string) *plan.Plan {
	sc, err := scenarios.Parse("bench.yaml", []byte(benchScenario+extra))
	if err != nil {
		b.Fatal(err)
	}
	return plan.New(sc)
}

// observationAt is request i of a run at 20,000/s against bench/target: 200,
// "ok" and the two X-RateLimit headers the attack records.
func observationAt(i int, headers map[string]string) results.Observation {
	return results.Observation{
		Seq: uint64(i), Phase: 0, Endpoint: "hit",
		Sent:    start.Add(time.Duration(i) * 50 * time.Microsecond),
		Latency: time.Duration(200+i%800) * time.Microsecond,
		Status:  200, Headers: headers, Body: "ok",
	}
}

// benchHeaders are the headers bench/target sends that the attack records.
// The attack builds a fresh map per response; the benchmarks share one, so
// that they count the fan-out's own allocations only.
var benchHeaders = map[string]string{"X-Ratelimit-Limit": "100000000", "X-Ratelimit-Remaining": "99999000"}

// metricsPhases mirrors internal/runner.MetricsPhases, which bench cannot import.
func metricsPhases(p *plan.Plan) []metrics.Phase {
	out := make([]metrics.Phase, len(p.Phases))
	for i, ph := range p.Phases {
		out[i] = metrics.Phase{Name: ph.Name, Kind: string(ph.Kind), Rate: ph.Rate, Planned: ph.Requests, Duration: ph.Duration, Start: ph.Start, FirstSeq: p.FirstSeq(i)}
	}
	return out
}

// BenchmarkFanout measures what the runner's fan-out loop does for every
// observation (internal/runner: fanout.observe): append it to
// observations.bin, record it in the metrics, feed it to every checker.
// The sub-benchmarks take each part alone; checkers-headers declares the
// X-RateLimit headers the target sends, so the header checks work too. Besides time per observation it
// reports retained-B/obs: heap still live after a GC, per observation, which
// is what a 1,000,000-request run keeps in memory (RSS is about twice the
// live heap with GOGC=100).
//
// Goal: 20,000 observations per second with the fan-out under a tenth of a
// core (≤ 5 µs each), and retained-B/obs ≤ 100 (≤ 100 MB per million).
func BenchmarkFanout(b *testing.B) {
	parts := []struct {
		name                    string
		write, record, checkers bool
		extra                   string // added to the scenario
	}{
		{"write", true, false, false, ""},
		{"metrics", false, true, false, ""},
		{"checkers", false, false, true, ""},
		{"checkers-headers", false, false, true, headersSection},
		{"all", true, true, true, ""},
	}
	for _, part := range parts {
		b.Run(part.name, func(b *testing.B) {
			p := benchPlan(b, part.extra)
			var w *results.Writer
			if part.write {
				var err error
				w, err = results.Create(b.TempDir(), results.Meta{SchemaVersion: results.SchemaVersion, ScenarioName: "bench"}, []byte(benchScenario))
				if err != nil {
					b.Fatal(err)
				}
				defer w.Close(results.Meta{})
			}
			rec := metrics.NewRecorder(metricsPhases(p), start)
			judge := runner.NewJudge(p, true)
			before := liveHeap()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				o := observationAt(i, benchHeaders)
				if w != nil {
					if err := w.Append(o); err != nil {
						b.Fatal(err)
					}
				}
				if part.record {
					rec.Record(o)
				}
				if part.checkers {
					judge.Observe(o)
				}
				i++
			}
			b.StopTimer()
			b.ReportMetric(float64(liveHeap()-before)/float64(i), "retained-B/obs")
			runtime.KeepAlive(rec)
			runtime.KeepAlive(judge)
		})
	}
}

// BenchmarkVerdict measures judging a run of 1,000,000 observations: feeding
// every observation to a fresh Judge, then its Verdict, as `ratecheck report`
// does on replay. ns/obs is the cost per observation.
func BenchmarkVerdict(b *testing.B) {
	p := benchPlan(b, "")
	obs := make([]results.Observation, 1_000_000)
	for i := range obs {
		obs[i] = observationAt(i, benchHeaders)
	}
	b.ReportAllocs()
	ops := 0
	for b.Loop() {
		judge := runner.NewJudge(p, true)
		for _, o := range obs {
			judge.Observe(o)
		}
		judge.Verdict()
		ops++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(ops*len(obs)), "ns/obs")
}

// liveHeap is the heap in use after a full collection.
func liveHeap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
