package bench

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/internal/runner"
)

// BenchmarkRunMemory measures what a 1,000,000-request run keeps in the
// Judge, the way `ratecheck run` feeds it: each observation is made, fed to
// the Judge and dropped, then its Verdict. It reports
// retained-MB (live heap after feeding, over the heap before) and
// peak-inuse-MB (the largest heap in use, garbage not yet collected
// included, sampled every 5 ms from before feeding to after the verdict,
// over the heap before): the part of peak RSS the checks are responsible for.
func BenchmarkRunMemory(b *testing.B) {
	const n = 1_000_000
	plan := benchPlan(b, "")
	for b.Loop() {
		before := liveHeap()
		peak, stop := samplePeak()
		judge := runner.NewJudge(plan, false)
		for i := range n {
			judge.Observe(observationAt(i, benchHeaders))
		}
		retained := liveHeap() - before
		v := judge.Verdict()
		stop()
		runtime.KeepAlive(v)
		b.ReportMetric(float64(retained)/1e6, "retained-MB")
		b.ReportMetric(float64(*peak-before)/1e6, "peak-inuse-MB")
	}
}

// samplePeak samples HeapInuse every 5 ms until stop is called, keeping the
// largest value in *peak.
func samplePeak() (peak *int64, stop func()) {
	peak = new(int64)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // exits when stop closes done
		defer wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			*peak = max(*peak, int64(m.HeapInuse))
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return peak, func() { close(done); wg.Wait() }
}
