package runner

import (
	"runtime/debug"
	"time"
)

// judgingGCPercent is the collector's target (GOGC) while a verdict is
// computed. Judging is a burst of short-lived allocation after the traffic
// has stopped: every limiter family evaluates the whole run in turn. With the
// default target of 100 the heap grows to twice what is live before each
// collection, and the run's peak memory comes from that garbage (157 MB peak
// RSS for 1,000,000 requests, against 77 MB while sending). Collecting more
// often there costs a fraction of a second of CPU and no send precision.
const judgingGCPercent = 25

// Judging runs judge with the collector's target lowered to judgingGCPercent
// and a soft memory limit tracking the live heap (see trackLive), and
// restores both afterwards. A stricter target, or a collector turned off
// (GOGC=off), is left as it is, and so is a lower limit (GOMEMLIMIT).
func Judging[T any](judge func() T) T {
	old := debug.SetGCPercent(judgingGCPercent)
	if old < judgingGCPercent {
		debug.SetGCPercent(old)
	}
	defer debug.SetGCPercent(old)
	defer trackLive(judgingInterval, judgingHeadroom)()
	return judge()
}

// judgingInterval is how often the memory limit follows the live heap while
// judging: a million requests are judged in about a second.
const judgingInterval = 10 * time.Millisecond
