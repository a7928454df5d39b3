package conformance

import (
	"fmt"
	"time"
)

// maxEvidence is the most requests listed in one piece of evidence.
const maxEvidence = 10

// request writes one judged request as evidence.
func (a *analysis) request(r reqRef, note string) RequestEvidence {
	rec := r.rec()
	return RequestEvidence{
		Seq:     a.seqOf(&rec),
		Phase:   a.phaseName(rec.phase),
		Sent:    time.Unix(0, rec.sent).UTC(),
		Offset:  time.Duration(rec.sent - a.origin),
		Latency: time.Duration(rec.lat()),
		Status:  int(rec.status),
		Note:    note,
	}
}

// limitText writes the limit: "20 per 1s".
func (a *analysis) limitText() string {
	return fmt.Sprintf("%d per %s", a.limit.Requests, fmtWindow(a.limit.Window))
}

// limitName is the tested limit's name, or "" when there is none.
func (a *analysis) limitName() string {
	if a.limit == nil {
		return ""
	}
	return a.limit.Name
}

// ambiguityText tells how many decisions were too close to call, or "".
func (a *analysis) ambiguityText(n int) string {
	switch {
	case n == 0:
		return ""
	case a.eval.family == familyWindow:
		return "; " + plural(n, "ambiguous decision", "ambiguous decisions") + " near window boundaries not counted"
	}
	return "; " + plural(n, "ambiguous decision", "ambiguous decisions") + " within the timing tolerance not counted"
}

// rejectionNote explains why the model would have admitted a rejected request.
func (a *analysis) rejectionNote(r reqRef) string {
	d := r.ev.detOf(r.i)
	switch a.eval.family {
	case familyWindow:
		return fmt.Sprintf("rejected with %s admitted in the window starting %s (limit %d)",
			fmtNum(d.level), fmtOffset(d.start), a.limit.Requests)
	case familyLog:
		return fmt.Sprintf("rejected with %s admitted in the %s before it (limit %d)",
			fmtNum(d.level), fmtWindow(a.limit.Window), a.limit.Requests)
	case familyCounter:
		return fmt.Sprintf("rejected with an estimate of at most %s for the %s before it (limit %d)",
			fmtNum(d.level), fmtWindow(a.limit.Window), a.limit.Requests)
	}
	return fmt.Sprintf("rejected with at least %s tokens left", fmtNum(d.level))
}

// overNote explains an over-admission.
func (a *analysis) overNote(r reqRef) string {
	d := r.ev.detOf(r.i)
	switch a.eval.family {
	case familyWindow:
		return fmt.Sprintf("admitted #%d in the window starting %s, beyond the limit of %d",
			d.rank, fmtOffset(d.start), a.limit.Requests)
	case familyLog:
		return fmt.Sprintf("admitted #%d within %s, beyond the limit of %d",
			d.rank, fmtSeconds(r.s.hi(r.i)-d.start), a.limit.Requests)
	case familyCounter:
		return fmt.Sprintf("admitted with an estimate of at least %s for the %s before it (limit %d)",
			fmtNum(d.level), fmtWindow(a.limit.Window), a.limit.Requests)
	}
	return fmt.Sprintf("admitted #%d within %s, where the bucket allows %s",
		d.rank, fmtSeconds(r.s.hi(r.i)-d.start), fmtNum(d.level))
}

// list writes refs as evidence, at most room of them, and returns how many
// were left out.
func (a *analysis) list(refs []reqRef, room int, note func(reqRef) string) ([]RequestEvidence, int) {
	n := min(len(refs), room)
	out := make([]RequestEvidence, 0, n)
	for _, r := range refs[:n] {
		out = append(out, a.request(r, note(r)))
	}
	return out, len(refs) - n
}
