package conformance

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/internal/longtest"
	"github.com/ratecheck/ratecheck/scenarios"
)

// spikyLatency is jitter around d with a latency spike of up to 3 s in one
// request of fifty, and arrival anywhere within the latency.
func spikyLatency(d time.Duration) latencyModel {
	return func(r *rand.Rand) (time.Duration, float64) {
		l := d/2 + time.Duration(r.Int64N(int64(d)))
		if r.IntN(50) == 0 {
			l = time.Duration(r.Int64N(int64(3 * time.Second)))
		}
		return l, 0.05 + r.Float64()*0.9
	}
}

// A verdict must never be wrong on a correct limiter: whatever the family,
// limit, window, burst, number of keys, alignment, jitter, latency spikes, and
// requests that time out after the server counted them.
func TestCheckNeverFailsCorrectLimiters(t *testing.T) {
	seeds := 3 // the default suite's share; the long tests try more
	switch {
	case testing.Short():
		seeds = 2
	case longtest.Enabled():
		seeds = 10
	}
	if s := os.Getenv("CONFORMANCE_SEEDS"); s != "" {
		seeds, _ = strconv.Atoi(s)
	}
	for seed := range seeds {
		for _, w := range []time.Duration{time.Second, time.Minute} {
			for _, n := range []int64{1, 7, 60, 300} {
				r := rand.New(rand.NewPCG(uint64(seed), uint64(n)))
				burst := n
				if seed%2 == 1 {
					burst = 3*n + 1
				}
				keys := []string{"k0", "k1", "k2"}[:1+seed%3]
				lat := spikyLatency(time.Duration(1+r.IntN(30)) * time.Millisecond)
				offset := time.Duration(r.Int64N(int64(w)))
				servers := []struct {
					name string
					algo scenarios.Algorithm
					srv  server
				}{
					{"clock-window", scenarios.AlgoFixedWindow, newClockWindow(n, w, base.Add(offset), faultNone)},
					{"first-request-window", scenarios.AlgoFixedWindow, newFirstRequestWindow(n, w, faultNone)},
					{"token-bucket", scenarios.AlgoTokenBucket, newTokenBucket(float64(burst), float64(n)/w.Seconds(), faultNone)},
					{"sliding-log", scenarios.AlgoSlidingWindow, newSlidingLog(n, w, faultNone)},
					{"sliding-counter", scenarios.AlgoSlidingWindow, newSlidingCounter(n, w, base.Add(offset), seed%2 == 0, faultNone)},
				}
				for _, sv := range servers {
					l := limitOf(n, w, sv.algo)
					l.Burst = burst
					p := planOf(l, scaled(standardPhases, w))
					obs := serve(client(p, keys, lat, uint64(seed)), sv.srv)
					for i := range obs {
						if i%17 == 3 { // timed out after the server counted it
							obs[i].Status, obs[i].Error = 0, "timeout"
						}
					}
					for _, algo := range []scenarios.Algorithm{sv.algo, scenarios.AlgoAny} {
						p.Scenario.Limits[0].Algorithm = algo
						if v := Check(p, seqOf(obs)); v.Status != check.Pass {
							t.Errorf("%s %s n=%d w=%v seed=%d keys=%d: verdict %s; want pass:\n%s",
								sv.name, algo, n, w, seed, len(keys), v.Status, failures(v))
						}
					}
				}
			}
		}
	}
}

// scaled stretches a schedule written for a 1 s window to window w.
func scaled(specs []phaseSpec, w time.Duration) []phaseSpec {
	out := make([]phaseSpec, len(specs))
	for i, s := range specs {
		s.dur = time.Duration(float64(s.dur) * w.Seconds())
		out[i] = s
	}
	return out
}

func failures(v Verdict) string {
	var s string
	for _, c := range v.Checks {
		if c.Status == check.Fail {
			s += fmt.Sprintf("  %s: %s\n", c.ID, c.Message)
		}
	}
	return s
}
