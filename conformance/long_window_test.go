package conformance

import (
	"strings"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/scenarios"
)

// A run shorter than its limit's window drives one window past the limit,
// as a plan does for an hourly limit (F17 once: Flask-Limiter at 1001 per
// hour for a promise of 1000 was undecided, declared or not). The window
// the first request opened holds that request (series.ClockPhase.Pinned),
// so one too many fails the fixed window declared. Left open, a
// sliding-window counter whose window turns inside the run, where nothing
// the server sent puts a boundary, also admits one more: limit.enforced is
// undecided, never a pass, and a correct limiter of any kind still passes.
func TestOneLongWindowDrivenOnce(t *testing.T) {
	const n = 200
	w := time.Hour
	perSecond := func(r float64) float64 { return r / (float64(n) / w.Seconds()) }
	specs := []phaseSpec{
		{"under", scenarios.PhaseUnder, perSecond(10), 10 * time.Second}, // 100 requests
		{"over", scenarios.PhaseOver, perSecond(20), 10 * time.Second},   // 200 more: the window fills
	}
	turns := base.Add(5 * time.Second) // a window boundary inside the run, off the wall clock
	onTheHour := base.Truncate(time.Hour)
	const undecided check.Status = "undecided"
	tests := []struct {
		name string
		algo scenarios.Algorithm
		srv  func() server
		// early starts the run this long before base, so that the hour
		// of the wall clock turns inside it.
		early time.Duration
		want  check.Status // of limit.enforced; undecided: a skip so marked
		bug   string       // a finding that keeps it from being right today
	}{
		{name: "first-request window/declared", algo: scenarios.AlgoFixedWindow, srv: func() server { return newFirstRequestWindow(n, w, faultNone) }, want: check.Pass},
		{name: "first-request window/any", algo: scenarios.AlgoAny, srv: func() server { return newFirstRequestWindow(n, w, faultNone) }, want: check.Pass},
		{name: "first-request window one too many/declared", algo: scenarios.AlgoFixedWindow, srv: func() server { return newFirstRequestWindow(n, w, faultOffByOne) }, want: check.Fail},
		{name: "first-request window one too many/any", algo: scenarios.AlgoAny, srv: func() server { return newFirstRequestWindow(n, w, faultOffByOne) }, want: undecided},
		{name: "wall-clock window turning in the run/declared", algo: scenarios.AlgoFixedWindow, srv: func() server { return newClockWindow(n, w, onTheHour, faultNone) }, early: 10 * time.Second, want: check.Pass},
		{name: "wall-clock window turning in the run/any", algo: scenarios.AlgoAny, srv: func() server { return newClockWindow(n, w, onTheHour, faultNone) }, early: 10 * time.Second, want: check.Pass},
		{name: "wall-clock window turning in the run one too many/declared", algo: scenarios.AlgoFixedWindow, srv: func() server { return newClockWindow(n, w, onTheHour, faultOffByOne) }, early: 10 * time.Second, want: check.Fail},
		{name: "wall-clock counter turning in the run/declared", algo: scenarios.AlgoSlidingWindow, srv: func() server { return newSlidingCounter(n, w, onTheHour, false, faultNone) }, early: 10 * time.Second, want: check.Pass},
		{name: "wall-clock counter turning in the run/any", algo: scenarios.AlgoAny, srv: func() server { return newSlidingCounter(n, w, onTheHour, false, faultNone) }, early: 10 * time.Second, want: check.Pass},
		{name: "counter turning in the run/declared", algo: scenarios.AlgoSlidingWindow, srv: func() server { return newSlidingCounter(n, w, turns, false, faultNone) }, want: check.Pass},
		{name: "counter turning in the run/any", algo: scenarios.AlgoAny, srv: func() server { return newSlidingCounter(n, w, turns, false, faultNone) }, want: check.Pass},
		// A bucket's refill admits more than the window's limit within
		// the run, which a counter turning inside it also explains: the
		// bucket, which needs no fitted phase, is chosen.
		{name: "token bucket/any", algo: scenarios.AlgoAny, srv: func() server { return newTokenBucket(n, n/w.Seconds(), faultNone) }, want: check.Pass},
		{name: "clock window turning in the run/declared", algo: scenarios.AlgoFixedWindow, srv: func() server { return newClockWindow(n, w, turns, faultNone) }, want: check.Pass,
			bug: "F18: a window on the clock off the wall clock, turning inside a run shorter than it without a reset to show it"},
	}
	for _, tt := range tests {
		for _, lat := range latencies {
			t.Run(tt.name+"/"+lat.name, func(t *testing.T) {
				p := planOf(limitOf(n, w, tt.algo), specs)
				reqs := client(p, []string{"k1"}, lat.lat, 5)
				for _, q := range reqs {
					q.obs.Sent, q.arrival = q.obs.Sent.Add(-tt.early), q.arrival.Add(-tt.early)
				}
				v := Check(p, seqOf(serve(reqs, tt.srv())))
				c := resultOf(t, v, check.LimitEnforced)
				got := c.Status
				if c.Status == check.Skip && c.Undecided {
					got = undecided
				}
				switch {
				case got != tt.want && tt.bug != "":
					t.Logf("known, %s: limit.enforced %s (%s); want %s", tt.bug, got, c.Message, tt.want)
				case got != tt.want:
					t.Errorf("limit.enforced %s (%s); want %s", got, c.Message, tt.want)
				case tt.bug != "":
					t.Logf("right, though %s", tt.bug)
				case got == undecided && !(strings.Contains(c.Message, "sliding-window counter") && strings.Contains(c.Message, "declare the limit's algorithm")):
					t.Errorf("limit.enforced undecided (%s); want it to name the counter turning inside the run, and what to do", c.Message)
				}
				for _, id := range []check.ID{check.LimitNoEarlyReject, check.TimingOnset} {
					if c := resultOf(t, v, id); c.Status == check.Fail {
						t.Errorf("%s failed (%s); the one defect is limit.enforced's", id, c.Message)
					}
				}
			})
		}
	}
}
