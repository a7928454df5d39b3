package bench

import (
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance"
	"github.com/ratecheck/ratecheck/internal/gcpolicy"
	"github.com/ratecheck/ratecheck/internal/runner"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/results/metrics"
	"github.com/ratecheck/ratecheck/scenarios"
)

// The soak probes of issue 15: where memory and time go when a long limited
// run is judged, without sending anything. Each is skipped unless its
// environment variable is set:
//
//	SOAK_SECS=30 go test -run SoakJudgeMemory -v .                  # heap while feeding and at the verdict
//	SOAK_SECS=30 SOAK_HEAP=h.prof go test -run SoakJudgeMemory -v . # and a heap profile inside the verdict
//	SOAK_HEADERS=1 …                                                # the scenario promises X-RateLimit headers
//	SOAK_SECS=30 SOAK_DIR=/tmp/r go test -run SoakWriteRun .        # a run directory of that traffic
//	SOAK_DIR=/tmp/r go test -run SoakReplay -v -cpuprofile cpu.out .  # re-judge it as 'ratecheck report' does
//
// The traffic: 16,000/s for SOAK_SECS seconds under a declared limit of
// 8,000 per 1s that the target never enforces (every window over-admitted,
// as bench/target does), X-RateLimit-Remaining counting down.

const soakRate = 16000

// soakScenario is the probes' scenario for secs seconds.
func soakScenario(secs int) string {
	y := `name: soak
target: http://127.0.0.1:8089
endpoints: [{name: hit, method: GET, path: /}]
limits: [{name: half, requests: 8000, window: 1s, scope: global}]
run: {connections: 64, timeout: 5s, max_duration: 2h}
phases: [{name: steady, kind: under, rate: 16000/s, duration: ` + strconv.Itoa(secs) + `s}]
`
	if os.Getenv("SOAK_HEADERS") != "" {
		y += "headers: {convention: x-ratelimit, reset: \"\"}\n"
	}
	return y
}

// soakObservation is request i of the probes' traffic; r adds jitter to
// the send time and latency as a real run has (nil: none).
func soakObservation(i int, r *rand.Rand) results.Observation {
	return soakAnswer(i, r, soakRate)
}

// soakAnswer is soakObservation from a target that admits the first admits
// requests of each second and answers the others 429.
func soakAnswer(i int, r *rand.Rand, admits int) results.Observation {
	jitter, lat := 0, 200_000+i%800_000
	if r != nil {
		jitter, lat = r.IntN(200_000), 100_000+r.IntN(400_000)
	}
	status, body := 200, "ok"
	if i%soakRate >= admits {
		status, body = 429, "too many requests"
	}
	return results.Observation{
		Seq: uint64(i), Endpoint: "hit",
		Sent:    start.Add(time.Duration(i)*time.Second/soakRate + time.Duration(jitter)),
		Latency: time.Duration(lat), Status: status, Body: body,
		Headers: map[string]string{"X-Ratelimit-Limit": "8000", "X-Ratelimit-Remaining": strconv.Itoa(max(0, 7999-i%soakRate))},
	}
}

func soakSecs(t *testing.T) int {
	secs, _ := strconv.Atoi(os.Getenv("SOAK_SECS"))
	if secs <= 0 {
		t.Skip("set SOAK_SECS")
	}
	return secs
}

func soakPlan(t *testing.T, secs int) *plan.Plan {
	sc, err := scenarios.Parse("soak.yaml", []byte(soakScenario(secs)))
	if err != nil {
		t.Fatal(err)
	}
	return plan.New(sc)
}

// TestSoakJudgeMemory feeds the traffic to a Judge as the runner does and
// logs the heap it keeps while feeding (what a run holds while it sends),
// the peak heap in use through the verdict, and the verdict's time.
func TestSoakJudgeMemory(t *testing.T) {
	secs := soakSecs(t)
	p := soakPlan(t, secs)
	n := secs * soakRate
	before := liveHeap()
	peak, stop := samplePeak()
	rec := metrics.NewRecorder(metricsPhases(p), start)
	j := runner.NewJudge(p, true)
	for i := range n {
		o := soakObservation(i, nil)
		rec.Record(o)
		j.Observe(o)
	}
	fed := liveHeap() - before
	profiled := make(chan struct{})
	go func() { // exits after writing the profile, a while into the verdict
		defer close(profiled)
		if path := os.Getenv("SOAK_HEAP"); path != "" {
			time.Sleep(time.Duration(secs) * 20 * time.Millisecond)
			if f, err := os.Create(path); err == nil {
				pprof.Lookup("heap").WriteTo(f, 0)
				f.Close()
			}
		}
	}()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	t0 := time.Now()
	v := gcpolicy.Judge(j.Verdict)
	took := time.Since(t0)
	runtime.ReadMemStats(&m1)
	<-profiled
	stop()
	runtime.KeepAlive(rec)
	t.Logf("%d observations: heap kept while feeding %.1f MB (%.1f B each); peak heap in use %.1f MB (%.0f B each); verdict %s in %v (%.0f/s), allocating %.0f MB",
		n, float64(fed)/1e6, float64(fed)/float64(n), float64(*peak-before)/1e6, float64(*peak-before)/float64(n), v.Checks[0].Status, took, float64(n)/took.Seconds(),
		float64(m1.TotalAlloc-m0.TotalAlloc)/1e6)
}

// TestSoakWriteRun writes the traffic as a run directory at SOAK_DIR, with
// the jitter of a real run, flushed every half second of traffic.
func TestSoakWriteRun(t *testing.T) {
	secs := soakSecs(t)
	dir := os.Getenv("SOAK_DIR")
	if dir == "" {
		t.Skip("set SOAK_DIR")
	}
	if err := writeSoakRun(dir, secs*soakRate, soakRate); err != nil {
		t.Fatal(err)
	}
}

// TestSoakReplay re-judges the run at SOAK_DIR as 'ratecheck report' does
// (metrics, waits, Judge; collector settings of gcpolicy.Judge) and logs the
// time of reading alone, of reading and observing, and of the whole.
func TestSoakReplay(t *testing.T) {
	dir := os.Getenv("SOAK_DIR")
	if dir == "" {
		t.Skip("set SOAK_DIR")
	}
	run, err := results.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenarios.Parse(run.Meta.ScenarioFile, run.Scenario)
	if err != nil {
		t.Fatal(err)
	}
	p := plan.New(sc)
	t0 := time.Now()
	n := 0
	for _, err := range run.Observations() {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	read := time.Since(t0)
	t0 = time.Now()
	rec := metrics.NewRecorder(runner.MetricsPhases(p), run.Meta.Started)
	waits := metrics.NewWaits(runner.WaitSpec(p), run.Meta.Started)
	var observed time.Duration
	v := gcpolicy.Judge(func() conformance.Verdict {
		j := runner.NewJudge(p, true)
		for o := range run.Observations() {
			rec.Record(o)
			waits.Record(o)
			j.Observe(o)
		}
		observed = time.Since(t0)
		return j.Verdict()
	})
	all := time.Since(t0)
	t.Logf("%d observations: reading alone %v (%.0f/s); reading, metrics and Observe %v (%.0f/s); with the verdict %v (%.0f/s); limit.enforced %s",
		n, read, float64(n)/read.Seconds(), observed, float64(n)/observed.Seconds(), all, float64(n)/all.Seconds(), v.Checks[0].Status)
}
