package model

import (
	"slices"

	"github.com/ratecheck/ratecheck/conformance/series"
	"github.com/ratecheck/ratecheck/scenarios"
)

// classify splits the wrongful rejections of one series into early ones and late
// recoveries, one streak (run of consecutive rejections, see streaks) at a time,
// and reports whether the series shows the limit closed past its promise (see
// classifyAll): a late streak with a wrongful rejection that surely reached the
// server more than the promised recovery after the streak's first one (the
// model has said the limit lifted, so no slack for a sliding window's late
// lift is due), or a recovery phase's first request rejected.
//
// A limit that lifted late may restart its window (or its bucket) only when
// it lifts, and then be a delay behind the model for a window: a streak that
// begins within a window of a late recovery, after the server admitted a whole
// capacity since, is a legitimate one for the server's shifted state, and what
// it blames is the late recovery, not an early rejection. (An early-rejecting
// limit admits less than its capacity between streaks.)
//
// A streak is legitimate when its first rejection may have been a limiting
// decision. Its wrongful rejections are late recoveries (the limit did not lift
// when it should have) if the model clearly lifted during the streak: some
// wrongful rejection in it had room for at least liftRoom more requests. A streak
// whose wrongful rejections all sat within a request or two of the limit only
// shows a limiter that rejects early, and a streak that began with a wrongful
// rejection is early throughout.
//
// Two promises override this: the first request of a recovery phase, sent at
// least the promised recovery time after the last rejection, must succeed (a
// wrongful rejection there is a late recovery); and when the scenario promises a
// recovery longer than the window, a legitimate streak may run that long.
func (a *Rules) classify(s *series.Series, ev *series.StateEval, fam Family) (overdue bool) {
	opens := a.recoveryOpeners(s)
	if skipUnwronged && !slices.Contains(ev.Out, series.RejectWrong) {
		return false // only wrongful rejections are classified, and only they make one overdue
	}
	var lastReject int64
	rejected, lateBefore := false, false
	prevEnd := -1 // the last member of the previous episode
	limiting := func(i int) bool { return ev.Out[i] == series.RejectOK }
	for _, ep := range episodes(s, Streaks(s, limiting)) {
		first, last := ep[0][0], ep[len(ep)-1][len(ep[len(ep)-1])-1]
		for _, streak := range ep {
			first = min(first, streak[0])
		}
		shifted := lateBefore && s.Reqs[first].Sent-lastReject < int64(a.Limit.Window) &&
			float64(admittedBetween(s, prevEnd, first)) >= fam.Capacity(a.P, a.Limit)
		prevEnd = last
		for _, streak := range ep {
			for _, k := range streak {
				sent := s.Reqs[k].Sent
				if ev.Out[k] == series.RejectWrong && opens[k] && rejected && sent-lastReject >= int64(a.Recovery()) {
					ev.Out[k], overdue = series.RejectRecovery, true
				}
				rejected, lastReject = true, max(lastReject, sent)
			}
		}
		var past bool
		lateBefore, past = a.classifyEpisode(s, ev, fam, ep, shifted)
		overdue = overdue || past
	}
	return overdue
}

// skipUnwronged lets classify pass over a series judged without a wrongful
// rejection, which it would leave as it is (an alignment or family that
// only over-admits); tests turn it off to compare with classifying it.
var skipUnwronged = true

// episodes groups consecutive streaks that interleave: a streak that began
// before the one before it (streaks come in the order of their last member)
// and may have arrived before the latest arrival of one of its rejections.
// The admission that split them is then
// known to lie between them only in send order, not in the server's, and
// whether the limit lifted late is a question about them together: a
// latency spike must not cut one long rejection into a late-recovering
// part and an "early" one.
func episodes(s *series.Series, all [][]int) [][][]int {
	var out [][][]int
	var reach int64 // the latest arrival of the open episode's rejections
	first := -1     // the open episode's first rejection in send order
	for _, st := range all {
		if len(out) > 0 && st[0] < first && s.Lo(st[0]) < reach {
			out[len(out)-1] = append(out[len(out)-1], st)
			first = st[0]
		} else {
			out = append(out, [][]int{st})
			reach, first = 0, st[0]
		}
		for _, k := range st {
			reach = max(reach, s.Hi(k))
		}
	}
	return out
}

// admittedBetween counts the admissions of s sent after request i and before
// request j.
func admittedBetween(s *series.Series, i, j int) int {
	n := 0
	for k := max(i+1, 0); k < j; k++ {
		if s.Known[k] && s.Adm[k] {
			n++
		}
	}
	return n
}

