package conformance

import (
	"fmt"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/model"
	"github.com/ratecheck/ratecheck/conformance/series"
	"github.com/ratecheck/ratecheck/scenarios"
)

// recoveryResult judges recovery.after-window: once limited, requests succeed
// again when the model says the limit has lifted (and the first request of a
// recovery phase, sent the promised recovery time after the last rejection,
// succeeds), and the limit lifts within the promise (plus one request's
// interval at the limit's rate) of the first rejection of a streak, for a
// client that keeps retrying: a limiter that stays closed longer while it is
// retried fails, however soon it opens once the client stops.
//
// It needs a lift to pass: one timed (see measuredRecovery), or one after a
// pause (the first request after it admitted); otherwise it skips.
func recoveryResult(a *analysis) check.Result {
	res := check.Result{ID: check.RecoveryAfterWindow, Limit: a.limitName()}
	if len(a.where(func(r model.Ref) bool { return r.S.Rej[r.I] })) == 0 {
		res.Status, res.Undecided = check.Skip, a.PlannedPastLimit()
		res.Message = "the server never rejected a request, so recovery after the limit was not exercised"
		return res
	}
	promised := check.FormatWindow(a.Recovery())
	m, worst := a.measuredRecovery()
	lifted := a.liftText(m)
	late := a.withOutcome(series.RejectRecovery)
	slow := m != nil && a.tooSlow(worst)
	switch {
	case len(late) == 0 && !slow && lifted == "":
		res.Status, res.Undecided = check.Skip, a.PlannedPastRecovery()
		res.Message = fmt.Sprintf("the limit was never seen to lift (no admission ended a streak of rejections), so recovery within the promised %s was not measured", promised)
		if !res.Undecided {
			res.Message += fmt.Sprintf(": the plan sends for less than %s once past the limit (%s in all)", promised, check.FormatWindow(a.Plan.Duration().Round(time.Second)))
		}
		return res
	case len(late) == 0 && !slow:
		res.Status = check.Pass
		res.Message = lifted
		return res
	case len(late) == 0:
		res.Status = check.Fail
		res.Message = lifted
		res.Evidence = a.slowLiftEvidence(worst, m)
		return res
	}
	first := late[0]
	res.Status = check.Fail
	res.Message = fmt.Sprintf("%s rejected after the limit should have lifted (promised %s; first at %s, %s)",
		check.Plural(len(late), "request was", "requests were"), promised, check.FormatOffset(first.Rec().Sent-a.Origin), a.rejectionNote(first))
	if lifted != "" {
		res.Message += "; " + lifted
	}
	ev := &check.Evidence{Expected: fmt.Sprintf("requests succeed again once the limit lifts (promised after %s; %s)",
		promised, a.expectedRejections())}
	if ctx, ok := a.lastLimitedBefore(first); ok {
		q := a.request(ctx, "last request the model says was over the limit")
		q.Context = true
		ev.Requests = append(ev.Requests, q)
	}
	listed, omitted := a.list(late, check.MaxEvidence-len(ev.Requests), a.rejectionNote)
	ev.Requests = append(ev.Requests, listed...)
	ev.Omitted = omitted
	res.Evidence = ev
	return res
}

// liftText says how long the limit took to lift: measured to the millisecond
// when a probe or over phase timed it (or how long it surely stayed closed
// while retried), else bounded by the first admission after a pause, else
// shown by a recovery phase's first request admitted, else "".
func (a *analysis) liftText(m *Recovery) string {
	if m != nil {
		return "the limit " + m.Summary
	}
	l, ok := a.pauseLift()
	if !ok {
		if wait, ok := a.openerLift(); ok {
			return fmt.Sprintf("the limit lifted: the first request of the recovery phase, sent %s after the last rejection, was admitted (no streak's lift was seen: each ended with admissions sent beside its rejections, which a server may decide in either order; promised %s)",
				check.FormatSeconds(wait), check.FormatWindow(a.Recovery()))
		}
		return ""
	}
	least, most := l.least(), l.most()
	return fmt.Sprintf("the limit lifted during a pause: the first request after it, %s after the first rejection of its streak, was admitted (closed at least %s; not timed more finely, since no probe or over phase saw it lift; promised %s)",
		check.FormatSeconds(most), check.FormatSeconds(max(least, 0)), check.FormatWindow(a.Recovery()))
}

