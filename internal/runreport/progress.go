package runreport

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// progressAfter is how long 'ratecheck report' works quietly: past it,
// it says on stderr how far it has come, once a second.
const progressAfter = time.Second

// replayProgress prints the progress of a long replay on stderr: the
// observations read (of how many, when the run directory says) and then
// the time spent judging them. A report that takes less than
// progressAfter prints nothing.
type replayProgress struct {
	w     io.Writer
	now   func() time.Time
	tick  time.Duration // between judging lines: a second
	total int64         // observations expected; < 0 when unknown
	n     int64         // observations read
	start time.Time
	last  time.Time // of the latest line

	mu      sync.Mutex // guards w and printed once judging ticks in a goroutine
	printed bool
}

func newReplayProgress(w io.Writer, total int64, now func() time.Time) *replayProgress {
	t := now()
	return &replayProgress{w: w, now: now, tick: time.Second, total: total, start: t, last: t}
}

// observed counts one observation read; it looks at the clock every
// 16,384 observations only.
func (p *replayProgress) observed() {
	p.n++
	if p.n&(1<<14-1) != 0 {
		return
	}
	t := p.now()
	if t.Sub(p.start) < progressAfter || t.Sub(p.last) < time.Second {
		return
	}
	p.last = t
	rate := float64(p.n) / t.Sub(p.start).Seconds()
	if p.total > 0 {
		p.printf("read %s of %s observations (%.0f%%), %s/s", count(p.n), count(p.total), 100*float64(p.n)/float64(p.total), count(int64(rate)))
		return
	}
	p.printf("read %s observations, %s/s", count(p.n), count(int64(rate)))
}

// judging says, once a second, how long judging has taken, until the
// returned func is called; then, if anything was printed, it prints the
// total.
func (p *replayProgress) judging() (done func()) {
	read := p.now()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // exits when done closes stop
		defer wg.Done()
		tick := time.NewTicker(p.tick)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if t := p.now(); t.Sub(p.start) >= progressAfter {
					p.printf("judging %s observations: %s so far", count(p.n), t.Sub(read).Round(time.Second))
				}
			}
		}
	}()
	return func() {
		close(stop)
		wg.Wait()
		if p.printed {
			t := p.now()
			took := t.Sub(p.start)
			p.printf("judged %s observations in %s (%s/s; reading them took %s)", count(p.n), took.Round(100*time.Millisecond),
				count(int64(float64(p.n)/took.Seconds())), read.Sub(p.start).Round(100*time.Millisecond))
		}
	}
}

func (p *replayProgress) printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.printed = true
	fmt.Fprintf(p.w, "ratecheck report: "+format+"\n", args...)
}

// count writes n with thousands separators.
func count(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
