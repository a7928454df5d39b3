package response

import (
	"fmt"
	"math"
	"slices"

	"github.com/ratecheck/ratecheck/conformance/check"
)

// The budget rule: an exact Remaining may not say that less quota is left
// than the run's own requests can have used. A fresh client has the
// model's quota (or less, where the server states a smaller Limit), and an
// admission counts against it only for as long as the model keeps it (see
// Model.Holds); so after an admission, Remaining is at least the quota less
// every request of the run, of any key and any answer, that may have been
// decided within that time before it, less one (a Remaining counted before
// the request, or rounded). It holds in every family, so it judges a
// Remaining whose algorithm is left open: a value stuck at 0, or one that
// counts requests the run never sent.
//
// Like the rest of the countdown, it takes the run to be the key's only
// traffic, and the limit to be fresh when the run began (as the model checks
// do); for a quota (a window of an hour or more), which the account may have
// used before the run, it judges only admissions whose whole look back lies
// inside the run.

// budgetSlack is the one request the rule allows for a Remaining counted
// before the request it answers, or rounded down.
const budgetSlack = 1

// maxOthers bounds the requests kept outside the series (answers that use
// no quota of the described limit's key, such as 401s or other endpoints):
// past it the rule judges nothing, rather than keep a soak run's every
// failure in memory.
const maxOthers = 1 << 16

// spent holds when each request of the run was in flight, for the budget.
type spent struct {
	start      int64     // the first send, Unix ns
	sent, recv []int64   // every request's send and answer times, each ascending
	recvSum    []float64 // recvSum[k]: the sum of recv[:k] − start, in seconds
}

// newSpent gathers the requests of every series and the others.
func newSpent(all []*respSeries, others []flight) *spent {
	n := len(others)
	for _, s := range all {
		n += len(s.Recs)
	}
	sp := &spent{sent: make([]int64, 0, n), recv: make([]int64, 0, n)}
	for _, s := range all {
		for k := range s.Recs {
			sp.sent, sp.recv = append(sp.sent, s.Recs[k].sent), append(sp.recv, s.Recs[k].recv)
		}
	}
	for _, f := range others {
		sp.sent, sp.recv = append(sp.sent, f.sent), append(sp.recv, f.recv)
	}
	slices.Sort(sp.sent)
	slices.Sort(sp.recv)
	if len(sp.sent) > 0 {
		sp.start = sp.sent[0]
	}
	sp.recvSum = make([]float64, len(sp.recv)+1)
	for k, r := range sp.recv {
		sp.recvSum[k+1] = sp.recvSum[k] + float64(r-sp.start)/1e9
	}
	return sp
}

// flight is one request's send and answer times, Unix ns.
type flight struct{ sent, recv int64 }

// before is the most the requests of the run can weigh against the quota
// when b was decided: each request that may have been decided before b
// (sent before b's answer) counts wholly when it may have been decided
// within whole before b, then at most (gone − age)/(gone − whole) until gone.
func (sp *spent) before(b *respRec, whole, gone int64) float64 {
	upTo := countBelow(sp.sent, b.recv+1)            // may have been decided before b
	old := countBelow(sp.recv, b.sent-whole)         // surely decided more than whole before b
	fading := old - countBelow(sp.recv, b.sent-gone) // of those, decided less than gone before
	w := float64(upTo - old)
	if fading > 0 && gone > whole {
		// Σ (gone − (b.sent − recv)) / (gone − whole) over the fading ones.
		sum := sp.recvSum[old] - sp.recvSum[old-fading]
		rel := float64(gone-(b.sent-sp.start)) / 1e9
		w += (float64(fading)*rel + sum) / (float64(gone-whole) / 1e9)
	}
	return w
}

// countBelow is the number of xs (ascending) < x.
func countBelow(xs []int64, x int64) int {
	k, _ := slices.BinarySearch(xs, x)
	return k
}

// budget checks the admissions of s against what the run can have spent.
func (cd *countdown) budget(s *respSeries) {
	if cd.fam == nil || cd.spent == nil {
		return
	}
	quota, whole, gone := cd.fam.Holds(cd.pr.Described)
	if cd.stated > 0 {
		quota = min(quota, cd.stated)
	}
	quotaLimit := cd.pr.Described.IsQuota()
	for j := range s.Recs {
		b := &s.Recs[j]
		// b itself is always counted: a Remaining this high needs no look.
		if !b.hasRem || !b.admitted() || b.rem >= quota-1-budgetSlack {
			continue
		}
		if quotaLimit && b.sent-int64(gone) < cd.spent.start {
			continue
		}
		used := int64(math.Ceil(cd.spent.before(b, int64(whole), int64(gone)) - 1e-9))
		if b.rem >= quota-used-budgetSlack {
			continue
		}
		if explains(cd.blame, s, j, j, cd.window, cd.left, check.LimitEnforced, check.LimitNoEarlyReject, check.RecoveryAfterWindow) {
			continue
		}
		cd.low.found.add(cd.claim(b, fmt.Sprintf("%d remaining of %d, with at most %s of the run counted in the %s before it",
			b.rem, quota, check.Plural(int(used), "request", "requests"), check.FormatWindow(gone))))
	}
}
