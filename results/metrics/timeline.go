package metrics

import (
	"slices"
	"time"

	"github.com/ratecheck/ratecheck/results"
)

// recentSeconds is how many seconds Snapshot.Recent covers.
const recentSeconds = 60

// timeline counts answers per second of the run, by send time.
type timeline struct {
	secs  []SecondCounts // index i holds second i
	limit int            // seconds at or past limit are not charted
}

// newTimeline sizes a timeline for a run planned to last planned. Seconds are
// charted up to twice the plan plus ten minutes: enough for any real run, and a
// bound on memory should a clock jump send an observation years ahead. Space for
// the planned seconds (up to an hour) is allocated up front, so that Record does
// not allocate while the run follows its plan.
func newTimeline(planned time.Duration) timeline {
	plannedSecs := int(min(planned, 365*24*time.Hour)/time.Second) + 1
	limit := 2*plannedSecs + 600
	return timeline{secs: make([]SecondCounts, 0, min(plannedSecs+1, 3600)), limit: limit}
}

// add counts o in the second it was sent, sec seconds into the run. Seconds
// before the start (a clock step) count in second 0.
func (t *timeline) add(sec int, o results.Observation) {
	sec = max(sec, 0)
	if sec >= t.limit {
		return
	}
	if sec >= len(t.secs) {
		t.grow(sec + 1)
	}
	c := &t.secs[sec]
	switch {
	case o.Admitted():
		c.Admitted++
	case o.Limited():
		c.Limited++
	default:
		c.Other++
	}
}

// grow extends the timeline to n seconds.
func (t *timeline) grow(n int) {
	old := len(t.secs)
	t.secs = slices.Grow(t.secs, n-old)[:n]
	for i := old; i < n; i++ {
		t.secs[i] = SecondCounts{Second: i}
	}
}

// recent is a copy of the last recentSeconds seconds up to and including second
// now, oldest first, with zero counts for seconds without traffic. Early in the
// run it starts at second 0 and so holds fewer entries.
func (t *timeline) recent(now int) []SecondCounts {
	now = max(now, 0)
	from := max(now-recentSeconds+1, 0)
	out := make([]SecondCounts, 0, now-from+1)
	for s := from; s <= now; s++ {
		if s < len(t.secs) {
			out = append(out, t.secs[s])
		} else {
			out = append(out, SecondCounts{Second: s})
		}
	}
	return out
}

// admittedWithin is the admitted count of the secs seconds up to and
// including second now.
func (t *timeline) admittedWithin(now, secs int) int64 {
	var n int64
	for s := max(now-secs+1, 0); s <= now && s < len(t.secs); s++ {
		n += t.secs[s].Admitted
	}
	return n
}

// all is a copy of every second from 0 to the last one with an answer.
func (t *timeline) all() []SecondCounts {
	out := make([]SecondCounts, len(t.secs))
	copy(out, t.secs)
	return out
}
