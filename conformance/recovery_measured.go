package conformance

import (
	"fmt"
	"math"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/series"
	"github.com/ratecheck/ratecheck/scenarios"
)

// lift is one streak of rejections of one series, first to last in send
// order, and the admission adm that ended it (-1 when none did: the run ended
// with the limit closed); with an admission, last is the last rejection
// answered before adm was sent (see answeredBefore). The streak is timed when adm was sent in a probe or
// over phase, whose requests kept coming while the limit was closed; a streak
// that ended after a pause, or never, is not timed: when the limit lifted is
// known only to lie between its last rejection and adm. A pause ends a
// streak, lifted or not: the client stopped retrying. Either way the limit
// was surely closed, to a client still retrying, from the first rejection's
// arrival to the last one's (see least): the promise starts at the first
// rejection of the streak, not its last.
type lift struct {
	s                *series.Series
	first, last, adm int
	end              int // the streak's last rejection in send order, last or after it
	timed            bool
	paused           bool // the client paused (a pause phase) after the last rejection
	// raced: adm was sent while the first rejection was still in flight,
	// so it may have been decided first (a burst at the limit's edge): it
	// ends the streak but shows no lift, timed or not.
	raced bool
}

// at is when the limit lifted, as the middle of the interval in which it
// surely did (after the last rejection arrived, no later than the admission
// arrived), and half that interval's width: the precision. A request arrives
// between its send time and the end of its latency, both on this machine's
// clock, so no allowance for another clock is needed.
func (l lift) at() (mid, half int64) {
	from, _ := l.arrival(l.last)
	_, to := l.arrival(l.adm)
	return from + (to-from)/2, (to - from) / 2
}

// arrival is the interval in which request i of the series reached the server.
func (l lift) arrival(i int) (from, to int64) {
	r := l.s.Reqs[i]
	return r.Sent, r.Sent + r.Lat()
}

// wait is the time from the first rejection of the streak to the lift: its
// estimate, the precision of that estimate, and the least it can have been.
func (l lift) wait() (est, half, least int64) {
	at, h := l.at()
	from, to := l.arrival(l.first)
	lastFrom, _ := l.arrival(l.last)
	firstHalf := (to - from) / 2
	return at - (from + firstHalf), h + firstHalf, lastFrom - to
}

// lifts finds the streaks of rejections of every series (see lift), in send
// order within each series. A probe polls finely to time their lifts; an over
// phase's own spacing sets the precision of its lifts.
func (a *analysis) lifts() []lift {
	var out []lift
	for _, s := range a.series {
		out = append(out, a.liftsOf(s)...)
	}
	return out
}

// liftsOf finds the streaks of s. Requests whose answer was no rate-limit
// decision neither extend nor end a streak.
func (a *analysis) liftsOf(s *series.Series) []lift {
	var out []lift
	first, last := -1, -1
	for i := range s.Reqs {
		switch {
		case !s.Known[i]:
		case s.Rej[i]:
			if first >= 0 && a.pausedBetween(s, last, i) {
				// The client stopped retrying: what came after is a new streak.
				out = append(out, lift{s: s, first: first, last: last, end: last, adm: -1, paused: true})
				first = -1
			}
			if first < 0 {
				first = i
			}
			last = i
		case first >= 0:
			k := a.PhaseKind(s.Reqs[i].Phase)
			paused := a.pausedBetween(s, last, i)
			raced := !answered(s, first, i)
			timed := (k == scenarios.PhaseProbe || k == scenarios.PhaseOver) && !paused && !raced
			out = append(out, lift{s: s, first: first, last: answeredBefore(s, first, last, i), end: last, adm: i,
				timed: timed, paused: paused, raced: raced})
			first = -1
		}
	}
	if first >= 0 {
		out = append(out, lift{s: s, first: first, last: last, end: last, adm: -1})
	}
	return out
}

// answeredBefore returns the last rejection of the streak first..last of s
// that was answered before request adm, which ended it, was sent; first when
// none was. A rejection still in flight when adm was sent may have reached
// the server after adm or a later request was admitted: a client that
// stalls and then catches up sends a burst whose first request can arrive
// last and find the new window already full. Such a rejection shows the
// limit closed again, not that it never lifted.
func answeredBefore(s *series.Series, first, last, adm int) int {
	for k := last; k > first; k-- {
		if s.Known[k] && s.Rej[k] && answered(s, k, adm) {
			return k
		}
	}
	return first
}

// answered reports whether request k of s was answered before request adm
// was sent.
func answered(s *series.Series, k, adm int) bool {
	return s.Reqs[k].Sent+s.Reqs[k].Lat() <= s.Reqs[adm].Sent
}

// pausedBetween reports whether a pause phase of the plan lies between the
// phases of requests i and j of s.
func (a *analysis) pausedBetween(s *series.Series, i, j int) bool {
	for k := s.Reqs[i].Phase + 1; k < s.Reqs[j].Phase; k++ {
		if a.PhaseKind(k) == scenarios.PhasePause {
			return true
		}
	}
	return false
}

