package metrics

import (
	"time"

	"github.com/ratecheck/ratecheck/results"
)

// statusArray is how many statuses (0 to 599) are counted in an array rather
// than a map, so that Record does not allocate or hash.
const statusArray = 600

// Recorder turns a run's observations into its numbers. One goroutine feeds it
// (the runner's fan-out loop) and takes Snapshots from it: it has no locks, and
// neither has the HdrHistogram inside it.
type Recorder struct {
	start      time.Time
	phases     []Phase
	counts     []phaseCounts // one per phase
	origins    []time.Time   // when each phase began sending; zero until StartPhase
	requests   int64
	errors     int64
	firstError string // the first transport error, for the verdict's reason
	statuses   [statusArray]int64
	unusual    map[int]int64 // statuses outside 0..599
	latency    latency
	timeline   timeline
	remaining  *remaining      // nil unless FollowRemaining
	windows    []time.Duration // FollowWindows
}

// NewRecorder returns a Recorder for a run of the given phases that started at
// start. Seconds of the timeline are counted from start.
func NewRecorder(phases []Phase, start time.Time) *Recorder {
	var planned time.Duration
	for _, p := range phases {
		planned += max(p.Duration, 0)
	}
	return &Recorder{
		start:    start,
		phases:   append([]Phase(nil), phases...),
		counts:   make([]phaseCounts, len(phases)),
		origins:  make([]time.Time, len(phases)),
		latency:  newLatency(),
		timeline: newTimeline(planned),
	}
}

// Record counts one observation: in the totals, by status, in its phase (an
// out-of-range phase index is counted in the totals only), in the second it was
// sent, and, when it got an answer, in the latency histogram. It takes constant
// time and does not allocate while the run follows its plan.
func (r *Recorder) Record(o results.Observation) {
	r.requests++
	if 0 <= o.Status && o.Status < statusArray {
		r.statuses[o.Status]++
	} else {
		if r.unusual == nil {
			r.unusual = make(map[int]int64)
		}
		r.unusual[o.Status]++
	}
	if o.Status == 0 {
		r.errors++
		if r.firstError == "" {
			r.firstError = o.Error
		}
	} else {
		r.latency.record(o.Latency)
	}
	if 0 <= o.Phase && o.Phase < len(r.counts) {
		r.counts[o.Phase].add(o)
		r.counts[o.Phase].addLag(r.phases[o.Phase], r.origin(o.Phase), o)
	}
	r.timeline.add(r.second(o.Sent), o)
	if r.remaining != nil {
		r.remaining.add(r.second(o.Sent), o)
	}
}

// FollowRemaining makes the Recorder follow the Remaining header spec names,
// per second, for Snapshot.Remaining. Call it before the first Record.
func (r *Recorder) FollowRemaining(spec RemainingSpec) {
	r.remaining = newRemaining(spec, r.timeline.limit)
}

// FollowWindows makes every Snapshot say how many requests were admitted
// within the last window of each of these lengths (Snapshot.WindowUse): how
// far a run has gone into each limit's window, however long.
func (r *Recorder) FollowWindows(windows []time.Duration) {
	r.windows = append(r.windows[:0], windows...)
}

// StartPhase sets when phase i began sending: the origin of its schedule, from
// which its send lag counts. The attack paces each phase from the moment it
// launches it, a little after the planned offset from the start of the run;
// without StartPhase the schedule begins at start + the phase's Start, and the
// lag of every request includes that delay. An out-of-range i is ignored.
func (r *Recorder) StartPhase(i int, origin time.Time) {
	if 0 <= i && i < len(r.origins) {
		r.origins[i] = origin
	}
}

// origin is where phase i's schedule begins.
func (r *Recorder) origin(i int) time.Time {
	if o := r.origins[i]; !o.IsZero() {
		return o
	}
	return r.start.Add(r.phases[i].Start)
}

// second is the second of the run that t falls in.
func (r *Recorder) second(t time.Time) int {
	d := t.Sub(r.start)
	if d < 0 {
		return -1
	}
	return int(d / time.Second)
}

// Snapshot copies the numbers out as of now: plain values that the caller may
// keep and hand to other goroutines. Recent holds the last 60 seconds up to
// now's, oldest first.
func (r *Recorder) Snapshot(now time.Time) Snapshot {
	phases := make([]PhaseSnapshot, len(r.phases))
	for i, p := range r.phases {
		phases[i] = r.counts[i].snapshot(p)
	}
	return Snapshot{
		Elapsed:    max(now.Sub(r.start), 0),
		Requests:   r.requests,
		Errors:     r.errors,
		FirstError: r.firstError,
		Statuses:   r.statusCounts(),
		Latency:    r.latency.summary(),
		Phases:     phases,
		Recent:     r.timeline.recent(r.second(now)),
		Remaining:  r.remainingSnapshot(now),
		WindowUse:  r.windowUse(now),
	}
}

// windowUse is the admitted count within the last of each followed window
// up to now's second, by the second requests were sent: a window not a
// whole number of seconds counts the whole seconds that cover it.
func (r *Recorder) windowUse(now time.Time) map[time.Duration]int64 {
	if len(r.windows) == 0 {
		return nil
	}
	out := make(map[time.Duration]int64, len(r.windows))
	for _, w := range r.windows {
		secs := int((w + time.Second - 1) / time.Second)
		out[w] = r.timeline.admittedWithin(r.second(now), secs)
	}
	return out
}

func (r *Recorder) remainingSnapshot(now time.Time) *RemainingSnapshot {
	if r.remaining == nil {
		return nil
	}
	return r.remaining.snapshot(r.second(now))
}

// statusCounts is the count per status seen, as a new map.
func (r *Recorder) statusCounts() map[int]int64 {
	m := make(map[int]int64, 8+len(r.unusual))
	for s, n := range r.statuses {
		if n > 0 {
			m[s] = n
		}
	}
	for s, n := range r.unusual {
		m[s] = n
	}
	return m
}

// Timeline is a copy of the per-second counts from second 0 to the last second
// in which a request was sent, for the report's charts. Seconds past twice the
// plan's length plus ten minutes are not charted.
func (r *Recorder) Timeline() []SecondCounts { return r.timeline.all() }
