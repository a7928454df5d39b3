package series

import "sync"

// streakCuts is made once, by StreakCuts, for every judgement that asks.
type streakCuts struct {
	once sync.Once
	cuts []int32
}

// StreakCuts lists, for each rejection of s in send order, the admission at
// which the rejections before it may end a streak (model.Streaks): of the
// admissions that surely arrived before it (their latest arrival is no
// later than its earliest) and after the rejection before it, the one that
// may have arrived last (the latest earliest arrival, the later request on
// a tie); −1 when there is none. Which rejections then end a streak depends
// on the model judged, but the cuts do not, so every family, alignment and
// candidate judged reads the same list, made once. It must not be changed.
func (s *Series) StreakCuts() []int32 {
	s.cuts.once.Do(func() { s.cuts.cuts = s.streakCuts() })
	return s.cuts.cuts
}

func (s *Series) streakCuts() []int32 {
	out := make([]int32, 0, countTrue(s.Rej))
	var pending []int // admissions that may have arrived after a later rejection
	// before is the admission surely before every later rejection that may
	// have arrived last, or -1. Admissions move there from pending once
	// they surely arrived before the current request, so pending holds
	// about the admissions in flight, not every admission of a run without
	// rejections. It is settled when it has doubled since the last time,
	// which keeps the work linear when a latency spike holds many.
	before, settleAt := -1, minSettle
	for i, ok := range s.Known {
		switch {
		case !ok:
		case s.Adm[i]:
			if len(pending) >= settleAt {
				before, pending = s.settle(before, pending, s.Lo(i))
				settleAt = max(minSettle, 2*len(pending))
			}
			pending = append(pending, i)
		default:
			var cut int
			cut, pending = s.settle(before, pending, s.Lo(i))
			out = append(out, int32(cut))
			before = -1
		}
	}
	return out
}

// minSettle is the fewest pending admissions streakCuts settles.
const minSettle = 256

// settle moves the admissions of pending that surely arrived before time at
// (their latest arrival is no later than at) into cut, which keeps the one
// that may have arrived last: the latest earliest arrival, the later request
// on a tie. It returns cut and the admissions left in pending, in send order.
// Requests are in send order, so lo rises: an admission surely before one
// request is surely before every later one too.
func (s *Series) settle(cut int, pending []int, at int64) (int, []int) {
	left := pending[:0]
	for _, i := range pending {
		switch {
		case s.Hi(i) > at:
			left = append(left, i)
		case cut < 0 || s.Lo(i) > s.Lo(cut) || s.Lo(i) == s.Lo(cut) && i > cut:
			cut = i
		}
	}
	return cut, left
}
