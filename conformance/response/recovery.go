package response

import (
	"fmt"

	"github.com/ratecheck/ratecheck/conformance/check"
)

// recoveryCheck compares the times 429s claim (a reset, a Retry-After) with
// when requests really got through again.
type recoveryCheck struct {
	early   respProblem
	checked int      // claims followed by a request sent after their deadline
	errs    []int64  // claimed time − send time of the first admission after the 429, ns
	left    deferred // claims contradicted only by rejections the model blames
}

func newRecoveryCheck() *recoveryCheck { return &recoveryCheck{left: newDeferred()} }

// measured says how the claims compare with the first admission after each
// 429 (median), or "" with none. The first admission depends on when the
// client tried again, so this measures, it does not judge.
func (rc *recoveryCheck) measured() string {
	if len(rc.errs) == 0 {
		return ""
	}
	m := medianNs(rc.errs)
	rel := "after"
	if m > 0 {
		rel = "before"
	}
	return fmt.Sprintf("; the first admission after a 429 came %s %s the claimed time (median over %s)",
		check.FormatSeconds(max(m, -m)), rel, check.Plural(len(rc.errs), "429", "429s"))
}

// rejectedAgain finds the first request sent at or after deadline following
// recs[i]. It returns its index (-1 when there is none) and whether it proves
// recs[i]'s claim came before the limit lifted: it was a 429 that need
// accepts, and nothing may have been admitted since recs[i].
func (s *respSeries) rejectedAgain(i int, deadline int64, need func(*respRec) bool) (int, bool) {
	a := &s.Recs[i]
	j := s.firstFrom(i+1, max(deadline, a.recv))
	if j == len(s.Recs) {
		return -1, false
	}
	if b := &s.Recs[j]; !b.limited() || !need(b) {
		return j, false
	}
	n, ok := s.possible(i, j)
	return j, ok && n == 0
}

// firstAdmitted returns the index of the first admitted request sent after
// recs[i] was answered, or -1.
func (s *respSeries) firstAdmitted(i int) int {
	if k := s.nextAdm[s.firstFrom(i+1, s.Recs[i].recv)]; k < len(s.Recs) {
		return k
	}
	return -1
}

// recOffense writes r as evidence with the given headers and note.
func recOffense(r *respRec, h map[string]string, note string) offense {
	return offense{seq: r.seq, phase: r.phase, sent: r.sent, latency: r.recv - r.sent, status: int(r.status),
		headers: h, note: note}
}
