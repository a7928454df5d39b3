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
		if msg, undecided := a.earlyUnseen(); msg != "" {
			res.Status, res.Undecided, res.Message = check.Pass, undecided, msg
			if undecided {
				res.Status = check.Skip
			}
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

// earlyUnseen says why no episode of the run could have shown one request
// rejected too early, when none could: an episode shows it where it could
// show one too many (cleanEpisodes: a fresh limit where only a fresh one
// shows it, a bucket's capacity; arrival times that free less than one
// request), whatever the admissions before it: one the timing tolerance
// leaves ambiguous may be one too many, not one too few. Within a
// streak a limiter rejecting early looks like a correct one (a bucket of
// capacity 18 refills as fast as one of 20), so rejections later in
// streaks prove nothing of it. As for limit.enforced, a blur of a
// negligible share of the capacity passes, saying so (undecided false);
// "" when an episode could show it.
func (a *analysis) earlyUnseen() (msg string, undecided bool) {
	eps := a.onsets()
	if len(eps) == 0 {
		return "", false
	}
	clean, blur := a.cleanEpisodes(eps, false)
	if clean > 0 {
		return "", false
	}
	eps1 := check.Plural(len(eps), a.episodeWord(1), a.episodeWord(2))
	if blur == 0 {
		return fmt.Sprintf("none of the %s could show a rejection one request early: none began on a fresh limit, where it shows (judged as %s)",
			eps1, a.eval.Desc), true
	}
	why, within, negligible := a.arrivalBlur(blur)
	why = fmt.Sprintf("none of the %s could show a rejection one request early: %s (judged as %s)", eps1, why, a.eval.Desc)
	if !negligible {
		return why, true
	}
	return fmt.Sprintf("no request was rejected while under the limit of %s, %s; %s", a.limitText(), within, why), false
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
