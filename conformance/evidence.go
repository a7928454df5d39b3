package conformance

import (
	"fmt"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/model"
)

// request writes one judged request as evidence.
func (a *analysis) request(r model.Ref, note string) check.RequestEvidence {
	rec := r.Rec()
	return check.RequestEvidence{
		Seq:     a.SeqOf(&rec),
		Phase:   a.PhaseName(rec.Phase),
		Sent:    time.Unix(0, rec.Sent).UTC(),
		Offset:  time.Duration(rec.Sent - a.Origin),
		Latency: time.Duration(rec.Lat()),
		Status:  int(rec.Status),
		Note:    note,
	}
}

// limitText writes the limit: "20 per 1s".
func (a *analysis) limitText() string {
	return fmt.Sprintf("%d per %s", a.Limit.Requests, check.FormatWindow(a.Limit.Window))
}

// limitName is the tested limit's name, or "" when there is none.
func (a *analysis) limitName() string {
	if a.Limit == nil {
		return ""
	}
	return a.Limit.Name
}

// ambiguityText tells how many decisions were too close to call, or "".
func (a *analysis) ambiguityText(n int) string {
	if n == 0 {
		return ""
	}
	return "; " + check.Plural(n, "ambiguous decision", "ambiguous decisions") + " " + a.eval.Family.AmbiguityWhere() + " not counted"
}

// rejectionNote explains why the model would have admitted a rejected request.
func (a *analysis) rejectionNote(r model.Ref) string {
	return a.eval.Family.RejectionNote(&a.Rules, r.Ev.DetOf(r.I))
}

// overNote explains an over-admission.
func (a *analysis) overNote(r model.Ref) string {
	return a.eval.Family.OverNote(&a.Rules, r, r.Ev.DetOf(r.I))
}

// list writes refs as evidence, at most room of them, and returns how many
// were left out.
func (a *analysis) list(refs []model.Ref, room int, note func(model.Ref) string) ([]check.RequestEvidence, int) {
	n := min(len(refs), room)
	out := make([]check.RequestEvidence, 0, n)
	for _, r := range refs[:n] {
		out = append(out, a.request(r, note(r)))
	}
	return out, len(refs) - n
}
