package conformance

// blames maps the requests the limiter model blames to the check that fails
// each: an over-admission to limit.enforced, an early rejection to
// limit.no-early-reject, a late recovery to recovery.after-window. Each of
// those checks fails whenever it has one such request, so a check that finds
// the same defect in what the responses say can point there instead of
// failing again (one defect, one failing check).
type blames map[uint64]ID

// blamer is a checker that defers to the model checks: it is handed the
// run's blames, computed when it first needs them.
type blamer interface {
	deferTo(blamed func() blames)
}

// blamed computes the blames of the run's analysis; nil when the model could
// not judge the run or found nothing wrong.
func (r *run) blamed() blames {
	a := r.analysis()
	if a.skip != "" || a.eval == nil {
		return nil
	}
	var b blames
	for x, s := range a.series {
		for i, o := range a.eval.states[x].out {
			var id ID
			switch o {
			case admitOver:
				id = LimitEnforced
			case rejectEarly:
				id = LimitNoEarlyReject
			case rejectRecovery:
				id = RecoveryAfterWindow
			default:
				continue
			}
			if b == nil {
				b = blames{}
			}
			b[a.seqOf(&s.reqs[i])] = id
		}
	}
	return b
}

// deferred counts the findings a response check left to the model checks,
// per check blamed.
type deferred map[ID]int

// explains reports whether a request of s between records i and j (both
// included) is blamed by the model, counting the finding in d when it is.
func (b blames) explains(s *respSeries, i, j int, d deferred) bool {
	if len(b) == 0 {
		return false
	}
	if i > j {
		i, j = j, i
	}
	for k := max(i, 0); k <= j && k < len(s.recs); k++ {
		if id, ok := b[s.recs[k].seq]; ok {
			d[id]++
			return true
		}
	}
	return false
}

// see is the check most findings were left to, and how many were left in all.
func (d deferred) see() (ID, int) {
	var best ID
	n := 0
	for _, id := range []ID{LimitEnforced, LimitNoEarlyReject, RecoveryAfterWindow} {
		n += d[id]
		if d[id] > d[best] {
			best = id
		}
	}
	return best, n
}
