package matrix

import (
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance"
)

// jittered delays every request by a random time in [0, RATECHECK_MATRIX_JITTER)
// before h decides it, as a loaded server would, so that the matrix can be run
// with far more arrival uncertainty than loopback gives (requests overtake
// each other once the jitter exceeds the 25 ms between paced requests). Unset,
// h is returned as it is.
func jittered(h http.Handler) http.Handler {
	j, err := time.ParseDuration(os.Getenv("RATECHECK_MATRIX_JITTER"))
	if err != nil || j <= 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(time.Duration(rand.Int64N(int64(j))))
		h.ServeHTTP(w, r)
	})
}

// TestWantFor checks when a fault's check may pass with ambiguous decisions
// instead of failing: only when the run's latency reached the fault's margin.
func TestWantFor(t *testing.T) {
	if os.Getenv("RATECHECK_MATRIX_JITTER") != "" {
		t.Skip("RATECHECK_MATRIX_JITTER changes what off-by-one must give")
	}
	tests := []struct {
		fault      string
		maxLatency time.Duration
		want       []conformance.ID
	}{
		{"off-by-one", 10 * time.Millisecond, nil},
		{"off-by-one", 50 * time.Millisecond, ids(conformance.LimitEnforced)},
		{"early-reject", 60 * time.Millisecond, nil},
		{"early-reject", 400 * time.Millisecond, ids(conformance.LimitNoEarlyReject)},
		{"slow-recovery", time.Second, nil},
	}
	for _, tt := range tests {
		c := cell{family: families[0], fault: tt.fault}
		if got := wantFor(c, tt.maxLatency).orAmbiguous; !slices.Equal(got, tt.want) {
			t.Errorf("wantFor(%s, %v).orAmbiguous = %v; want %v", c, tt.maxLatency, got, tt.want)
		}
	}
}
