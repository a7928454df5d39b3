package runner

import (
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync"
	"time"
)

// Keeping the process near its live memory.
//
// Most of what a long run keeps is pointer-free: the checks' 24-byte records.
// The collector does not scan them, so collecting often is cheap; but with
// its default target the heap may grow to twice what is live, and pages freed
// after a large slice is dropped stay resident until the scavenger returns
// them, minutes later. Judging a 1,000,000-request run allocates and drops
// slices of 8–24 MB for every limiter family it tries, so peak RSS was 1.7×
// the largest live heap. A soft memory limit just above what is live makes the
// runtime collect and return freed pages as it goes instead.

// trackLive keeps a soft memory limit at the memory the runtime uses besides
// the heap, plus the live heap, plus headroom(live), updated every interval
// until stop is called, which restores the limit there was. A limit set by the
// user (GOMEMLIMIT) is never raised.
func trackLive(interval time.Duration, headroom func(live uint64) uint64) (stop func()) {
	userLimit := debug.SetMemoryLimit(-1)
	samples := memorySamples()
	follow := func() {
		live, other := readMemory(samples)
		debug.SetMemoryLimit(int64(min(uint64(userLimit), other+live+headroom(live))))
	}
	follow() // before anything runs under it
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // ends when stop closes done
		defer wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				follow()
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		debug.SetMemoryLimit(userLimit)
	}
}

// The runtime/metrics names trackLive reads.
const (
	metricLive  = "/gc/heap/live:bytes"
	metricTotal = "/memory/classes/total:bytes"
	heapClasses = "/memory/classes/heap/"
	metricStack = "/memory/classes/heap/stacks:bytes"
)

// memorySamples lists the live heap, the total and every heap class.
func memorySamples() []metrics.Sample {
	out := []metrics.Sample{{Name: metricLive}, {Name: metricTotal}}
	for _, d := range metrics.All() {
		if strings.HasPrefix(d.Name, heapClasses) {
			out = append(out, metrics.Sample{Name: d.Name})
		}
	}
	return out
}

// readMemory returns the live heap (as of the last collection) and the memory
// the runtime counts against its limit besides the heap: goroutine stacks,
// runtime structures, and so on.
func readMemory(samples []metrics.Sample) (live, other uint64) {
	metrics.Read(samples)
	var total, heap uint64
	for _, s := range samples {
		if s.Value.Kind() != metrics.KindUint64 {
			continue
		}
		v := s.Value.Uint64()
		switch {
		case s.Name == metricLive:
			live = v
		case s.Name == metricTotal:
			total = v
		case s.Name == metricStack:
			// Stacks are heap memory but not heap objects: count them as other.
		case strings.HasPrefix(s.Name, heapClasses):
			heap += v
		}
	}
	if total > heap {
		other = total - heap
	}
	return live, other
}

// keepHeapFloor lets the heap grow at least floor bytes past what is live
// before the collector runs, until stop is called, which restores the target
// there was: every interval it raises the collector's target (GOGC) to
// 100·floor/live when that is above it. While a run sends, the live heap is
// small (a few MB: the records go to disk), so with the default target the
// collector would run whenever a few MB of garbage had piled up, 40 times a
// second at 16,000 requests a second, and its pauses and assists delay sends
// (send lag p50 0.2 -> 0.9 ms, p99 up to 145 ms, measured; see
// sendingHeapFloor). A target below the default (GOGC=50) or none (GOGC=off)
// is left as it is.
func keepHeapFloor(interval time.Duration, floor uint64) (stop func()) {
	base := debug.SetGCPercent(100)
	debug.SetGCPercent(base)
	if base < 100 {
		return func() {}
	}
	samples := []metrics.Sample{{Name: metricLive}}
	follow := func() {
		metrics.Read(samples)
		pct := base
		if live := samples[0].Value.Uint64(); live > 0 {
			pct = max(base, int(min((100*floor+live-1)/live, maxFloorPercent)))
		}
		debug.SetGCPercent(pct)
	}
	follow()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // ends when stop closes done
		defer wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				follow()
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		debug.SetGCPercent(base)
	}
}

// sendingHeapFloor is the garbage the heap may gather while a run sends. At
// 16,000 requests a second (about 110 MB of garbage a second) the collector
// runs about 12 times a second with it, against 41 with no floor. Measured on
// 15 s runs at 16,000/s against bench/target, two each: no floor, 23-24 MB
// peak RSS and send lag p50 0.10-0.85 ms (three of four runs near 0.9 ms);
// 4 MB, 27-28 MB and 0.08-0.11 ms; 8 MB, 30-31 MB and 0.09-0.17 ms; 16 MB,
// 44 MB and 0.09-0.39 ms. 8 MB keeps the lag of the larger floors at little
// more memory than the smallest.
const sendingHeapFloor = 8 << 20

// sendingInterval is how often the target follows the live heap while sending.
const sendingInterval = 100 * time.Millisecond

// maxFloorPercent caps the target keepHeapFloor sets, for a live heap of
// almost nothing (the start of a run).
const maxFloorPercent = 10_000

// judgingHeadroom is the heap judging may grow past what is live before the
// runtime collects: a quarter of it (as GOGC=25), at least 4 MiB.
func judgingHeadroom(live uint64) uint64 { return max(live/4, 4<<20) }
