package conformance

import (
	"fmt"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
)

// request writes one judged request as evidence.
func (a *analysis) request(r reqRef, note string) check.RequestEvidence {
	rec := r.rec()
	return check.RequestEvidence{
		Seq:     a.seqOf(&rec),
		Phase:   a.phaseName(rec.Phase),
		Sent:    time.Unix(0, rec.Sent).UTC(),
		Offset:  time.Duration(rec.Sent - a.origin),
		Latency: time.Duration(rec.Lat()),
		Status:  int(rec.Status),
		Note:    note,
	}
}

// limitText writes the limit: "20 per 1s".
func (a *analysis) limitText() string {
	return fmt.Sprintf("%d per %s", a.limit.Requests, check.FormatWindow(a.limit.Window))
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
	if n == 0 {
		return ""
	}
	return "; " + check.Plural(n, "ambiguous decision", "ambiguous decisions") + " " + a.eval.family.ambiguityWhere() + " not counted"
}

// rejectionNote explains why the model would have admitted a rejected request.
func (a *analysis) rejectionNote(r reqRef) string {
	return a.eval.family.rejectionNote(a, r.ev.DetOf(r.i))
}

// overNote explains an over-admission.
func (a *analysis) overNote(r reqRef) string {
	return a.eval.family.overNote(a, r, r.ev.DetOf(r.i))
}

// list writes refs as evidence, at most room of them, and returns how many
// were left out.
func (a *analysis) list(refs []reqRef, room int, note func(reqRef) string) ([]check.RequestEvidence, int) {
	n := min(len(refs), room)
	out := make([]check.RequestEvidence, 0, n)
	for _, r := range refs[:n] {
		out = append(out, a.request(r, note(r)))
	}
	return out, len(refs) - n
}
