package conformance

import (
	"fmt"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/model"
	"github.com/ratecheck/ratecheck/conformance/series"
)

// earlyResult judges limit.no-early-reject: no request rejected while the model
// says it was under the limit, outside a streak that began at the limit.
// When the server rejected, it needs one rejection the model is sure came at
// or over the limit; when every one lay within the timing tolerance of an
// early rejection it skips (a target far away can hide early rejections so).
func earlyResult(a *analysis) check.Result {
	res := check.Result{ID: check.LimitNoEarlyReject, Limit: a.limitName()}
	early := a.withOutcome(series.RejectEarly)
	amb := a.ambiguityText(a.ambiguous(false))
	if len(early) == 0 {
		rejected := len(a.where(func(r model.Ref) bool { return r.S.Rej[r.I] }))
		if limiting, amb := a.limitingRejections(); limiting > 0 && limiting == amb {
			res.Status, res.Undecided = check.Skip, true
			res.Message = fmt.Sprintf("every one of the %s the model explains lay within the timing tolerance of an early rejection, so none shows the limit was reached first (judged as %s)",
				check.Plural(limiting, "rejection", "rejections"), a.eval.Desc)
			return res
		}
		res.Status = check.Pass
		res.Message = fmt.Sprintf("no request was rejected while under the limit of %s (%s explained by the model; judged as %s%s)",
			a.limitText(), check.Plural(rejected, "rejection", "rejections"), a.eval.Desc, amb)
		return res
	}
	first := early[0]
	res.Status = check.Fail
	res.Message = fmt.Sprintf("%s rejected while under the limit of %s (first at %s, %s; judged as %s%s)",
		check.Plural(len(early), "request was", "requests were"), a.limitText(),
		check.FormatOffset(first.Rec().Sent-a.Origin), a.rejectionNote(first), a.eval.Desc, amb)
	if note := a.smoothingNote(); note != "" {
		res.Message += "; " + note
	}
	listed, omitted := a.list(early, check.MaxEvidence, a.rejectionNote)
	res.Evidence = &check.Evidence{Expected: a.expectedRejections(), Requests: listed, Omitted: omitted}
	return res
}

// expectedRejections says in words when the model admits.
func (a *analysis) expectedRejections() string { return a.eval.Family.ExpectedRejections(a.Limit) }

// limitingRejections counts the rejections the model holds were limiting
// (rejectOK) and how many of them the point model blames (ambiguous). A family
// that only rescues (the sliding-window counter) is chosen only when it
// explains the run, and its point model is one of the variants of the
// threshold its tolerant model accepts, so their disagreements are no timing
// uncertainty; but its estimate falls as time passes, and a rejection whose
// arrival time is uncertain by as long as the counter takes to free a
// request may have come with room (see cleanEpisodes): that one is
// ambiguous.
func (a *analysis) limitingRejections() (limiting, amb int) {
	for x, s := range a.series {
		if a.eval.Family.RescuesOnly() {
			frees := a.eval.Family.Frees(a.P)
			for i, o := range a.eval.States[x].Out {
				if o == series.RejectOK {
					limiting++
					if frees*float64(s.Hi(i)-s.Lo(i)) >= 1 {
						amb++
					}
				}
			}
			continue
		}
		ev := &a.eval.States[x]
		for _, o := range ev.Out {
			if o == series.RejectOK {
				limiting++
			}
		}
		amb += len(ev.AmbRej)
	}
	return limiting, amb
}
