package response

import "github.com/ratecheck/ratecheck/conformance/check"

// deferred counts the findings a response check left to the model checks,
// per check: blamed, where the check blames the defect; undecided, where it
// could not decide whether the defect is there (check.Blames.Undecided).
type deferred struct{ blamed, undecided map[check.ID]int }

func newDeferred() deferred {
	return deferred{blamed: map[check.ID]int{}, undecided: map[check.ID]int{}}
}

// explains reports whether the model blames the defect behind a finding
// between records i and j of s, counting it in d when it does: a request
// between them (both included) is blamed, or one the finding's kind points
// to (ids: an over-admission for an admission after quota ran out, a wrongful
// rejection for a 429 while quota was left) was sent within a window of
// record j (the model and the header may name different requests of one
// window as the extra one), or anywhere in the run.
func explains(b check.Blames, s *respSeries, i, j int, window int64, d deferred, ids ...check.ID) bool {
	if b.Empty() {
		return false
	}
	if i > j {
		i, j = j, i
	}
	for k := max(i, 0); k <= j && k < len(s.Recs); k++ {
		if id, ok := b.Of(s.Recs[k].seq); ok {
			d.blamed[id]++
			return true
		}
	}
	if j < 0 || j >= len(s.Recs) || window <= 0 {
		return false
	}
	if id, ok := b.Near(s.Recs[j].sent, window, ids...); ok {
		d.blamed[id]++
		return true
	}
	// The model may see the defect only in some windows (one whose arrivals
	// it cannot place within the timing tolerance hides it), where the
	// headers' claims show it in another: a limiter that admits beyond its
	// limit, or rejects with quota left, anywhere in the run explains a
	// header that says the same elsewhere.
	for _, id := range ids {
		if b.Blames(id) {
			d.blamed[id]++
			return true
		}
	}
	// A check that could not decide whether its defect is there may have
	// missed it here: the finding is left undecided with it.
	for _, id := range ids {
		if b.Undecided(id) {
			d.undecided[id]++
			return true
		}
	}
	return false
}

// laterRejection is the deferral of a header's claim contradicted by a
// later rejection (records i and j of s): the model blames that rejection,
// or one between, as early or as a late recovery, so the limiter broke its
// promise and the header may have told the truth about its own window (a
// limiter whose every hit pushes its window forward rejects a client still
// retrying after the reset it announced).
func laterRejection(blamed func() check.Blames, s *respSeries, i, j int, window int64, d deferred) bool {
	if blamed == nil {
		return false
	}
	return explains(blamed(), s, i, j, window, d, check.LimitNoEarlyReject, check.RecoveryAfterWindow)
}

// see is the check most findings were left to as blamed, and how many were
// left so in all.
func (d deferred) see() (check.ID, int) { return mostOf(d.blamed) }

// seeUndecided is the check most findings were left to as undecided, and how
// many were left so in all.
func (d deferred) seeUndecided() (check.ID, int) { return mostOf(d.undecided) }

func mostOf(m map[check.ID]int) (check.ID, int) {
	var best check.ID
	n := 0
	for _, id := range []check.ID{check.LimitEnforced, check.LimitNoEarlyReject, check.RecoveryAfterWindow} {
		n += m[id]
		if m[id] > m[best] {
			best = id
		}
	}
	return best, n
}
