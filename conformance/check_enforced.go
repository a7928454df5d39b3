package conformance

import "fmt"

// enforcedResult judges limit.enforced: no request admitted beyond the limit.
// A run whose over phase was never limited fails here too: every admission the
// model would have refused is an over-admission.
func enforcedResult(a *analysis) CheckResult {
	res := CheckResult{ID: LimitEnforced, Limit: a.limitName()}
	over := a.withOutcome(admitOver)
	amb := a.ambiguityText(a.ambiguous(true))
	if len(over) == 0 {
		res.Status = Pass
		res.Message = fmt.Sprintf("no request was admitted beyond the limit of %s (judged as %s%s)",
			a.limitText(), a.eval.desc, amb)
		return res
	}
	res.Status = Fail
	res.Message = fmt.Sprintf("%s admitted beyond the limit of %s (%s; judged as %s%s)",
		plural(len(over), "request", "requests"), a.limitText(), a.worstText(over), a.eval.desc, amb)
	res.Evidence = a.overEvidence(over)
	return res
}

// worstText describes the most crowded window or set.
func (a *analysis) worstText(over []reqRef) string { return a.eval.family.worstText(a, over) }

// worstOver is the over-admission with the largest excess, the earliest on a tie.
func worstOver(over []reqRef) reqRef {
	w := over[0]
	excess := func(r reqRef) float64 {
		d := r.ev.detOf(r.i)
		return float64(d.rank) - d.level
	}
	for _, r := range over[1:] {
		if r.ev.detOf(r.i).rank > w.ev.detOf(w.i).rank || excess(r) > excess(w) {
			w = r
		}
	}
	return w
}

// overEvidence lists the first over-admission with the requests that frame it:
// for windows the first and the last admitted request that fit in its window,
// for the log and bucket the first request of the crowded set; then further
// over-admissions.
func (a *analysis) overEvidence(over []reqRef) *Evidence {
	first := over[0]
	ev := &Evidence{Expected: a.expectedAdmissions()}
	var frame []reqRef
	d := first.ev.detOf(first.i)
	if d.ref >= 0 {
		frame = append(frame, reqRef{first.s, first.ev, int(d.ref)})
		frame = append(frame, a.eval.family.frame(a, first)...)
	}
	for _, r := range frame {
		ev.Requests = append(ev.Requests, a.request(r, a.frameNote(r)))
	}
	listed, omitted := a.list(over, maxEvidence-len(frame), a.overNote)
	ev.Requests = append(ev.Requests, listed...)
	ev.Omitted = omitted
	return ev
}

// lastFitting returns the admitted request ranked at the limit in over's window,
// when it is not the window's first.
func (a *analysis) lastFitting(over reqRef) []reqRef {
	d := over.ev.detOf(over.i)
	for i := range over.s.reqs {
		o := over.ev.detOf(i)
		if over.s.adm[i] && o.ref == d.ref && int64(o.rank) == a.limit.Requests && i != int(d.ref) {
			return []reqRef{{over.s, over.ev, i}}
		}
	}
	return nil
}

// frameNote describes a request that frames an over-admission.
func (a *analysis) frameNote(r reqRef) string { return a.eval.family.frameNote(r.ev.detOf(r.i)) }

// expectedAdmissions says in words what the model allows.
func (a *analysis) expectedAdmissions() string { return a.eval.family.expectedAdmissions(a.limit) }
