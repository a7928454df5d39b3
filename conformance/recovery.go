package conformance

import (
	"fmt"

	"github.com/ratecheck/ratecheck/scenarios"
)

// recoveryResult judges recovery.after-window: once limited, requests succeed
// again when the model says the limit has lifted (and the first request of a
// recovery phase, sent the promised recovery time after the last rejection,
// succeeds), and the measured time from the first rejection of a streak to the
// limit lifting is within the promise (plus one request's interval at the
// limit's rate).
func recoveryResult(a *analysis) CheckResult {
	res := CheckResult{ID: RecoveryAfterWindow, Limit: a.limitName()}
	if len(a.where(func(r reqRef) bool { return r.s.rej[r.i] })) == 0 {
		res.Status = Skip
		res.Message = "the server never rejected a request, so recovery after the limit was not exercised"
		return res
	}
	promised := fmtWindow(a.recovery())
	m, worst := a.measuredRecovery()
	lifted := a.liftText(m)
	late := a.withOutcome(rejectRecovery)
	slow := m != nil && a.tooSlow(worst)
	switch {
	case len(late) == 0 && !slow:
		res.Status = Pass
		res.Message = lifted
		if lifted == "" {
			res.Message = fmt.Sprintf("no request was rejected after the limit should have lifted (promised %s)", promised)
		}
		return res
	case len(late) == 0:
		res.Status = Fail
		res.Message = lifted
		res.Evidence = a.slowLiftEvidence(worst, m)
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

// liftText says how long the limit took to lift: measured to the millisecond
// when a probe or over phase timed it, else from the last rejection before a
// pause to the next admission, else "".
func (a *analysis) liftText(m *Recovery) string {
	promised := fmtWindow(a.recovery())
	if m != nil {
		return "the limit " + m.Summary
	}
	if l, ok := a.measureLift(); ok {
		return fmt.Sprintf("limit lifted within %s of the last %s (promised %s)", fmtSeconds(l.took), l.what, promised)
	}
	return ""
}

// slowLiftEvidence shows a lift that came later than promised: the first and
// last rejection of the streak and the admission that ended it.
func (a *analysis) slowLiftEvidence(l lift, m *Recovery) *Evidence {
	ev := &Evidence{Expected: fmt.Sprintf("requests succeed again within %s of the first rejection (plus %s, one request's interval at %s)",
		fmtWindow(m.Promised), fmtMillis(int64(a.liftSlack())), a.limitText())}
	ev.Requests = []RequestEvidence{
		a.request(reqRef{s: l.s, i: l.first}, "first rejection of the streak"),
		a.request(reqRef{s: l.s, i: l.last}, fmt.Sprintf("last rejection, %s after the first", fmtSeconds(l.s.reqs[l.last].sent-l.s.reqs[l.first].sent))),
		a.request(reqRef{s: l.s, i: l.adm}, fmt.Sprintf("admitted: the limit lifted %s after the first rejection", fmtPrecise(m.Wait, m.Precision))),
	}
	return ev
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

// pauseLift is the longest wait seen between the last rejection before a
// pause and the next admission.
type pauseLift struct {
	took int64  // nanoseconds
	what string // "429" or "rejection"
}

// measureLift measures, for the last rejected request before each pause phase,
// the time until the next admitted request of the same series.
func (a *analysis) measureLift() (pauseLift, bool) {
	var best pauseLift
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
func liftBefore(s *series, prev, next int32) (pauseLift, bool) {
	last := -1
	for i, r := range s.reqs {
		if s.rej[i] && r.phase > prev && r.phase < next {
			last = i
		}
	}
	if last < 0 {
		return pauseLift{}, false
	}
	for i := last + 1; i < len(s.reqs); i++ {
		if s.adm[i] {
			l := pauseLift{took: s.reqs[i].sent - s.reqs[last].sent, what: "rejection"}
			if s.reqs[last].status == 429 {
				l.what = "429"
			}
			return l, true
		}
	}
	return pauseLift{}, false
}
