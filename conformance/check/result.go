// Package check is the vocabulary of a verdict's checks: the check ids, their
// statuses, the result of one check with the evidence that proves it, the
// Checker every check implements, and how messages write numbers, windows and
// durations (format.go). Every package of conformance builds on it, and so
// do the reports.
package check

import (
	"time"

	"github.com/ratecheck/ratecheck/results"
)

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

// Inconclusive is the verdict of a run that completed but whose evidence
// settles nothing: no answer was a rate-limit decision (every request got 401,
// 403, 404, a server error or no answer at all), or no check of the limit
// itself could be judged. A CI gate must not read it as a pass.
const Inconclusive Status = "inconclusive"

// Result is the outcome of one check for one limit.
type Result struct {
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

// A Checker judges one check id over the observations of a run.
type Checker interface {
	Observe(o results.Observation) // called in seq order, never concurrently
	Result() Result                // pass, fail or skip with reason and evidence
}

// MaxEvidence is the most requests listed in one piece of evidence.
const MaxEvidence = 10

// Tally counts checks by status. Anything but pass and fail (skip, or a
// pending check with no status yet) counts as skipped.
func Tally(checks []Result) (pass, fail, skip int) {
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
