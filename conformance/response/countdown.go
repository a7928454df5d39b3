package response

import (
	"fmt"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/scenarios"
)

// countdown judges whether the Remaining values of each series agree with
// what happened, without a limiter model. Requests are ordered by send time; a
// request counts as decided between two others only when its flight lies
// between theirs, and overlapping ones are counted both ways.
//
// For an exact Remaining, in every family:
//   - falls: from one response a to the next b, Remaining may fall by at most
//     the requests possibly admitted in between (b included): quota comes back
//     with time but never goes without an admission;
//   - 429: a 429 that only the described limit explains may not follow a
//     Remaining larger than the requests possibly admitted since.
//
// Within one window, proven by the reset claims of a and b (equal absolute
// times, or intervals closer than the window), Remaining must also fall by at
// least the requests surely admitted: exactly for a fixed window, less by the
// refill (⌈rate × elapsed⌉) for the buckets. A sliding window or "any" frees
// quota at times the claims may not show, so they skip that rule. A fixed
// window must also admit nothing after saying 0 before its reset.
//
// An approximate Remaining is judged by its staleness only: a value may not
// outlive an admission by more than the declared staleness (+1 s).
type countdown struct {
	pr     *Promise
	name   string
	texts  *texts // the raw values the records refer to
	window int64  // the described limit's window, ns
	approx bool
	stale  int64 // declared staleness, ns

	fam Model // the described limit's family, nil when open
	// spent and stated are the run's requests and the smallest Limit a
	// response stated (0: none), for the budget rule.
	spent  *spent
	stated int64
	// straddles marks the records of the series being judged whose reset
	// claim cannot tie them to a window (see straddlers).
	straddles                     []bool
	pairs, ambiguous              int
	fell, rose, lied, zero, stuck respProblem
	low                           respProblem // below what the run can have spent (budget.go)
	// blame holds the requests the limiter model blames: a finding between
	// two responses one of which (or a request between them) is blamed is
	// that defect seen again in the header, left to the check that fails it
	// and counted in left instead.
	blame check.Blames
	left  deferred
}

// staleTolerance is added to the declared staleness: servers cache by clock
// readings of their own.
const staleTolerance = time.Second

// A Model is what the countdown asks of the family of the limit the headers
// describe (or of the families its algorithm leaves open, as one): how much
// quota it may give back between two responses d apart within one window
// (false when it frees quota the headers may not show), whether a Remaining
// of 0 stays 0 until the reset, whether it (or one of the families) frees
// everything at once, the admission just made included (a fixed window's
// end: see respRec.resetCome), and the quota a fresh client has with how
// long an admission counts against it (wholly for whole, then less and less,
// at most linearly, until gone).
type Model interface {
	RemainingSlack(l *scenarios.Limit, d time.Duration) (int64, bool)
	ResetsWhole() bool
	MayFreeAll() bool
	Holds(l *scenarios.Limit) (quota int64, whole, gone time.Duration)
}

func newCountdown(pr *Promise, name string, t *texts, fam Model) *countdown {
	h := pr.Scenario.Headers
	return &countdown{pr: pr, name: name, texts: t, window: int64(pr.Described.Window),
		approx: h.Approximate, stale: int64(h.Staleness), fam: fam, left: newDeferred()}
}

// judge checks one series.
func (cd *countdown) judge(s *respSeries) {
	cd.straddles = straddlers(s, cd.straddles)
	if cd.approx {
		if cd.stale > 0 {
			cd.staleness(s)
		}
		return
	}
	cd.consecutive(s)
	cd.after429(s)
	cd.budget(s)
	if cd.fam != nil && cd.fam.ResetsWhole() {
		cd.afterZero(s)
	}
}

