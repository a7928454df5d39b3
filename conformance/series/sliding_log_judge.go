package series

// Sliding log: a request is limited while n admitted requests arrived in the
// window (t − W, t] before it. With arrival times only known to lie in [lo, hi]:
//
//   - an admission is an over-admission only if it completes more than n admitted
//     requests that surely arrived within less than W of each other;
//   - a rejection is wrongful only if fewer than n admitted requests may have
//     arrived in the W before it, wherever it arrived.
//
// Sliding-window counters are judged as a sliding log.

// JudgeLog judges s against a sliding log of n requests per w nanoseconds.
func JudgeLog(s *Series, w, n int64, ev *StateEval) {
	logOver(s, w, n, ev)
	for e, ok := range s.Rej {
		if !ok {
			continue
		}
		seen := s.admittedMaybeIn(s.Lo(e)-w+1, s.Hi(e))
		ev.rejected(e, float64(seen), 0)
		ev.Out[e] = RejectOK
		if seen < n {
			ev.Out[e] = RejectWrong
		}
	}
}

// logOver finds the over-admissions, handling admitted requests in order of
// latest arrival so that every request handled before e surely arrived by hi_e.
// As hi_e rises, so does the first admission surely within W of it: its
// count steps on from the last one's, and the charged are counted as they
// go, not summed.
func logOver(s *Series, w, n int64, ev *StateEval) {
	adm, order := s.admittedByHi()
	admLo := make([]int64, len(adm))
	for k, i := range adm {
		admLo[k] = s.Lo(int(i))
	}
	charged := newFenwick(len(adm))
	var total int64 // charged so far
	from := 0
	for _, k32 := range order {
		k := int(k32)
		i := int(adm[k])
		ev.Out[i] = AdmitOK
		from = countFrom(admLo, s.Hi(i)-w+1, from) // surely within W of hi_i
		if s.Lo(i) > s.Hi(i)-w {
			before := charged.sum(from)
			if c := total - before; c+1 > n {
				first := int(adm[charged.find(before+1)])
				ev.Out[i] = AdmitOver
				ev.overDetail(i, Detail{Ref: int32(first), Rank: int32(c + 1), Start: s.Lo(first)})
				continue
			}
		}
		charged.add(k)
		total++
	}
}

// fenwick counts marked positions 0…n−1.
type fenwick []int64

func newFenwick(n int) fenwick { return make(fenwick, n+1) }

// add marks position k.
func (f fenwick) add(k int) {
	for k++; k < len(f); k += k & -k {
		f[k]++
	}
}

// sum counts marked positions < k.
func (f fenwick) sum(k int) int64 {
	var c int64
	for ; k > 0; k -= k & -k {
		c += f[k]
	}
	return c
}

// find returns the position of the c-th marked position (1-based), which must exist.
func (f fenwick) find(c int64) int {
	pos := 0
	step := 1
	for step*2 < len(f) {
		step *= 2
	}
	for ; step > 0; step /= 2 {
		if pos+step < len(f) && f[pos+step] < c {
			pos += step
			c -= f[pos]
		}
	}
	return pos // position pos+1 in 1-based terms is pos in 0-based terms
}
