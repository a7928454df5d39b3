package dashboard

import (
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/results/metrics"
)

// Frame is one picture of a run: plain values, safe to keep. The sender must
// not change a Frame's maps and slices after putting it in a Mailbox.
type Frame struct {
	Scenario string // scenario name
	Target   string // base URL, never with credentials
	Tested   string // the limit under test, e.g. "per-second: 20 per 1s per key (any)"

	Phases  []PhaseInfo
	Limits  []LimitLine // the limits the chart can draw as a line; tab switches between them
	Current int         // index of the running phase, -1 before the first and after the last

	Elapsed time.Duration // since the run started
	Total   time.Duration // planned length of the run

	Metrics metrics.Snapshot
	Checks  []check.Result // provisional while running, final when Done
	// Judged is how many phases, from the first, had run when Checks were
	// judged: their time over and every planned request answered. A check
	// decided by phases past it reads as pending while the run goes.
	Judged int
	Notes  []string // e.g. "built-in target: demo key generated"

	// Remaining names the Remaining header the run follows, drawn from
	// Metrics.Remaining; nil when the scenario promises none (no panel).
	Remaining *RemainingInfo

	Done    bool         // the run is over: this is the last frame
	Verdict check.Status // the run's verdict when Done, as the conformance engine decided it
}

// LimitLine is one promised limit: Requests per Window.
type LimitLine struct {
	Name     string
	Requests int64
	Window   time.Duration
}

// RemainingInfo names the Remaining header followed and the limit it
// describes.
type RemainingInfo struct {
	Header      string    // e.g. "X-RateLimit-Remaining"
	Limit       LimitLine // the limit the header describes
	Approximate bool      // the scenario says Remaining is an estimate
}

// PhaseInfo describes one planned phase.
type PhaseInfo struct {
	Name     string
	Kind     string // under, at, over, pause, recovery
	Start    time.Duration
	Duration time.Duration
	Rate     float64 // requests per second asked for; 0 for a pause
}

// progress is how far the run is, in [0, 1]: elapsed over total, where the
// total falls back to the end of the last phase.
func (f Frame) progress() float64 {
	if f.Done {
		return 1
	}
	total := f.total()
	if total <= 0 {
		return 0
	}
	return min(max(float64(f.Elapsed)/float64(total), 0), 1)
}

// total is the planned length of the run.
func (f Frame) total() time.Duration {
	if f.Total > 0 || len(f.Phases) == 0 {
		return f.Total
	}
	last := f.Phases[len(f.Phases)-1]
	return last.Start + last.Duration
}

// current returns the running phase, if Current points at one.
func (f Frame) current() (PhaseInfo, bool) {
	if f.Current < 0 || f.Current >= len(f.Phases) {
		return PhaseInfo{}, false
	}
	return f.Phases[f.Current], true
}

// phaseMetrics returns the metrics of phase i: the snapshot's phase at the
// same index when the names agree, else the first with the same name.
func (f Frame) phaseMetrics(i int) (metrics.PhaseSnapshot, bool) {
	if i < 0 || i >= len(f.Phases) {
		return metrics.PhaseSnapshot{}, false
	}
	name := f.Phases[i].Name
	ps := f.Metrics.Phases
	if i < len(ps) && ps[i].Name == name {
		return ps[i], true
	}
	for _, p := range ps {
		if p.Name == name {
			return p, true
		}
	}
	return metrics.PhaseSnapshot{}, false
}
