package conformance

import (
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
		{"bucket off-by-one, 300 ms", bucket, 20, faultOffByOne, 300 * time.Millisecond, check.Skip, "none could show one request too many"},
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