// consecutive compares each Remaining with the previous one.
func (cd *countdown) consecutive(s *respSeries) {
	prev := -1
	for j := range s.Recs {
		if !s.Recs[j].hasRem {
			continue
		}
		i := prev
		prev = j
		if i < 0 {
			continue
		}
		a, b := &s.Recs[i], &s.Recs[j]
		if a.recv > b.sent {
			cd.ambiguous++
			continue
		}
		possible, ok := s.possible(i, j)
		if !ok {
			cd.ambiguous++
			continue
		}
		cd.pairs++
		self := int64(0)
		if b.charging() {
			self = 1
		}
		if b.rem < a.rem-int64(possible)-self {
			if explains(cd.blame, s, i, j, 0, cd.left) {
				continue
			}
			cd.fell.found.add(cd.said(a), cd.claim(b, fmt.Sprintf("%d after %d, with at most %s admitted in between",
				b.rem, a.rem, check.Plural(possible+int(self), "request", "requests"))))
			continue
		}
		slack, ok := cd.slack(a, b)
		if !ok || !cd.tied(i, j, a, b) || b.resetCome(mayFreeAll(cd.fam)) {
			continue
		}
		sure := int64(s.certain(i, j)) + self
		if b.rem > a.rem-sure+slack && !explains(cd.blame, s, i, j, cd.window, cd.left, check.LimitEnforced) {
			cd.rose.found.add(cd.said(a), cd.claim(b, fmt.Sprintf("%d after %d in the same window, with %s surely admitted in between",
				b.rem, a.rem, check.Plural(int(sure), "request", "requests"))))
		}
	}
}

// slack is how much quota the family may give back between a and b within
// one window; false when the family frees quota the claims may not show, or
// the algorithm leaves the family open.
func (cd *countdown) slack(a, b *respRec) (int64, bool) {
	if cd.fam == nil {
		return 0, false
	}
	return cd.fam.RemainingSlack(cd.pr.Described, time.Duration(b.recv-a.sent))
}

// sameWindow reports whether the reset claims of a and b prove both were
// decided in one window: the same absolute time (consistently rounded, windows
// at least the resolution apart never share one), or true resets that must lie
// closer together than a window.
func (cd *countdown) sameWindow(a, b *respRec) bool {
	if !a.hasTime || !b.hasTime {
		return false
	}
	if a.abs && b.abs && a.at == b.at && a.hi-a.at <= cd.window {
		return true
	}
	return max(a.hi, b.hi)-min(a.lo, b.lo) < cd.window
}

// tied reports whether records i and j (a and b) of the series being judged
// were decided in one window, as their reset claims prove (sameWindow),
// unless either claim straddles a window's end.
func (cd *countdown) tied(i, j int, a, b *respRec) bool {
	return !cd.straddles[i] && !cd.straddles[j] && cd.sameWindow(a, b)
}

// straddlers marks, in marks (reused), the records whose reset claim jumped
// to a later reset though they may have been decided before the reset the
// records before the jump claimed, and which count on from the record before
// them (limited, or with less Remaining), with those after them that repeat
// the claim and do the same. A correct limiter opens a window with a full
// quota; claims like these are a race at a window's end (ulule/limiter's
// Redis store, asked while a key's expiry is not positive, answers
// now + period for requests it counts in the ending window: a burst there
// gets it on every answer), and tying them to the next window would call
// that window's first answers wrong. A 429 truly in the next window this
// early is an early rejection, the model checks' to find.
func straddlers(s *respSeries, marks []bool) []bool {
	marks = append(marks[:0], make([]bool, len(s.Recs))...)
	prev, before := -1, -1 // the last record with a claim; the last before its claim began
	for j := range s.Recs {
		r := &s.Recs[j]
		if !r.hasTime {
			continue
		}
		if prev >= 0 {
			p := &s.Recs[prev]
			switch {
			case laterReset(p, r):
				before = prev
			case !marks[prev]:
				before = -1 // the claim's run began with an answer that was no race
			}
			countsOn := r.limited() || r.hasRem && p.hasRem && r.rem < p.rem
			marks[j] = before >= 0 && countsOn && r.sent <= s.Recs[before].hi
		}
		prev = j
	}
	for j := range s.Recs {
		marks[j] = marks[j] || refusedBesideRoom(s, j)
	}
	return marks
}

// refusedBesideRoom reports whether record j, limited or saying 0 remaining,
// was in flight together with an admission that claims the same reset and
// says more remains. In one window no order of decisions makes both true of
// a correct limiter; where the claims race a window's end they are a
// request counted in the ending window beside the next window's first
// answers, sent in the same burst (send order is not the order of
// decisions).
func refusedBesideRoom(s *respSeries, j int) bool {
	r := &s.Recs[j]
	if !r.hasTime || !(r.limited() || r.hasRem && r.rem == 0) {
		return false
	}
	for k := max(0, j-maxOverlap); k < len(s.Recs) && k <= j+maxOverlap; k++ {
		q := &s.Recs[k]
		if k == j || !q.admitted() || !q.hasRem || !q.hasTime || q.rem <= r.rem && r.hasRem {
			continue
		}
		if q.sent > r.recv {
			break
		}
		if q.recv >= r.sent && !laterReset(q, r) && !laterReset(r, q) {
			return true
		}
	}
	return false
}

