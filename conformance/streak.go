package conformance

import "github.com/ratecheck/ratecheck/scenarios"

// classify splits the wrongful rejections of one series into early ones and late
// recoveries, one streak (run of consecutive rejections, see streaks) at a time.
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
func (a *rules) classify(s *series, ev *stateEval, fam family) {
	opens := a.recoveryOpeners(s)
	var lastReject int64
	rejected := false
	for _, streak := range streaks(s) {
		for _, k := range streak {
			sent := s.reqs[k].sent
			if ev.out[k] == rejectWrong && opens[k] && rejected && sent-lastReject >= int64(a.recovery()) {
				ev.out[k] = rejectRecovery
			}
			rejected, lastReject = true, sent
		}
		a.classifyStreak(s, ev, fam, streak)
	}
}

// streaks splits the judged rejections of s into streaks. Unknown outcomes do
// not break a streak, and neither do admissions that may have arrived after the
// rejection that follows them (requests overtake each other on the wire).
func streaks(s *series) [][]int {
	var out [][]int
	var cur, between []int // the open streak; admissions since its last rejection
	for i, ok := range s.known {
		switch {
		case !ok:
		case s.adm[i]:
			if len(cur) > 0 { // only an open streak reads them
				between = append(between, i)
			}
		default:
			if len(cur) > 0 && !reordered(s, between, i) {
				out, cur = append(out, cur), nil
			}
			cur, between = append(cur, i), between[:0]
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// reordered reports whether every admission in adm may have arrived after
// rejection r.
func reordered(s *series, adm []int, r int) bool {
	for _, i := range adm {
		if s.hi(i) <= s.lo(r) {
			return false
		}
	}
	return true
}

// classifyStreak classifies the wrongful rejections of one streak.
func (a *rules) classifyStreak(s *series, ev *stateEval, fam family, streak []int) {
	first := streak[0]
	legit := ev.out[first] == rejectOK
	lifted := false
	for _, k := range streak {
		lifted = lifted || ev.out[k] == rejectWrong && a.room(ev, fam, k) >= a.liftRoom(fam)
	}
	rec := int64(a.recovery())
	lenient := a.limit.Recovery > a.limit.Window
	for _, k := range streak {
		if ev.out[k] != rejectWrong {
			continue
		}
		switch {
		case legit && lenient && s.reqs[k].sent-s.reqs[first].sent < rec:
			ev.out[k] = rejectOK // within the promised penalty
		case legit && lifted:
			ev.out[k] = rejectRecovery
		default:
			ev.out[k] = rejectEarly
		}
	}
}

// room is how many more requests the model surely admitted when request k was
// rejected.
func (a *rules) room(ev *stateEval, fam family, k int) float64 {
	if fam == familyBucket {
		return ev.detOf(k).level // tokens left, a lower bound
	}
	return float64(a.limit.Requests) - ev.detOf(k).level // the count is an upper bound
}

// liftRoom is the room that shows the limit lifted: three requests, beyond what
// arrival-time uncertainty blurs at a boundary, or the whole limit when smaller.
func (a *rules) liftRoom(fam family) float64 {
	capacity := a.p.burst
	if fam != familyBucket {
		capacity = float64(a.limit.Requests)
	}
	return min(3, capacity)
}

// recoveryOpeners marks the first judged request of s in each recovery phase.
func (a *rules) recoveryOpeners(s *series) []bool {
	if s.opens != nil {
		return s.opens
	}
	opens := make([]bool, len(s.reqs))
	seen := map[int32]bool{}
	for i, r := range s.reqs {
		if !s.known[i] {
			continue
		}
		if !seen[r.phase] && a.phaseKind(r.phase) == scenarios.PhaseRecovery {
			opens[i] = true
		}
		seen[r.phase] = true
	}
	s.opens = opens
	return opens
}

// classifyAll classifies every series of ev.
func (a *rules) classifyAll(all []*series, ev *evaluation) {
	for x, s := range all {
		a.classify(s, &ev.states[x], ev.family)
	}
	ev.sc = nil
}
