// Package conformance judges a run: limiter models (oracles), one checker per
// check id, tolerance rules and evidence. Its entry point is the Judge
// (New(plan, Options), then Observe each observation, then Verdict); Check
// judges a run held in memory. It is pure: it reads observations and the
// scenario and never does I/O; the records that outgrow memory go to the
// Spill its caller hands in (conformance/spill makes one on disk). It must not
// import attack, report, the dashboard, an HTTP client or conformance/spill.
package conformance

import "time"

// ID names a check. Ids are stable: reports and CI gates refer to them.
type ID string

// The check ids of DESIGN.md.
const (
	LimitEnforced       ID = "limit.enforced"
	LimitNoEarlyReject  ID = "limit.no-early-reject"
	LimitStatus         ID = "limit.status"
	TimingOnset         ID = "timing.onset"
	RecoveryAfterWindow ID = "recovery.after-window"
	HeadersLimit        ID = "headers.limit"
	HeadersRemaining    ID = "headers.remaining"
	HeadersReset        ID = "headers.reset"
	HeadersRetryAfter   ID = "headers.retry-after"
	BodyErrorFormat     ID = "body.error-format"
	LimitPerKey         ID = "limit.per-key"
	LimitPerIP          ID = "limit.per-ip"
	LimitExcluded       ID = "limit.excluded"
	AuthMissingKey      ID = "auth.missing-key"
	AuthInvalidKey      ID = "auth.invalid-key"
	AuthScope           ID = "auth.scope"
	AuthNotCounted      ID = "auth.not-counted"
	QuotaEnforced       ID = "quota.enforced"
)

// Status is the outcome of one check.
type Status string

// The outcomes of a check.
const (
	Pass Status = "pass"
	Fail Status = "fail"
	Skip Status = "skip"
)

// Incomplete is the verdict of a run that did not carry out its plan: it was
// interrupted, or the process died and the run is judged from what it had
// recorded. No check failed on what was recorded, but what was not sent was
// not judged, so the run never passes.
const Incomplete Status = "incomplete"

// CheckResult is the outcome of one check for one limit.
type CheckResult struct {
	ID       ID        `json:"id"`
	Limit    string    `json:"limit,omitempty"` // limit name the check judged
	Status   Status    `json:"status"`
	Message  string    `json:"message"` // one sentence a person can act on; for skip, the reason
	Evidence *Evidence `json:"evidence,omitempty"`
	// Warning says what the check read leniently (header values that real
	// servers send but their standard does not allow), or is "". It never
	// fails the check; the message ends with it too.
	Warning string `json:"warning,omitempty"`
	// See names the check that fails the defect this one would otherwise
	// report again: one defect fails one check (DESIGN.md), and the related
	// check skips, pointing at it.
	See ID `json:"see,omitempty"`
	// Undecided is set on a skip when the check had something to judge but
	// could not decide it: the timing tolerance left every decision it needs
	// in doubt, the traffic never drove the limit far enough, the limit was
	// never seen to lift. A skip without it does not apply to the run (nothing
	// declared to judge) or defers (See). A run with an undecided limit check
	// is never a pass: Conclude makes it inconclusive.
	Undecided bool `json:"undecided,omitempty"`
}

// Evidence is the smallest set of requests that proves a failure, with what the
// model expected of them.
type Evidence struct {
	Expected string            `json:"expected"` // what the model expected, in words
	Requests []RequestEvidence `json:"requests"`
	Omitted  int               `json:"omitted,omitempty"` // further offending requests not listed
}

// RequestEvidence is one request as it appears in evidence.
type RequestEvidence struct {
	Seq     uint64            `json:"seq"`
	Phase   string            `json:"phase"`
	Sent    time.Time         `json:"sent"`
	Offset  time.Duration     `json:"offset"` // since the first request of the run
	Latency time.Duration     `json:"latency"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers,omitempty"`
	Note    string            `json:"note,omitempty"` // e.g. "admitted #21 in window starting +1.000s"
	// Context marks a request listed to frame the offending ones (the first
	// of a crowded window, the last rejection before a late recovery), not
	// one that broke the contract itself.
	Context bool `json:"context,omitempty"`
}

// First is the first offending request of the evidence, the one a one-line
// summary shows: the first not listed for context, else the first.
func (e *Evidence) First() (RequestEvidence, bool) {
	if e == nil || len(e.Requests) == 0 {
		return RequestEvidence{}, false
	}
	for _, q := range e.Requests {
		if !q.Context {
			return q, true
		}
	}
	return e.Requests[0], true
}

// Verdict is the judgement of a whole run.
type Verdict struct {
	// Status is Pass when no check failed, Fail otherwise; Conclude weighs
	// the run's facts too (Incomplete, Inconclusive) and says why in Reason.
	Status Status        `json:"status"`
	Reason string        `json:"reason,omitempty"` // one sentence, set by Conclude
	Checks []CheckResult `json:"checks"`
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

// Tally counts checks by status. Anything but pass and fail (skip, or a
// pending check with no status yet) counts as skipped.
func Tally(checks []CheckResult) (pass, fail, skip int) {
	for _, c := range checks {
		switch c.Status {
		case Pass:
			pass++
		case Fail:
			fail++
		default:
			skip++
		}
	}
	return pass, fail, skip
}

// Failed reports whether any check failed.
func (v Verdict) Failed() bool {
	for _, c := range v.Checks {
		if c.Status == Fail {
			return true
		}
	}
	return false
}