// Streaks splits the judged rejections of s into streaks: runs of rejections
// with no admission between them in the order the server decided. That order is
// known only up to the arrival intervals, and requests in flight together (a
// burst) may have been decided in any order, so a split must hold for every
// order the intervals allow: a streak ends only at an admission that surely
// arrived before the next rejection, and only the rejections that surely
// arrived before that admission end with it.
//
// A rejection that may have arrived on either side of that admission is placed
// where the model's judgement of it puts it. One the model holds may have been
// limiting goes after the admission: that judgement counted the admissions in
// flight with it as arrived before it (the server admits, then starts to
// reject), so it continues into the next rejections. A wrongful one stays before:
// it ends a streak (the limit lifting) rather than beginning one, which would
// blame every rejection after it. Unknown outcomes never break a streak.
//
// The streaks come in the order of their last member, each in send order.
func Streaks(s *series.Series, limiting func(i int) bool) [][]int {
	var out [][]int
	var cur []int // the open streak, in send order
	// Where a rejection may end the streak before it depends on the
	// admissions alone (Series.StreakCuts), the same for every model.
	cuts := s.StreakCuts()
	r := 0
	for i, ok := range s.Rej {
		if !ok {
			continue
		}
		if cut := int(cuts[r]); cut >= 0 && len(cur) > 0 {
			var ended []int
			ended, cur = splitAt(s, cur, cut, limiting)
			if len(ended) > 0 {
				out = append(out, ended)
			}
		}
		r++
		cur = append(cur, i)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// splitAt splits the open streak cur at admission a: the rejections that
// surely arrived before a, or may have and are wrongful, end the streak; the
// others (limiting rejections that may have arrived after a) continue it.
// Wrongful rejections alone end nothing while limiting ones continue: they
// were sent after those (a streak is in send order), so they belong to the
// streak that goes on, not to one of their own that would begin wrongfully.
//
// rest reuses cur's array (it is cur with ended taken out, in order), so an
// open streak split many times by admissions in flight is not copied each
// time; so the split is decided before cur is touched.
func splitAt(s *series.Series, cur []int, a int, limiting func(i int) bool) (ended, rest []int) {
	ends := func(k int) bool { return s.Hi(k) <= s.Lo(a) || s.Lo(k) < s.Hi(a) && !limiting(k) }
	sure := false // a member surely arrived before a, or may have and was limiting
	going := 0    // members that continue
	for _, k := range cur {
		if ends(k) {
			sure = sure || s.Hi(k) <= s.Lo(a) || limiting(k)
		} else {
			going++
		}
	}
	if going == len(cur) || !sure && going > 0 {
		return nil, cur
	}
	ended, rest = make([]int, 0, len(cur)-going), cur[:0]
	for _, k := range cur {
		if ends(k) {
			ended = append(ended, k)
		} else {
			rest = append(rest, k)
		}
	}
	return ended, rest
}

// classifyEpisode classifies the wrongful rejections of one episode (see
// episodes), a legitimate one when its first rejection may have been
// limiting or when shifted (see classify), and reports whether it holds a
// late recovery and whether one of those came past the promise (see classify).
func (a *Rules) classifyEpisode(s *series.Series, ev *series.StateEval, fam Family, ep [][]int, shifted bool) (late, overdue bool) {
	first := ep[0][0] // the first sent: streaks come in the order of their last member
	for _, streak := range ep {
		first = min(first, streak[0])
	}
	legit := ev.Out[first] == series.RejectOK || shifted
	lifted := false
	for _, streak := range ep {
		for _, k := range streak {
			lifted = lifted || ev.Out[k] == series.RejectWrong && a.room(ev, fam, k) >= a.liftRoom(fam)
		}
	}
	rec := int64(a.Recovery())
	lenient := a.Limit.Recovery > a.Limit.Window
	for _, streak := range ep {
		for _, k := range streak {
			switch ev.Out[k] {
			case series.RejectRecovery:
				late = true
				continue
			case series.RejectWrong:
			default:
				continue
			}
			switch {
			case legit && lenient && s.Reqs[k].Sent-s.Reqs[first].Sent < rec:
				ev.Out[k] = series.RejectOK // within the promised penalty
			case legit && lifted:
				ev.Out[k], late = series.RejectRecovery, true
				overdue = overdue || s.Lo(k)-s.Hi(first) > rec
			default:
				ev.Out[k] = series.RejectEarly
			}
		}
	}
	return late, overdue
}

// room is how many more requests the model surely admitted when request k was
// rejected.
func (a *Rules) room(ev *series.StateEval, fam Family, k int) float64 {
	return fam.room(a.Limit, ev.DetOf(k))
}

// liftRoom is the room that shows the limit lifted: three requests, beyond what
// arrival-time uncertainty blurs at a boundary, or the whole limit when smaller.
func (a *Rules) liftRoom(fam Family) float64 {
	return min(3, fam.Capacity(a.P, a.Limit))
}

// recoveryOpeners marks the first judged request of s in each recovery phase.
func (a *Rules) recoveryOpeners(s *series.Series) []bool {
	if s.Opens != nil {
		return s.Opens
	}
	opens := make([]bool, len(s.Reqs))
	seen := map[int32]bool{}
	for i, r := range s.Reqs {
		if !s.Known[i] {
			continue
		}
		if !seen[r.Phase] && a.PhaseKind(r.Phase) == scenarios.PhaseRecovery {
			opens[i] = true
		}
		seen[r.Phase] = true
	}
	s.Opens = opens
	return opens
}

// classifyAll classifies every series of ev. A late recovery is a limit that
// kept a retrying client out longer than promised, which is how
// recovery.after-window measures a lift: when no series shows the limit
// closed past its promise (see classify), the late recoveries are early
// rejections instead, one defect, limit.no-early-reject's. A limit that
// stayed closed a moment past the model's lift but opened within the promise
// rejected with room left: a smoothing limiter whose first request of a fresh
// window came too soon after its last admission, or a window aligned a little
// off the model's.
func (a *Rules) classifyAll(all []*series.Series, ev *Evaluation) {
	overdue := false
	for x, s := range all {
		overdue = a.classify(s, &ev.States[x], ev.Family) || overdue
	}
	if !overdue {
		for x := range all {
			out := ev.States[x].Out
			for k, o := range out {
				if o == series.RejectRecovery {
					out[k] = series.RejectEarly
				}
			}
		}
	}
	ev.sc = nil
}
