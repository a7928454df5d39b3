package conformance

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/scenarios"
)

// A run that drives one window past a limit of 60 per minute, opened by its
// first request, cannot tell a first-request-aligned window admitting 61
// from windows on the clock whose boundary falls within the first request's
// flight (1, then 60): such a boundary is as likely as the few milliseconds
// of that flight in a minute, but nothing in the run rules it out.
// limit.enforced must fail or be undecided, never pass (it passed a real
// ulule/limiter configured with 61, judged on the clock "aligned to the
// first request").
func TestEnforcedOneWindowOnTheClockMayHideOneMore(t *testing.T) {
	p := planOf(limitOf(60, time.Minute, scenarios.AlgoFixedWindow), []phaseSpec{
		{"under", scenarios.PhaseUnder, 0.5, 10 * time.Second},
		{"over", scenarios.PhaseOver, 4, 30 * time.Second},
		{"pause", scenarios.PhasePause, 0, 61 * time.Second},
		{"recovery", scenarios.PhaseRecovery, 0.5, 10 * time.Second},
	})
	// The first request's flight is the longest (a connection is set up):
	// wide enough to hold a candidate boundary that the point model puts
	// after its arrival, so no admission is ambiguous.
	for _, lat := range []time.Duration{5 * time.Millisecond, 20 * time.Millisecond} {
		obs := serve(client(p, []string{"k1"}, slowFirst(lat, time.Millisecond), 1), newFirstRequestWindow(60, time.Minute, faultOffByOne))
		c := resultOf(t, Check(p, seqOf(obs)), check.LimitEnforced)
		if c.Status == check.Pass {
			t.Errorf("latency %v: limit.enforced = pass %q; want fail, or undecided", lat, c.Message)
		}
		correct := serve(client(p, []string{"k1"}, slowFirst(lat, time.Millisecond), 1), newFirstRequestWindow(60, time.Minute, faultNone))
		if c := resultOf(t, Check(p, seqOf(correct)), check.LimitEnforced); c.Status == check.Fail {
			t.Errorf("latency %v, a correct window: limit.enforced = fail %q", lat, c.Message)
		}
	}
}

// slowFirst is a latency of first for the first request, rest for the others.
func slowFirst(first, rest time.Duration) latencyModel {
	n := 0
	return func(*rand.Rand) (time.Duration, float64) {
		n++
		if n == 1 {
			return first, 0.5
		}
		return rest, 0.5
	}
}
