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

// blameSummary is what the blames of the run's analysis say of each check
// (check.Blames.Summary), without listing the requests when they are not
// listed already: a stretch folded keeps only that, and a run over-admitted
// throughout blames half its requests.
func (r *run) blameSummary() check.BlameSummary {
	a := r.analysis()
	if a.blames != nil {
		return a.blames.Summary()
	}
	var blamed, undecided []check.ID
	if a.skip == "" && a.eval != nil {
		failing := a.failing(nil)
		for _, id := range []check.ID{check.LimitEnforced, check.LimitNoEarlyReject, check.RecoveryAfterWindow} {
			if failing[id] {
				blamed = append(blamed, id)
			}
		}
		undecided = a.undecided(failing)
	}
	return check.NewBlameSummary(blamed, undecided)
}

// blame computes the blames of a.
func (a *analysis) blame() check.Blames {
	var b check.Blames
	if a.skip != "" || a.eval == nil {
		return b
	}
	failing := a.failing(&b)
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
	for _, id := range a.undecided(failing) {
		b.MarkUndecided(id)
	}
	b.Sort()
	return b
}

// failing are the model checks whose defect a's outcomes show; with b, each
// request showing one is added to b, blamed by that check.
func (a *analysis) failing(b *check.Blames) map[check.ID]bool {
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
			if b != nil {
				b.Add(a.SeqOf(&s.Reqs[i]), s.Reqs[i].Sent, id)
			}
		}
	}
	return failing
}

// undecided are the model checks, among those not failing, that leave a
// finding their defect would explain undecided. A model check that cannot
// tell its defect from a correct limiter (far away, where the link's jitter
// hides one request) leaves it undecided too: a 429 after quota was said to
// be left, or a counted request rejected within its budget after refused
// ones, may be an early rejection it cannot see.
func (a *analysis) undecided(failing map[check.ID]bool) []check.ID {
	var out []check.ID
	if !failing[check.LimitNoEarlyReject] && a.result(check.LimitNoEarlyReject, earlyResult).Undecided {
		out = append(out, check.LimitNoEarlyReject)
	}
	if !failing[check.LimitEnforced] && a.result(check.LimitEnforced, enforcedResult).Undecided {
		out = append(out, check.LimitEnforced)
	}
	return out
}
