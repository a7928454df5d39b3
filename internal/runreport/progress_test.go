package runreport

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// fakeClock advances by step each time it is read.
type fakeClock struct {
	t    time.Time
	step time.Duration
}

func (c *fakeClock) now() time.Time { c.t = c.t.Add(c.step); return c.t }

func TestReplayProgress(t *testing.T) {
	tests := []struct {
		name      string
		total     int64
		n         int
		step      time.Duration // per clock reading (every 16,384 observations)
		wantLines []string      // each must appear, in order
		wantNone  bool
	}{
		{name: "fast: quiet", total: 100000, n: 100000, step: time.Millisecond, wantNone: true},
		{name: "slow, total known", total: 1 << 20, n: 1 << 20, step: 300 * time.Millisecond, wantLines: []string{
			"ratecheck report: read 65,536 of 1,048,576 observations (6%)",
			"ratecheck report: read 131,072 of 1,048,576 observations (12%)",
			"ratecheck report: judged 1,048,576 observations in",
		}},
		{name: "slow, total unknown", total: -1, n: 1 << 18, step: 600 * time.Millisecond, wantLines: []string{
			"ratecheck report: read 32,768 observations, ",
			"ratecheck report: judged 262,144 observations in",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			clock := &fakeClock{t: time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC), step: tt.step}
			p := newReplayProgress(&out, tt.total, clock.now)
			p.tick = time.Hour // the judging ticker never fires here
			for range tt.n {
				p.observed()
			}
			p.judging()()
			got := out.String()
			if tt.wantNone {
				if got != "" {
					t.Errorf("printed %q; want nothing for a report under a second", got)
				}
				return
			}
			rest := got
			for _, w := range tt.wantLines {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("progress lines lack %q (in order); got:\n%s", w, got)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

// TestReplayProgressWhileJudging: once the report has run a second, the
// judging phase says how long it has taken, once per tick.
func TestReplayProgressWhileJudging(t *testing.T) {
	var out bytes.Buffer
	clock := &fakeClock{t: time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC), step: time.Second}
	p := newReplayProgress(&out, 10, clock.now)
	p.tick = time.Millisecond
	done := p.judging()
	deadline := time.Now().Add(10 * time.Second)
	for {
		p.mu.Lock()
		printed := p.printed
		p.mu.Unlock()
		if printed || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	done()
	if !strings.Contains(out.String(), "ratecheck report: judging 0 observations: ") || !strings.Contains(out.String(), "ratecheck report: judged 0 observations in") {
		t.Errorf("got:\n%s\nwant judging lines and the total", out.String())
	}
}
