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
func (a *analysis) worstText(over []reqRef) string {
	if a.eval.family == familyWindow {
		return fmt.Sprintf("worst window: %d admitted", a.eval.worst)
	}
	w := worstOver(over)
	d := w.ev.detOf(w.i)
	switch a.eval.family {
	case familyLog:
		return fmt.Sprintf("worst: %d admitted within %s", d.rank, fmtSeconds(w.s.hi(w.i)-d.start))
	case familyCounter:
		return fmt.Sprintf("worst estimate: %s", fmtNum(d.level))
	}
	return fmt.Sprintf("worst: %d admitted within %s where the bucket allows %s",
		d.rank, fmtSeconds(w.s.hi(w.i)-d.start), fmtNum(d.level))
}

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
		if a.eval.family == familyWindow {
			frame = append(frame, a.lastFitting(first)...)
		}
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
func (a *analysis) frameNote(r reqRef) string {
	d := r.ev.detOf(r.i)
	switch a.eval.family {
	case familyWindow:
		return fmt.Sprintf("admitted #%d in the window starting %s", d.rank, fmtOffset(d.start))
	case familyLog:
		return "first admitted request of the crowded span"
	case familyCounter:
		return fmt.Sprintf("first admitted request surely in the window starting %s", fmtOffset(d.start))
	}
	return "first admitted request of the crowded span (bucket assumed full here)"
}

// expectedAdmissions says in words what the model allows.
func (a *analysis) expectedAdmissions() string {
	l := a.limit
	switch a.eval.family {
	case familyWindow:
		return fmt.Sprintf("at most %d admitted per %s window", l.Requests, fmtWindow(l.Window))
	case familyLog:
		return fmt.Sprintf("at most %d admitted in any %s", l.Requests, fmtWindow(l.Window))
	case familyCounter:
		return fmt.Sprintf("admitted only while prev·(1−f) + curr < %d (sliding-window counter over %s windows)", l.Requests, fmtWindow(l.Window))
	}
	p := paramsOf(l)
	return fmt.Sprintf("at most %s + %s/s × elapsed admitted (token bucket of %s)",
		fmtNum(p.burst), fmtNum(float64(l.Requests)/l.Window.Seconds()), fmtNum(p.burst))
}
