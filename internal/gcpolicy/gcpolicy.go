// Package gcpolicy is the process's garbage-collector policy while ratecheck
// runs send and judge: a higher target while a run sends, so that collections
// do not delay sends, and a lower one under a soft memory limit while one run
// is judged alone, so that freed pages go back to the system. The settings are
// the process's (debug.SetGCPercent, debug.SetMemoryLimit), so every run of
// the process registers here (internal/runner while it sends and judges,
// `ratecheck report` while it judges). It imports only the standard library.
package gcpolicy

import (
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync"
	"time"
)

// The collector's settings while runs send and judge.
//
// Most of what a run keeps is pointer-free and on disk (the checks' records),
// so the live heap is small while a run sends and large only while a limited
// run is judged. The collector's defaults fit neither:
//
//   - While sending, the live heap is a few MB, and with GOGC=100 the
//     collector ran whenever a few MB of garbage had piled up, 41 times a
//     second at 16,000 requests a second; its pauses and assists delayed
//     sends (send lag p50 0.2 -> 0.9 ms, p99 up to 145 ms, measured). So the
//     heap may gather sendingHeapFloor of garbage before a collection.
//   - While judging, every limiter family allocates and drops slices of
//     8-24 MB per million requests, and freed pages stay resident until the
//     scavenger returns them, minutes later (peak RSS 1.7x the largest live
//     heap). So a run judged alone collects at GOGC=25 under a soft memory
//     limit just above the live heap, which makes the runtime return freed
//     pages as it goes.
//
// The settings are the process's, so runs register (Send, Judge), and the
// policy depends on all of them: the judging settings apply only to one run
// judging alone (tests run many at once, and a tight limit would slow the
// others' sends). The settings there were when the first run entered come
// back when the last leaves. A stricter GOGC, GOGC=off and a lower
// GOMEMLIMIT are never loosened.

// Send registers a run that sends until the call it returns; that call may
// be made more than once.
func Send() (leave func()) { return enterGC(gcSending) }

// Judge runs judge under the collector settings for judging: when it is the
// only run in the process, GOGC=25 and a soft memory limit just above the live
// heap; they are restored afterwards.
func Judge[T any](judge func() T) T {
	defer enterGC(gcJudging)()
	return judge()
}

// gcMode is what a run registered with enterGC is doing.
type gcMode int

const (
	gcSending gcMode = iota
	gcJudging
)

// gov is the process's collector policy.
var gov struct {
	mu               sync.Mutex
	sending, judging int
	baseGC           int   // GOGC when the first run entered
	baseLimit        int64 // the memory limit then
	samples          []metrics.Sample
	done             chan struct{} // closed when the last run leaves
}

// enterGC registers a run doing m and returns the call that ends it.
func enterGC(m gcMode) (leave func()) {
	gov.mu.Lock()
	defer gov.mu.Unlock()
	if gov.sending+gov.judging == 0 {
		gov.baseGC = gcPercent()
		gov.baseLimit = debug.SetMemoryLimit(-1)
		gov.samples = memorySamples()
		gov.done = make(chan struct{})
		go follow(gov.done) // returns at its first tick after done is closed
	}
	count(m, +1)
	applyGC()
	var once sync.Once
	return func() { once.Do(func() { leaveGC(m) }) }
}

// gcPercent reads the collector's target (GOGC) without changing it.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

func leaveGC(m gcMode) {
	gov.mu.Lock()
	defer gov.mu.Unlock()
	count(m, -1)
	if gov.sending+gov.judging > 0 {
		applyGC()
		return
	}
	// The follower checks done under the lock, so it sets nothing after this.
	close(gov.done)
	debug.SetGCPercent(gov.baseGC)
	debug.SetMemoryLimit(gov.baseLimit)
}

func count(m gcMode, d int) {
	if m == gcJudging {
		gov.judging += d
	} else {
		gov.sending += d
	}
}

// follow applies the policy every gcInterval until done is closed.
func follow(done chan struct{}) {
	t := time.NewTicker(gcInterval)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			gov.mu.Lock()
			select {
			case <-done:
			default:
				applyGC()
			}
			gov.mu.Unlock()
		}
	}
}

// gcInterval is how often the settings follow the live heap: a million
// requests are judged in about a second.
const gcInterval = 10 * time.Millisecond

// applyGC sets the collector for the runs registered; gov.mu is held.
func applyGC() {
	live, other := readMemory(gov.samples)
	if gov.judging == 1 && gov.sending == 0 {
		pct := gov.baseGC
		if pct < 0 || pct > judgingGCPercent {
			pct = judgingGCPercent
		}
		if gov.baseGC < 0 {
			pct = gov.baseGC // GOGC=off stays off
		}
		debug.SetGCPercent(pct)
		debug.SetMemoryLimit(int64(min(uint64(gov.baseLimit), other+live+judgingHeadroom(live))))
		return
	}
	pct := gov.baseGC
	if pct >= 100 && live > 0 {
		pct = max(pct, int(min((100*sendingHeapFloor+live-1)/live, maxFloorPercent)))
	}
	debug.SetGCPercent(pct)
	debug.SetMemoryLimit(gov.baseLimit)
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

// maxFloorPercent caps the target set for sending, for a live heap of almost
// nothing (the start of a run).
const maxFloorPercent = 10_000

// judgingGCPercent is the collector's target (GOGC) while one run is judged
// alone. With the default target of 100 the heap grows to twice what is live
// before each collection, and a run's peak memory came from that garbage
// (157 MB peak RSS for 1,000,000 requests, against 77 MB while sending).
// Collecting more often there costs a fraction of a second of CPU and no
// send precision.
const judgingGCPercent = 25

// judgingHeadroom is the heap judging may grow past what is live before the
// memory limit makes the runtime collect: a quarter of it (as GOGC=25), at
// least minJudgingHeadroom.
func judgingHeadroom(live uint64) uint64 { return max(live/4, minJudgingHeadroom) }

// minJudgingHeadroom is the least headroom judging is given. With 4 MiB,
// re-judging a limited run of 1,000,000 requests (a live heap of about 31
// MB between stretches) collected every 10 ms, about 400 times, and the
// runtime returned and faulted pages back in between (bench
// BenchmarkRejudge: 1.5 s of system time in 11 s of CPU); with 16 MiB, 10%
// less CPU and a third less system time, the process's peak RSS the same
// (94-95 MB: at the peak the live heap's quarter is more than 16 MiB).
// 32 MiB saved little more and added 11 MB to the peak.
const minJudgingHeadroom = 16 << 20

// The runtime/metrics names readMemory reads.
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
