package contract

import (
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/scenarios"
)

// TestQuotaAllowance checks what a quota may admit over a run, per algorithm:
// a quota that may be a fixed window may have reset within the run (more
// than N is then no failure), a sliding one admits N, a bucket N plus its
// refill over the span, and an algorithm no family implements is an error.
func TestQuotaAllowance(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	tests := []struct {
		algo   scenarios.Algorithm
		want   int64
		window bool
		err    bool
	}{
		{scenarios.AlgoFixedWindow, 100, true, false},
		{scenarios.AlgoAny, 100, true, false},
		{"", 100, true, false},
		{scenarios.AlgoSlidingWindow, 100, false, false},
		{scenarios.AlgoTokenBucket, 100 + 5, false, false}, // 100 per hour refills 5 in 3 minutes
		{scenarios.AlgoGCRA, 105, false, false},
		{scenarios.AlgoLeakyBucket, 105, false, false},
		{"nonsense", 0, false, true},
	}
	for _, tt := range tests {
		s := &quotaSpent{q: &scenarios.Limit{Name: "hourly", Requests: 100, Window: time.Hour, Algorithm: tt.algo},
			first: t0, last: t0.Add(3 * time.Minute)}
		n, window, err := s.allowance()
		if n != tt.want || window != tt.window || (err != nil) != tt.err {
			t.Errorf("%q: allowance() = %d, %v, %v; want %d, %v, error %v", tt.algo, n, window, err, tt.want, tt.window, tt.err)
		}
	}
}
