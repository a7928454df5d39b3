package limiter

// clockWindow is a fixed window aligned to the clock: windows are
// [k·W, (k+1)·W) in Unix nanoseconds, and each admits limit requests.
type clockWindow struct {
	limit, window int64
	start         int64 // start of the window count belongs to
	count         int64
}

// roll moves to the window holding now, forgetting the old count.
func (f *clockWindow) roll(now int64) {
	if s := floorDiv(now, f.window) * f.window; s != f.start {
		f.start, f.count = s, 0
	}
}

func (f *clockWindow) admits(now int64) (bool, int64) {
	f.roll(now)
	if f.count < f.limit {
		return true, 0
	}
	return false, f.start + f.window - now
}

func (f *clockWindow) take(now int64) {
	f.roll(now)
	f.count++
}

func (f *clockWindow) status(now int64) (int64, int64) {
	f.roll(now)
	if f.count == 0 {
		return f.limit, now
	}
	return f.limit - f.count, f.start + f.window
}

// floorDiv returns ⌊a/b⌋ for b > 0, also for negative a (times before 1970).
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

// firstWindow is a fixed window that starts with the first request admitted
// while no window is running, and lasts W from there.
type firstWindow struct {
	limit, window int64
	active        bool
	start         int64
	count         int64
}

// expire ends the running window once W has passed since it started.
func (f *firstWindow) expire(now int64) {
	if f.active && now-f.start >= f.window {
		f.active, f.count = false, 0
	}
}

func (f *firstWindow) admits(now int64) (bool, int64) {
	f.expire(now)
	if f.count < f.limit {
		return true, 0
	}
	return false, f.start + f.window - now
}

func (f *firstWindow) take(now int64) {
	f.expire(now)
	if !f.active {
		f.active, f.start = true, now
	}
	f.count++
}

func (f *firstWindow) status(now int64) (int64, int64) {
	f.expire(now)
	if !f.active {
		return f.limit, now
	}
	return f.limit - f.count, f.start + f.window
}
