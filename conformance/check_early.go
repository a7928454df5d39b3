package conformance

import "fmt"

// earlyResult judges limit.no-early-reject: no request rejected while the model
// says it was under the limit, outside a streak that began at the limit.
func earlyResult(a *analysis) CheckResult {
	res := CheckResult{ID: LimitNoEarlyReject, Limit: a.limitName()}
	early := a.withOutcome(rejectEarly)
	amb := a.ambiguityText(a.ambiguous(false))
	if len(early) == 0 {
		rejected := len(a.where(func(r reqRef) bool { return r.s.rej[r.i] }))
		res.Status = Pass
		res.Message = fmt.Sprintf("no request was rejected while under the limit of %s (%s explained by the model; judged as %s%s)",
			a.limitText(), plural(rejected, "rejection", "rejections"), a.eval.desc, amb)
		return res
	}
	first := early[0]
	res.Status = Fail
	res.Message = fmt.Sprintf("%s rejected while under the limit of %s (first at %s, %s; judged as %s%s)",
		plural(len(early), "request was", "requests were"), a.limitText(),
		fmtOffset(first.rec().sent-a.origin), a.rejectionNote(first), a.eval.desc, amb)
	if note := a.smoothingNote(); note != "" {
		res.Message += "; " + note
	}
	listed, omitted := a.list(early, maxEvidence, a.rejectionNote)
	res.Evidence = &Evidence{Expected: a.expectedRejections(), Requests: listed, Omitted: omitted}
	return res
}

// expectedRejections says in words when the model admits.
func (a *analysis) expectedRejections() string { return a.eval.family.expectedRejections(a.limit) }