// laterReset reports whether b names a later reset than a: a larger absolute
// time (rounded alike), or true resets that cannot be the same.
func laterReset(a, b *respRec) bool {
	if a.abs && b.abs {
		return b.at > a.at
	}
	return b.lo > a.hi
}

// after429 checks each 429 only the described limit explains against the
// last Remaining answered before it was sent.
func (cd *countdown) after429(s *respSeries) {
	for j := range s.Recs {
		b := &s.Recs[j]
		if !b.limited() || !b.sole {
			continue
		}
		i := s.lastClaimBefore(j)
		if i < 0 {
			continue
		}
		a := &s.Recs[i]
		possible, ok := s.possible(i, j)
		if ok && a.rem > int64(possible) && !explains(cd.blame, s, i, j, cd.window, cd.left, check.LimitNoEarlyReject, check.RecoveryAfterWindow) {
			cd.lied.found.add(cd.said(a), cd.claim(b, fmt.Sprintf("429 after %d remaining, with at most %s admitted in between",
				a.rem, check.Plural(possible, "request", "requests"))))
		}
	}
}

// lastClaimBefore returns the last record before j with a Remaining that was
// answered before recs[j] was sent, or -1.
func (s *respSeries) lastClaimBefore(j int) int {
	for i := j - 1; i >= 0 && j-i <= maxOverlap; i-- {
		if r := &s.Recs[i]; r.hasRem && r.recv <= s.Recs[j].sent {
			return i
		}
	}
	return -1
}

// afterZero checks that a fixed window admits nothing after saying 0 until
// its reset: the first admission answered after a 0 must be in a later window.
func (cd *countdown) afterZero(s *respSeries) {
	flagged := -1
	for i := range s.Recs {
		a := &s.Recs[i]
		if !a.hasRem || a.rem != 0 || !a.hasTime || cd.straddles[i] {
			continue
		}
		j := s.firstAdmitted(i)
		if j < 0 || j == flagged {
			continue
		}
		b := &s.Recs[j]
		if b.recv < a.lo || cd.tied(i, j, a, b) {
			flagged = j
			// An admission after the 0 is an over-admission, or, when the 0
			// came with a rejection, shows that rejection wrongful: either
			// is a defect a model check may already fail.
			ids := []check.ID{check.LimitEnforced}
			if !a.admitted() {
				ids = append(ids, check.LimitNoEarlyReject, check.RecoveryAfterWindow)
			}
			if explains(cd.blame, s, i, j, cd.window, cd.left, ids...) {
				continue
			}
			cd.zero.found.add(cd.said(a), cd.claim(b, "admitted after 0 remaining, before the reset stated with the 0"))
		}
	}
}

// staleness checks that a value does not outlive an admission by more than
// the staleness: once a request admitted after a value first appeared has
// been answered for longer than that, a fresh value must differ. A run of one
// value ends when the value or its reset changes, or after a window.
func (cd *countdown) staleness(s *respSeries) {
	tol := cd.stale + int64(staleTolerance)
	start, fresh, flagged := -1, int64(0), false
	for k := range s.Recs {
		r := &s.Recs[k]
		if start < 0 {
			if r.hasRem {
				start = k
			}
			continue
		}
		f := &s.Recs[start]
		if r.admitted() && r.sent >= f.recv && (fresh == 0 || r.recv < fresh) {
			fresh = r.recv
		}
		if !r.hasRem {
			continue
		}
		if cd.newValue(f, r) {
			start, fresh, flagged = k, 0, false
			continue
		}
		if !flagged && fresh != 0 && r.sent > fresh+tol {
			flagged = true
			cd.stuck.found.add(cd.said(f), cd.claim(r, fmt.Sprintf("still %d %s after it first appeared, %s after a later admission was answered",
				r.rem, check.FormatSeconds(r.sent-f.sent), check.FormatSeconds(r.sent-fresh))))
		}
	}
}

// newValue reports whether r starts a new run of values after f's.
func (cd *countdown) newValue(f, r *respRec) bool {
	return r.rem != f.rem || r.hasTime != f.hasTime || r.hasTime && !cd.sameWindow(f, r) ||
		cd.window > 0 && r.sent-f.sent >= cd.window
}
