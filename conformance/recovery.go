package conformance

import (
	"fmt"

	"github.com/ratecheck/ratecheck/scenarios"
)

// recoveryResult judges recovery.after-window: once limited, requests succeed
// again when the model says the limit has lifted (and the first request of a
// recovery phase, sent the promised recovery time after the last rejection,
// succeeds). It also measures how long the limit took to lift before each pause.
func recoveryResult(a *analysis) CheckResult {
	res := CheckResult{ID: RecoveryAfterWindow, Limit: a.limitName()}
	if a.skip != "" {
		res.Status, res.Message = Skip, a.skip
		return res
	}
	if len(a.where(func(r reqRef) bool { return r.s.rej[r.i] })) == 0 {
		res.Status = Skip
		res.Message = "the server never rejected a request, so recovery after the limit was not exercised"
		return res
	}
	promised := fmtWindow(a.recovery())
	lifted := ""
	if l, ok := a.measureLift(); ok {
		lifted = fmt.Sprintf("limit lifted within %s of the last %s (promised %s)", fmtSeconds(l.took), l.what, promised)
	}
	late := a.withOutcome(rejectRecovery)
	if len(late) == 0 {
		res.Status = Pass
		res.Message = lifted
		if lifted == "" {
			res.Message = fmt.Sprintf("no request was rejected after the limit should have lifted (promised %s)", promised)
		}
		return res
	}
	first := late[0]
	res.Status = Fail
	res.Message = fmt.Sprintf("%s rejected after the limit should have lifted (promised %s; first at %s, %s)",
		plural(len(late), "request was", "requests were"), promised, fmtOffset(first.rec().sent-a.origin), a.rejectionNote(first))
	if lifted != "" {
		res.Message += "; " + lifted
	}
	ev := &Evidence{Expected: fmt.Sprintf("requests succeed again once the limit lifts (promised after %s; %s)",
		promised, a.expectedRejections())}
	if ctx, ok := a.lastLimitedBefore(first); ok {
		ev.Requests = append(ev.Requests, a.request(ctx, "last request the model says was over the limit"))
	}
	listed, omitted := a.list(late, maxEvidence-len(ev.Requests), a.rejectionNote)
	ev.Requests = append(ev.Requests, listed...)
	ev.Omitted = omitted
	res.Evidence = ev
	return res
}

// lastLimitedBefore finds the last legitimately limited request of r's series
// sent before r.
func (a *analysis) lastLimitedBefore(r reqRef) (reqRef, bool) {
	for i := r.i - 1; i >= 0; i-- {
		if r.ev.out[i] == rejectOK {
			return reqRef{r.s, r.ev, i}, true
		}
	}
	return reqRef{}, false
}

// lift is the longest wait seen between the last rejection before a pause and
// the next admission.
type lift struct {
	took int64  // nanoseconds
	what string // "429" or "rejection"
}

// measureLift measures, for the last rejected request before each pause phase,
// the time until the next admitted request of the same series.
func (a *analysis) measureLift() (lift, bool) {
	var best lift
	found := false
	for _, s := range a.series {
		prev := int32(-1)
		for k, ph := range a.plan.Phases {
			if ph.Kind != scenarios.PhasePause {
				continue
			}
			if l, ok := liftBefore(s, prev, int32(k)); ok && (!found || l.took > best.took) {
				best, found = l, true
			}
			prev = int32(k)
		}
	}
	return best, found
}

// liftBefore measures one pause: the last rejection in a phase between the
// pauses prev and next, and the first admission sent after it.
func liftBefore(s *series, prev, next int32) (lift, bool) {
	last := -1
	for i, r := range s.reqs {
		if s.rej[i] && r.phase > prev && r.phase < next {
			last = i
		}
	}
	if last < 0 {
		return lift{}, false
	}
	for i := last + 1; i < len(s.reqs); i++ {
		if s.adm[i] {
			l := lift{took: s.reqs[i].sent - s.reqs[last].sent, what: "rejection"}
			if s.reqs[last].status == 429 {
				l.what = "429"
			}
			return l, true
		}
	}
	return lift{}, false
}
