package records

import (
	"maps"
	"slices"
	"time"

	"github.com/ratecheck/ratecheck/scenarios"
)

// Quiet runs.
//
// A run in which the server admitted every request counted by the tested
// limit, and in which no stretch of time could have held more requests than
// the limit allows, needs no request-by-request replay: every model the
// algorithm is judged against first explains every decision, with nothing
// ambiguous. Long load tests far under their limit are such runs, and they
// are the ones with millions of requests. The collector keeps, as requests
// arrive, a count of them per stretch of send time (an eighth of the window);
// if the run stays quiet the verdict is read off those counts and the records are never
// loaded back from disk. TestQuietVerdictMatchesReplay checks that the
// verdict is the one the replay gives.
//
// Why the counts suffice. A request may have arrived anywhere in
// [sent − arrivalFloor, sent + latency + arrivalFloor], at most L wide. A
// window the models may place (a fixed window, first-request- or
// clock-aligned, whose start is uncertain by at most L; or the last W of a
// sliding log) can hold requests sent within W + 2L of each other, and such a
// span touches at most m = ⌈(W + 2L)/S⌉ + 1 consecutive stretches of length
// S. When every m consecutive stretches together hold at most n requests, no
// window can hold more than n, whatever the arrival times: the matching
// places every admission, and the point models blame none. Stretches of
// W/8 let runs up to about 80% of the limit be quiet.

// quietSplit is how many stretches a window is cut into.
const quietSplit = 8

// maxQuietStretches caps the stretches counted per run, about 8 MB of
// counts: past it (a run of over 9 hours for a window of 1 s, of 55 minutes
// for 100 ms) the collector stops counting and the run is replayed.
const maxQuietStretches = 1 << 18

// quietness counts, per key, the requests sent in each stretch of one window.
type quietness struct {
	w         int64 // the window, ns; 0 when the limit cannot be judged quietly
	stretch   int64 // the length of a stretch, ns
	broken    bool  // a request was not admitted, or there were too many stretches
	origin    int64 // Unix ns where stretch 0 begins
	maxLat    int64 // the longest latency seen, ns
	stretches []map[int64]int32
	count     int // stretches counted, over all keys
}

// NewQuietness returns the counts of a run of limit; ok says whether its
// family can judge a quiet run at all (see quietFamily).
func NewQuietness(limit *scenarios.Limit, ok bool) quietness {
	if !ok || limit == nil || limit.Window <= 0 {
		return quietness{broken: true}
	}
	w := int64(limit.Window)
	return quietness{w: w, stretch: max(1, w/quietSplit)}
}

// Add counts record r of key k. The first record counted places stretch 0.
func (q *quietness) Add(k int32, r *Record) {
	if q.broken {
		return
	}
	if !Judged(r.Status) || !Admitted(r.Status) {
		q.stop()
		return
	}
	if q.stretches == nil {
		q.origin = r.Sent
	}
	for int(k) >= len(q.stretches) {
		q.stretches = append(q.stretches, map[int64]int32{})
	}
	q.maxLat = max(q.maxLat, r.Lat())
	at := FloorDiv(r.Sent-q.origin, q.stretch)
	if q.stretches[k][at] == 0 {
		if q.count++; q.count > maxQuietStretches {
			q.stop()
			return
		}
	}
	q.stretches[k][at]++
}

// stop gives up on judging the run quietly.
func (q *quietness) stop() {
	q.broken, q.stretches = true, nil
}

// Holds reports whether the run was quiet for a limit of n per window: every
// request admitted, no m consecutive stretches of one key over n.
func (q *quietness) Holds(n int64) bool {
	if q.broken || len(q.stretches) == 0 {
		return false
	}
	width := q.maxLat + 2*ArrivalFloor
	m := (q.w+2*width+q.stretch-1)/q.stretch + 1
	for _, counts := range q.stretches {
		at := slices.Sorted(maps.Keys(counts))
		// The busiest m consecutive stretches start at one that holds requests.
		var sum int64
		end := 0
		for start := range at {
			for end < len(at) && at[end] < at[start]+m {
				sum += int64(counts[at[end]])
				end++
			}
			if sum > n {
				return false
			}
			sum -= int64(counts[at[start]])
		}
	}
	return true
}

// ArrivalFloor widens each side of a request's arrival interval for clock
// granularity: the server saw the request somewhere in
// [Sent − arrivalFloor, Sent + Latency + arrivalFloor].
const ArrivalFloor = int64(2 * time.Millisecond)

// FloorDiv is a / b rounded towards minus infinity.
func FloorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// FloorMod is a mod b with the sign of b: a − FloorDiv(a, b)·b.
func FloorMod(a, b int64) int64 { return a - FloorDiv(a, b)*b }
