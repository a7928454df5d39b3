package conformance

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
)

// TestEnforcedSaysWhenLatencyHidesOneRequest: where the model frees quota as
// time passes (buckets, logs), an arrival time uncertain by longer than it
// takes to free one request can hide an off-by-one. limit.enforced must then
// not pass at 20/s (it is undecided, so the run is not a PASS, faulty or
// not), and at thousands a
// second, where a request or two is a negligible share, it passes saying to
// within how many requests.
func TestEnforcedSaysWhenLatencyHidesOneRequest(t *testing.T) {
	bucket, log := simFamilies[2], simFamilies[3]
	tests := []struct {
		name    string
		fam     simFamily
		n       int64
		f       fault
		lat     time.Duration
		want    check.Status
		message string
	}{
		{"bucket off-by-one, 300 ms", bucket, 20, faultOffByOne, 300 * time.Millisecond, check.Skip, "driven past the limit"},
		{"correct bucket, 300 ms", bucket, 20, faultNone, 300 * time.Millisecond, check.Skip, "none could show one request too many"},
		{"log off-by-one, 300 ms", log, 20, faultOffByOne, 300 * time.Millisecond, check.Skip, "none could show one request too many"},
		{"bucket off-by-one, 0.2 ms", bucket, 20, faultOffByOne, 200 * time.Microsecond, check.Fail, "admitted beyond the limit"},
		{"correct bucket, 0.2 ms", bucket, 20, faultNone, 200 * time.Microsecond, check.Pass, "judged cleanly"},
		{"correct bucket 2000/s, 3 ms", bucket, 2000, faultNone, 3 * time.Millisecond, check.Pass, "to within"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, v := simulate(tt.fam, tt.fam.algo, tt.n, tt.f, fixedLatency(tt.lat), uint64(tt.n))
			c := resultOf(t, v, check.LimitEnforced)
			if c.Status != tt.want || !strings.Contains(c.Message, tt.message) {
				t.Errorf("limit.enforced = %s (%s); want %s saying %q", c.Status, c.Message, tt.want, tt.message)
			}
			if tt.want == check.Skip && !c.Undecided {
				t.Errorf("limit.enforced skipped without Undecided: the run would pass on it")
			}
		})
	}
}

// TestEnforcedNeedsABurstFromFull: a bucket of N+1, drained to its refill
// rate, admits as a bucket of N does, so only a burst from a full bucket can
// show the extra request. Where that burst's arrival times are blurred (300
// ms answers for the first 60 requests) and the rest are sharp, the many
// rejection streaks at the refill rate, each judged cleanly, prove nothing
// of the capacity: limit.enforced is undecided, not a pass.
func TestEnforcedNeedsABurstFromFull(t *testing.T) {
	for _, f := range []fault{faultOffByOne, faultNone} {
		t.Run(string(f), func(t *testing.T) {
			calls := 0
			lat := func(*rand.Rand) (time.Duration, float64) {
				calls++
				if calls <= 60 {
					return 300 * time.Millisecond, 0.5
				}
				return 200 * time.Microsecond, 0.5
			}
			bucket := simFamilies[2]
			p := planOf(limitOf(20, time.Second, bucket.algo), standardPhases)
			obs := serve(client(p, []string{"k1"}, lat, 1), bucket.server(20, time.Second, f))
			c := resultOf(t, Check(p, seqOf(obs)), check.LimitEnforced)
			if c.Status == check.Pass || c.Status == check.Skip && !c.Undecided {
				t.Errorf("limit.enforced = %s, undecided %v (%s); want a failure or undecided", c.Status, c.Undecided, c.Message)
			}
		})
	}
}

// TestDelayedAnswersAreNotAmbiguous: a limiter that queues admitted requests
// (nginx's limit_req without nodelay) decides when a request arrives and
// answers it up to half a second later; rejections are answered at once.
// Their arrival is known as well as the rejections' round trip says, so a
// correct bucket passes limit.no-early-reject (with the point estimate at
// half of each latency, every rejection lay within the tolerance of an
// early one, and the check was undecided), and one rejecting early does not
// (it fails, or is undecided where the queue's wide answers leave the sure
// bounds room).
func TestDelayedAnswersAreNotAmbiguous(t *testing.T) {
	for _, tt := range []struct {
		f    fault
		want check.Status
	}{{faultNone, check.Pass}, {faultEarly, check.Fail}} {
		t.Run(string(tt.f), func(t *testing.T) {
			bucket := simFamilies[2]
			p := planOf(limitOf(20, time.Second, bucket.algo), standardPhases)
			obs := serve(client(p, []string{"k1"}, fixedLatency(time.Millisecond), 1), bucket.server(20, time.Second, tt.f))
			// Admitted requests leave a queue one per 50 ms, in order.
			var free time.Time
			for i := range obs {
				if !obs[i].Admitted() {
					continue
				}
				start := obs[i].Sent.Add(obs[i].Latency / 2)
				if start.Before(free) {
					obs[i].Latency += free.Sub(start)
					start = free
				}
				free = start.Add(50 * time.Millisecond)
			}
			c := resultOf(t, Check(p, seqOf(obs)), check.LimitNoEarlyReject)
			if c.Status != tt.want && !(tt.want == check.Fail && c.Undecided) {
				t.Errorf("limit.no-early-reject = %s, undecided %v (%s); want %s", c.Status, c.Undecided, c.Message, tt.want)
			}
		})
	}
}