// measuredRecovery times the lifts of the run and returns the one that kept
// requests waiting longest, or nil when no lift was timed and no streak
// outlasted the promise. It prefers the probe's lifts, which are timed finely,
// unless another streak surely outlasted the promise where the probe's did
// not: a lift timed in an over phase, or a streak the client kept retrying
// that never lifted before it paused or the run ended. Such a streak is
// reported as still closed (Recovery.StillClosed), for at least its Wait.
func (a *analysis) measuredRecovery() (*Recovery, lift) {
	all := a.lifts()
	var probed, slowest, worst *lift
	timed := 0
	for i := range all {
		l := &all[i]
		if slowest == nil || l.least() > slowest.least() {
			slowest = l
		}
		if !l.timed {
			continue
		}
		timed++
		if a.PhaseKind(l.s.Reqs[l.adm].Phase) == scenarios.PhaseProbe && (probed == nil || l.estimate() > probed.estimate()) {
			probed = l
		}
		if worst == nil || l.estimate() > worst.estimate() {
			worst = l
		}
	}
	switch {
	case slowest == nil || worst == nil && !a.tooSlow(*slowest):
		return nil, lift{}
	case probed != nil && a.tooSlow(*probed) == a.tooSlow(*slowest):
		worst = probed
	case a.tooSlow(*slowest):
		worst = slowest
	}
	if !worst.timed {
		return a.stillClosed(*worst, timed), *worst
	}
	est, half, least := worst.wait()
	at, atHalf := worst.at()
	r := &Recovery{
		Limit:         a.Limit.Name,
		Lifts:         timed,
		Wait:          time.Duration(est),
		Precision:     time.Duration(half),
		LeastWait:     time.Duration(max(least, 0)),
		LiftedAt:      time.Unix(0, at).UTC(),
		LiftPrecision: time.Duration(atHalf),
		Promised:      a.Recovery(),
		Phase:         a.PhaseName(worst.s.Reqs[worst.adm].Phase),
	}
	verb := "lifted"
	if a.tooSlow(*worst) {
		verb = "lifted only"
	}
	r.Summary = fmt.Sprintf("%s %s after the first rejection of its streak (the longest of %s timed, in the %s phase; promised %s)",
		verb, check.FormatPrecise(r.Wait, r.Precision), check.Plural(r.Lifts, "lift", "lifts"), r.Phase, check.FormatWindow(r.Promised))
	return r, *worst
}

// stillClosed reports a streak that outlasted the promise while the client
// kept retrying, and was not seen to lift while it did: "still closed 4.750 s
// after the first rejection of its streak, retried 425 times (85/s) after the
// promised 1s had passed; it lifted only after the client paused".
func (a *analysis) stillClosed(l lift, timed int) *Recovery {
	least := time.Duration(l.least())
	r := &Recovery{Limit: a.Limit.Name, Lifts: timed, Wait: least, LeastWait: least, StillClosed: true,
		Promised: a.Recovery(), Phase: a.PhaseName(l.s.Reqs[l.last].Phase)}
	from, _ := l.arrival(l.first)
	due := from + int64(a.Recovery())
	retries, since := 0, int64(0)
	for i := l.first; i <= l.last; i++ {
		if l.s.Known[i] && l.s.Reqs[i].Sent > due {
			if retries == 0 {
				since = l.s.Reqs[i].Sent
			}
			retries++
		}
	}
	rate := ""
	if span := l.s.Reqs[l.last].Sent - since; retries > 1 && span > 0 {
		rate = fmt.Sprintf(" (%s/s)", check.FormatNum(math.Round(float64(retries-1)/(float64(span)/float64(time.Second)))))
	}
	end := "the run ended with it closed"
	switch {
	case l.adm >= 0:
		end = "it lifted only after the client paused"
	case l.paused:
		end = "the client paused with it still closed"
	}
	r.Summary = fmt.Sprintf("still closed %s after the first rejection of its streak, retried %s%s after the promised %s had passed (last refusal in the %s phase); %s",
		check.FormatSeconds(int64(least)), check.Plural(retries, "time", "times"), rate, check.FormatWindow(r.Promised), r.Phase, end)
	return r
}

// tooSlow reports whether l surely came later than the promise allows.
func (a *analysis) tooSlow(l lift) bool {
	return time.Duration(l.least()) > a.Recovery()+a.liftSlack()
}

// refusedTooLong reports whether the streak's rejections, all of them in
// send order, span more than the promise: the model's late recoveries (see
// lateInSlowStreaks), where tooSlow asks whether the limit surely stayed
// closed that long.
func (a *analysis) refusedTooLong(l lift) bool {
	return time.Duration(l.closedUntil(l.end)) > a.Recovery()+a.liftSlack()
}

// least is the shortest the wait can have been: the limit was surely closed
// from the first rejection's arrival to the last one's. It needs no admission.
func (l lift) least() int64 { return l.closedUntil(l.last) }

// closedUntil is the time from the first rejection's latest arrival to
// rejection k's earliest.
func (l lift) closedUntil(k int) int64 {
	_, to := l.arrival(l.first)
	from, _ := l.arrival(k)
	return from - to
}

// estimate is the estimated wait alone.
func (l lift) estimate() int64 {
	est, _, _ := l.wait()
	return est
}

// liftSlack is how much later than promised a limit may lift before the
// measured wait fails the promise: one request's interval at the limit's rate.
// A sliding-window counter can lift that much after a full window.
func (a *analysis) liftSlack() time.Duration {
	return a.Limit.Window / time.Duration(max(a.Limit.Requests, 1))
}

// recoveryExport returns the measured recovery of the tested limit, for the
// verdict, or nil when the limit was never seen to lift.
func (a *analysis) recoveryExport() *Recovery {
	if a.skip != "" {
		return nil
	}
	r, _ := a.measuredRecovery()
	return r
}
