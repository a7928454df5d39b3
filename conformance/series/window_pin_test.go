package series

import (
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/records"
)

// The window put at the run's first request is the one that request opened
// when its flight is too short a share of the window for a window on the
// clock to have started within it by chance: pinned, the request falls in it
// and in no window before; unpinned (a short window), it may fall either side.
func TestFirstRequestWindowPinned(t *testing.T) {
	ms := int64(time.Millisecond)
	tests := []struct {
		w, latency time.Duration // the flight is the latency and twice records.ArrivalFloor
		pinned     bool
		firstWins  int // the windows the first request may be in
	}{
		{time.Hour, 50 * time.Millisecond, true, 1},
		{time.Minute, 10 * time.Millisecond, true, 1}, // 14 ms of 1 minute
		{time.Second, 0, false, 2},                    // 4 ms of 1 s
		{time.Minute, 100 * time.Millisecond, false, 2},
	}
	for _, tt := range tests {
		s := &Series{}
		for k := range 3 { // sent 1 s into the run's clock, 10 ms apart
			s.Reqs = append(s.Reqs, records.Record{Sent: 1000*ms + int64(k)*10*ms + records.ArrivalFloor, Latency: uint32(tt.latency / time.Microsecond), Status: 200})
			s.Adm, s.Known, s.Rej = append(s.Adm, true), append(s.Known, true), append(s.Rej, false)
		}
		w := int64(tt.w)
		var first *ClockPhase
		for _, p := range ClockPhases([]*Series{s}, 0, w) {
			if p.Assumed {
				first = &p
				break
			}
		}
		if first == nil {
			t.Fatalf("w %v: no phase aligned to the first request", tt.w)
		}
		if first.Pinned != tt.pinned || first.Opened != s.Lo(0) {
			t.Errorf("w %v, latency %v: pinned %v at %d; want %v at %d", tt.w, tt.latency, first.Pinned, first.Opened, tt.pinned, s.Lo(0))
		}
		j := NewWindowJudge(s, ClockWindows(s, *first, w), w, 1)
		lo, hi, kind := j.span(0)
		if got := hi - lo + 1; kind != spanSome || got != tt.firstWins {
			t.Errorf("w %v, latency %v: the first request may be in %d windows (kind %d); want %d", tt.w, tt.latency, got, kind, tt.firstWins)
		}
	}
}

// A reset found where requests sent at once were reordered, as a burst is
// where a window fills, is weak (ClockPhase.Weak): the counter does not take
// it as the server's word for where its windows turn. One whose rejection
// surely arrived before its admission, with its neighbours agreeing, is not.
func TestResetPhasesWeakWhereReordered(t *testing.T) {
	ms := int64(time.Millisecond)
	burst := func(at int64, statuses ...int) (reqs []records.Record) {
		for _, st := range statuses {
			reqs = append(reqs, records.Record{Sent: at, Latency: 500, Status: int32(st)})
		}
		return reqs
	}
	tests := []struct {
		name string
		reqs []records.Record
		weak bool
	}{
		{"a burst reordered where the window filled",
			append(burst(1000*ms, 200, 200, 200, 200, 200), burst(3000*ms, 200, 200, 429, 429, 429, 200, 200, 200, 429, 429, 429, 429)...), true},
		{"rejections, then admissions after the turn",
			append(burst(1000*ms, 200, 200, 429, 429, 429, 429, 429), burst(3000*ms, 200, 200, 200, 200, 200)...), false},
	}
	for _, tt := range tests {
		s := &Series{Reqs: tt.reqs}
		for _, r := range tt.reqs {
			s.Adm, s.Rej, s.Known = append(s.Adm, r.Status == 200), append(s.Rej, r.Status == 429), append(s.Known, true)
		}
		ps := resetPhases([]*Series{s}, int64(time.Minute))
		if len(ps) == 0 {
			t.Fatalf("%s: no reset phase", tt.name)
		}
		for _, p := range ps {
			if p.Weak != tt.weak {
				t.Errorf("%s: phase [%d, %d] weak %v; want %v", tt.name, p.Lo, p.Hi, p.Weak, tt.weak)
			}
		}
	}
}
