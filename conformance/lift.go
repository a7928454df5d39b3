package conformance

import (
	"fmt"
	"time"

	"github.com/ratecheck/ratecheck/scenarios"
)

// lift is one time the tested limit was seen to lift: a streak of rejections of
// one series, first to last in send order, and the admission adm that ended it.
type lift struct {
	s                *series
	first, last, adm int
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
	r := l.s.reqs[i]
	return r.sent, r.sent + r.lat()
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

// lifts finds the lifts whose admission was sent in a probe or over phase, in
// send order within each series. A probe polls finely for exactly this; an
// over phase's own spacing sets the precision of its lifts.
func (a *analysis) lifts() []lift {
	var out []lift
	for _, s := range a.series {
		out = append(out, a.liftsOf(s)...)
	}
	return out
}

// liftsOf finds the lifts of s. Requests whose answer was no rate-limit
// decision neither extend nor end a streak.
func (a *analysis) liftsOf(s *series) []lift {
	var out []lift
	first, last := -1, -1
	for i := range s.reqs {
		switch {
		case !s.known[i]:
		case s.rej[i]:
			if first < 0 {
				first = i
			}
			last = i
		case first >= 0:
			if k := a.phaseKind(s.reqs[i].phase); k == scenarios.PhaseProbe || k == scenarios.PhaseOver {
				out = append(out, lift{s: s, first: first, last: last, adm: i})
			}
			first = -1
		}
	}
	return out
}

// measuredRecovery times the lifts of the run and returns the one that kept
// requests waiting longest, or nil when no lift was seen in a probe or over
// phase. It prefers the probe's lifts, which are timed finely, unless an over
// phase saw a lift surely later than promised that the probe did not.
func (a *analysis) measuredRecovery() (*Recovery, lift) {
	all := a.lifts()
	if len(all) == 0 {
		return nil, lift{}
	}
	var probed, slowest, worst *lift
	for i := range all {
		l := &all[i]
		if a.phaseKind(l.s.reqs[l.adm].phase) == scenarios.PhaseProbe && (probed == nil || l.estimate() > probed.estimate()) {
			probed = l
		}
		if slowest == nil || l.least() > slowest.least() {
			slowest = l
		}
		if worst == nil || l.estimate() > worst.estimate() {
			worst = l
		}
	}
	switch {
	case probed != nil && a.tooSlow(*probed) == a.tooSlow(*slowest):
		worst = probed
	case a.tooSlow(*slowest):
		worst = slowest
	}
	est, half, least := worst.wait()
	at, atHalf := worst.at()
	r := &Recovery{
		Limit:         a.limit.Name,
		Lifts:         len(all),
		Wait:          time.Duration(est),
		Precision:     time.Duration(half),
		LeastWait:     time.Duration(max(least, 0)),
		LiftedAt:      time.Unix(0, at).UTC(),
		LiftPrecision: time.Duration(atHalf),
		Promised:      a.recovery(),
		Phase:         a.phaseName(worst.s.reqs[worst.adm].phase),
	}
	verb := "lifted"
	if a.tooSlow(*worst) {
		verb = "lifted only"
	}
	r.Summary = fmt.Sprintf("%s %s after the first rejection of its streak (the longest of %s timed, in the %s phase; promised %s)",
		verb, fmtPrecise(r.Wait, r.Precision), plural(r.Lifts, "lift", "lifts"), r.Phase, fmtWindow(r.Promised))
	return r, *worst
}

// tooSlow reports whether l surely came later than the promise allows.
func (a *analysis) tooSlow(l lift) bool {
	return time.Duration(l.least()) > a.recovery()+a.liftSlack()
}

// least is the shortest the wait can have been.
func (l lift) least() int64 {
	_, _, least := l.wait()
	return least
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
	return a.limit.Window / time.Duration(max(a.limit.Requests, 1))
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
