package conformance

import (
	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/series"
)

// blamed is the blames of the run's analysis, computed once per analysis;
// empty when the model could not judge the run or found nothing wrong.
func (r *run) blamed() check.Blames {
	a := r.analysis()
	if a.blames == nil {
		b := a.blame()
		a.blames = &b
	}
	return *a.blames
}

// blame computes the blames of a.
func (a *analysis) blame() check.Blames {
	var b check.Blames
	if a.skip != "" || a.eval == nil {
		return b
	}
	failing := map[check.ID]bool{}
	for x, s := range a.series {
		for i, o := range a.eval.States[x].Out {
			var id check.ID
			switch o {
			case series.AdmitOver:
				id = check.LimitEnforced
			case series.RejectEarly:
				id = check.LimitNoEarlyReject
			case series.RejectRecovery:
				id = check.RecoveryAfterWindow
			default:
				continue
			}
			failing[id] = true
			b.Add(a.SeqOf(&s.Reqs[i]), s.Reqs[i].Sent, id)
		}
	}
	// The decisions only the timing tolerance keeps the model from blaming
	// (stateEval.ambAdm, ambRej) are of the same defect once the check that
	// fails it has a sure one: a header that shows one of them (admitted
	// after 0 remaining, a 429 with quota left) is left to that check too.
	// Without a sure one nothing fails the defect, so they stay the header
	// check's to fail.
	rejID := check.LimitNoEarlyReject
	if !failing[rejID] {
		rejID = check.RecoveryAfterWindow
	}
	for x, s := range a.series {
		ev := &a.eval.States[x]
		if failing[check.LimitEnforced] {
			for _, i := range ev.AmbAdm {
				b.Add(a.SeqOf(&s.Reqs[i]), s.Reqs[i].Sent, check.LimitEnforced)
			}
		}
		if failing[rejID] {
			for _, i := range ev.AmbRej {
				b.Add(a.SeqOf(&s.Reqs[i]), s.Reqs[i].Sent, rejID)
			}
		}
	}
	// A model check that cannot tell its defect from a correct limiter
	// (far away, where the link's jitter hides one request) leaves a
	// finding its defect would explain undecided too: a 429 after quota was
	// said to be left, or a counted request rejected within its budget after
	// refused ones, may be an early rejection it cannot see.
	if !failing[check.LimitNoEarlyReject] && a.result(check.LimitNoEarlyReject, earlyResult).Undecided {
		b.MarkUndecided(check.LimitNoEarlyReject)
	}
	if !failing[check.LimitEnforced] && a.result(check.LimitEnforced, enforcedResult).Undecided {
		b.MarkUndecided(check.LimitEnforced)
	}
	b.Sort()
	return b
}
