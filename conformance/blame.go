package conformance

import (
	"cmp"
	"slices"
	"sort"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/series"
)

// blames are the requests the limiter model blames, each with the check that
// fails it: an over-admission limit.enforced, an early rejection
// limit.no-early-reject, a late recovery recovery.after-window. Each of those
// checks fails whenever it has one such request, so a check that finds the
// same defect in what the responses say can point there instead of failing
// again (one defect, one failing check).
type blames struct {
	bySeq  map[uint64]check.ID
	bySent []blame // ascending by send time
}

// blame is one blamed request.
type blame struct {
	sent int64 // Unix nanoseconds
	id   check.ID
}

// blamer is a checker that defers to the model checks: it is handed the
// run's blames, computed when it first needs them.
type blamer interface {
	deferTo(blamed func() blames)
}

// blamed computes the blames of the run's analysis; empty when the model
// could not judge the run or found nothing wrong.
func (r *run) blamed() blames {
	a := r.analysis()
	var b blames
	if a.skip != "" || a.eval == nil {
		return b
	}
	failing := map[check.ID]bool{}
	for x, s := range a.series {
		for i, o := range a.eval.states[x].Out {
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
			b.add(a.seqOf(&s.Reqs[i]), s.Reqs[i].Sent, id)
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
		ev := &a.eval.states[x]
		if failing[check.LimitEnforced] {
			for _, i := range ev.AmbAdm {
				b.add(a.seqOf(&s.Reqs[i]), s.Reqs[i].Sent, check.LimitEnforced)
			}
		}
		if failing[rejID] {
			for _, i := range ev.AmbRej {
				b.add(a.seqOf(&s.Reqs[i]), s.Reqs[i].Sent, rejID)
			}
		}
	}
	slices.SortFunc(b.bySent, func(x, y blame) int { return cmp.Compare(x.sent, y.sent) })
	return b
}

// add records that the request seq, sent at sent, is blamed by id.
func (b *blames) add(seq uint64, sent int64, id check.ID) {
	if b.bySeq == nil {
		b.bySeq = map[uint64]check.ID{}
	}
	if _, ok := b.bySeq[seq]; ok {
		return
	}
	b.bySeq[seq] = id
	b.bySent = append(b.bySent, blame{sent: sent, id: id})
}

// deferred counts the findings a response check left to the model checks,
// per check blamed.
type deferred map[check.ID]int

// explains reports whether the model blames the defect behind a finding
// between records i and j of s, counting it in d when it does: a request
// between them (both included) is blamed, or one the finding's kind points
// to (ids: an over-admission for an admission after quota ran out, a wrongful
// rejection for a 429 while quota was left) was sent within a window of
// record j (the model and the header may name different requests of one
// window as the extra one).
func (b blames) explains(s *respSeries, i, j int, window int64, d deferred, ids ...check.ID) bool {
	if len(b.bySeq) == 0 {
		return false
	}
	if i > j {
		i, j = j, i
	}
	for k := max(i, 0); k <= j && k < len(s.recs); k++ {
		if id, ok := b.bySeq[s.recs[k].seq]; ok {
			d[id]++
			return true
		}
	}
	if j < 0 || j >= len(s.recs) || window <= 0 {
		return false
	}
	at := s.recs[j].sent
	from := sort.Search(len(b.bySent), func(k int) bool { return b.bySent[k].sent >= at-window })
	for k := from; k < len(b.bySent) && b.bySent[k].sent <= at+window; k++ {
		if slices.Contains(ids, b.bySent[k].id) {
			d[b.bySent[k].id]++
			return true
		}
	}
	return false
}

// see is the check most findings were left to, and how many were left in all.
func (d deferred) see() (check.ID, int) {
	var best check.ID
	n := 0
	for _, id := range []check.ID{check.LimitEnforced, check.LimitNoEarlyReject, check.RecoveryAfterWindow} {
		n += d[id]
		if d[id] > d[best] {
			best = id
		}
	}
	return best, n
}