// openerLift is how long after the last rejection before it the first
// request of a recovery phase was sent, for the one sent longest after,
// when one was admitted: the promise kept as the docs state it ("succeeds
// again after one minute"), where no lift of a streak could be seen (a
// burst's admissions and rejections race, so every streak ended with an
// admission that shows no lift, and none was left open at the pause).
func (a *analysis) openerLift() (wait int64, ok bool) {
	for _, s := range a.series {
		lastRej := -1
		seen := map[int32]bool{}
		for i, r := range s.Reqs {
			if !s.Known[i] {
				continue
			}
			opens := !seen[r.Phase] && a.PhaseKind(r.Phase) == scenarios.PhaseRecovery
			seen[r.Phase] = true
			switch {
			case s.Rej[i]:
				lastRej = i
			case opens && lastRej >= 0:
				if w := r.Sent - s.Reqs[lastRej].Sent; !ok || w > wait {
					wait, ok = w, true
				}
			}
		}
	}
	return wait, ok
}

// pauseLift is the untimed lift ended by an admission (after a pause) with
// the longest bound on its wait; an admission that raced the streak's first
// rejection shows no lift.
func (a *analysis) pauseLift() (lift, bool) {
	var best lift
	found := false
	for _, l := range a.lifts() {
		if !l.timed && !l.raced && l.adm >= 0 && (!found || l.most() > best.most()) {
			best, found = l, true
		}
	}
	return best, found
}

// most is the longest the wait of a lift ended by an admission can have been:
// from the first rejection's arrival to the admission's.
func (l lift) most() int64 {
	from, _ := l.arrival(l.first)
	_, to := l.arrival(l.adm)
	return to - from
}

// slowLiftEvidence shows a lift that came later than promised: the first and
// last rejection of the streak and the admission that ended it, if any.
func (a *analysis) slowLiftEvidence(l lift, m *Recovery) *check.Evidence {
	ev := &check.Evidence{Expected: fmt.Sprintf("requests succeed again within %s of the first rejection (plus %s, one request's interval at %s), also while the client retries",
		check.FormatWindow(m.Promised), model.FormatMillis(int64(a.liftSlack())), a.limitText())}
	ev.Requests = []check.RequestEvidence{
		a.request(model.Ref{S: l.s, I: l.first}, "first rejection of the streak"),
		a.request(model.Ref{S: l.s, I: l.last}, fmt.Sprintf("last rejection, %s after the first", check.FormatSeconds(l.s.Reqs[l.last].Sent-l.s.Reqs[l.first].Sent))),
	}
	switch {
	case l.timed:
		ev.Requests = append(ev.Requests, a.request(model.Ref{S: l.s, I: l.adm}, fmt.Sprintf("admitted: the limit lifted %s after the first rejection", check.FormatPrecise(m.Wait, m.Precision))))
	case l.adm >= 0:
		ev.Requests = append(ev.Requests, a.request(model.Ref{S: l.s, I: l.adm}, "admitted, after the client paused"))
	}
	return ev
}

// lastLimitedBefore finds the last legitimately limited request of r's series
// sent before r.
func (a *analysis) lastLimitedBefore(r model.Ref) (model.Ref, bool) {
	for i := r.I - 1; i >= 0; i-- {
		if r.Ev.Out[i] == series.RejectOK {
			return model.Ref{S: r.S, Ev: r.Ev, I: i}, true
		}
	}
	return model.Ref{}, false
}
