// Package conformance judges a run: limiter models (oracles), one checker per
// check id, tolerance rules and evidence. Its entry point is the Judge
// (New(plan, Options), then Observe each observation, then Verdict); Check
// judges a run held in memory. It is pure: it reads observations and the
// scenario and never does I/O; the records that outgrow memory go to the
// records.Spill its caller hands in (conformance/spill makes one on disk). It
// must not import attack, report, the dashboard, an HTTP client or
// conformance/spill.
package conformance

import (
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
)

// Verdict is the judgement of a whole run.
type Verdict struct {
	// Status is Pass when no check failed, Fail otherwise; Conclude weighs
	// the run's facts too (Incomplete, Inconclusive) and says why in Reason.
	Status check.Status   `json:"status"`
	Reason string         `json:"reason,omitempty"` // one sentence, set by Conclude
	Checks []check.Result `json:"checks"`
	// Fingerprint is the limiter family and parameters that best explain the
	// server's decisions, or nil when the run could not be judged.
	Fingerprint *Fingerprint `json:"fingerprint,omitempty"`
	// Recovery is how long the tested limit took to lift, as measured, or nil
	// when the run never saw it lift.
	Recovery *Recovery `json:"recovery,omitempty"`
}

// Recovery is the measured time for the tested limit to lift: of every lift
// timed (a streak of rejections ended by an admission in the probe phase, or
// in the over phase when there is no probe), the one that kept requests
// waiting longest after the first rejection of its streak.
type Recovery struct {
	Limit     string        `json:"limit"`
	Lifts     int           `json:"lifts"`      // lifts timed
	Wait      time.Duration `json:"wait"`       // first rejection of the streak to the lift, estimated
	Precision time.Duration `json:"precision"`  // Wait is exact to ± this
	LeastWait time.Duration `json:"least_wait"` // the shortest the wait can have been
	// LiftedAt is when the limit lifted (the middle of the interval in which it
	// surely did, on this machine's clock), exact to ± LiftPrecision.
	LiftedAt      time.Time     `json:"lifted_at"`
	LiftPrecision time.Duration `json:"lift_precision"`
	Promised      time.Duration `json:"promised"` // the scenario's recovery, or the window
	// StillClosed is set when the limit was not seen to lift while the client
	// kept retrying: Wait (= LeastWait) is then how long it surely stayed
	// closed after the first rejection of the streak, and LiftedAt is zero.
	StillClosed bool   `json:"still_closed,omitempty"`
	Phase       string `json:"phase"`   // the phase of the admission that ended the streak
	Summary     string `json:"summary"` // one sentence, e.g. "lifted 0.612 s ± 7 ms after the first rejection (longest of 6 lifts timed; promised 1s)"
}

// Fingerprint is the limiter that best explains a run's decisions, whatever
// the scenario promised, and how well it explains them.
type Fingerprint struct {
	Family    string `json:"family"`    // "fixed window", "sliding log", "sliding-window counter", "token bucket", "leaky bucket"
	Params    string `json:"params"`    // e.g. "burst 20, refill 20/s" or "20 per 1s, clock-aligned 0.370 s into each 1s"
	Explained int    `json:"explained"` // judged decisions the model agrees with at every possible arrival
	Judged    int    `json:"judged"`    // requests whose answer was a rate-limit decision
	Ambiguous int    `json:"ambiguous"` // decisions within the timing tolerance, neither explained nor blamed
	Summary   string `json:"summary"`   // one sentence, e.g. "token bucket, burst 20, refill 20/s: explains 1,198 of 1,200 decisions; 2 ambiguous"
}

// Failed reports whether any check failed.
func (v Verdict) Failed() bool {
	for _, c := range v.Checks {
		if c.Status == check.Fail {
			return true
		}
	}
	return false
}
