package limiter

// slidingLog remembers the time of every admitted request and admits a request
// at t while fewer than limit were admitted in (t−W, t].
type slidingLog struct {
	limit, window int64
	log           []int64 // admission times, oldest first, from log[head]
	head          int
}

// expire forgets admissions that left the window: those at or before now−W.
func (s *slidingLog) expire(now int64) {
	for s.head < len(s.log) && s.log[s.head] <= now-s.window {
		s.head++
	}
	if s.head == len(s.log) {
		s.log, s.head = s.log[:0], 0
	} else if s.head > 1024 && s.head > len(s.log)/2 {
		n := copy(s.log, s.log[s.head:])
		s.log, s.head = s.log[:n], 0
	}
}

func (s *slidingLog) n() int64 { return int64(len(s.log) - s.head) }

func (s *slidingLog) admits(now int64) (bool, int64) {
	s.expire(now)
	n := s.n()
	if n < s.limit {
		return true, 0
	}
	// The request is admitted once all but limit−1 of the logged ones have left:
	// when the (n−limit+1)-th oldest, at log[head+n−limit], reaches its W.
	return false, s.log[int64(s.head)+n-s.limit] + s.window - now
}

func (s *slidingLog) take(now int64) {
	s.expire(now)
	s.log = append(s.log, now)
}

func (s *slidingLog) status(now int64) (int64, int64) {
	s.expire(now)
	n := s.n()
	if n == 0 {
		return s.limit, now
	}
	return max(0, s.limit-n), s.log[len(s.log)-1] + s.window
}

// slidingCounter keeps counts per clock-aligned window and estimates the requests
// in the last W as prev·(W−e)/W + curr, where e is the time elapsed in the current
// window. A request is admitted while ⌈prev·(W−e)/W⌉ + curr + 1 ≤ limit; since
// curr and limit are integers this is exactly prev·(W−e)/W + curr + 1 ≤ limit.
type slidingCounter struct {
	limit, window int64
	start         int64 // start of the current window
	prev, curr    int64
}

// roll moves to the window holding now: the current count becomes the previous
// one if the windows are adjacent, and both are forgotten otherwise.
func (s *slidingCounter) roll(now int64) {
	st := floorDiv(now, s.window) * s.window
	switch st {
	case s.start:
		return
	case s.start + s.window:
		s.prev, s.curr = s.curr, 0
	default:
		s.prev, s.curr = 0, 0
	}
	s.start = st
}

// weighted returns ⌈prev·(W−e)/W⌉ at elapsed e.
func (s *slidingCounter) weighted(e int64) int64 {
	return mul(uint64(s.prev), uint64(s.window-e)).divCeil(uint64(s.window))
}

func (s *slidingCounter) admits(now int64) (bool, int64) {
	s.roll(now)
	e := now - s.start
	if s.weighted(e)+s.curr+1 <= s.limit {
		return true, 0
	}
	if k := s.limit - s.curr - 1; k >= 0 {
		// Here prev·(W−e)/W > k ≥ 0, so k < prev: admitted from elapsed
		// e* = W − ⌊k·W/prev⌋, the first e with prev·(W−e) ≤ k·W.
		return false, s.start + s.window - mul(uint64(k), uint64(s.window)).div(uint64(s.prev)) - now
	}
	// The current window is full: in the next one prev' = curr and curr' = 0, and
	// a request is admitted from e' = W − ⌊(limit−1)·W/curr⌋ (0 when limit−1 ≥ curr).
	next := s.start + s.window
	k := s.limit - 1
	if k >= s.curr {
		return false, next - now
	}
	return false, next + s.window - mul(uint64(k), uint64(s.window)).div(uint64(s.curr)) - now
}

func (s *slidingCounter) take(now int64) {
	s.roll(now)
	s.curr++
}

func (s *slidingCounter) status(now int64) (int64, int64) {
	s.roll(now)
	rem := max(0, s.limit-s.weighted(now-s.start)-s.curr)
	switch {
	case s.curr > 0: // curr weighs on until the end of the next window
		return rem, s.start + 2*s.window
	case s.prev > 0: // prev weighs on until the end of this window
		return rem, s.start + s.window
	default:
		return rem, now
	}
}
