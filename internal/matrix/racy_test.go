package matrix

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance"
	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/internal/longtest"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/scenarios"
)

// racyWindow is a clock-aligned fixed window of limit requests per second whose
// check and increment race, as in a limiter that reads a counter from a store,
// decides, and writes it back: it reads the count, takes a millisecond (a store
// round trip), then admits if the count it read was under the limit and
// increments. Requests in flight together all read the same count, so a burst
// arriving at count limit−1 is admitted whole. The mutex keeps the race logical,
// not a data race, so the race detector stays quiet.
type racyWindow struct {
	limit int
	mu    sync.Mutex
	start time.Time // the current window's start
	count int
}

func (rw *racyWindow) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	seen := rw.read(time.Now())
	time.Sleep(time.Millisecond)
	if seen >= rw.limit {
		http.Error(w, `{"error":"too many requests"}`, http.StatusTooManyRequests)
		return
	}
	rw.increment(time.Now())
	w.WriteHeader(http.StatusOK)
}

// read returns the count of the window at now.
func (rw *racyWindow) read(now time.Time) int {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	rw.roll(now)
	return rw.count
}

// increment counts one admitted request in the window at now.
func (rw *racyWindow) increment(now time.Time) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	rw.roll(now)
	rw.count++
}

// roll starts a new window when now has left the current one.
func (rw *racyWindow) roll(now time.Time) {
	if ws := now.Truncate(time.Second); !ws.Equal(rw.start) {
		rw.start, rw.count = ws, 0
	}
}

// TestRacyLimiterNeedsBursts shows why the default plan sends bursts: the
// racy window fails limit.enforced under the plan plan.New derives (its
// over-burst phase puts several requests in flight at once), and passes when
// every request goes alone (23 ms apart, never in flight together).
//
// The limit is 22, not 20: the bursts are ⌊22/4⌋ = 5 requests, so a window
// that fills in bursts has one that arrives at count 20 < 22 and is admitted
// whole (25 in the window). With 20, bursts of 5 fill an empty window exactly
// and the race shows only when a burst straddles a window boundary or the
// window did not start empty.
func TestRacyLimiterNeedsBursts(t *testing.T) {
	t.Parallel()
	longtest.Skip(t, "two runs of the default plan, 12 s")
	sc, err := contract{requests: 22, algorithm: scenarios.AlgoFixedWindow}.parse()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(*plan.Plan)
		want check.Status
	}{
		{"default plan", nil, check.Fail},
		{"one request at a time", unburst, check.Pass},
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	got := make([]conformance.Verdict, len(tests))
	errs := make([]error, len(tests))
	var wg sync.WaitGroup
	for i, tt := range tests {
		// Each goroutine exits when its run has ended (about 8 s) or ctx is done.
		wg.Go(func() {
			_, out, err := serveAndRun(ctx, sc, &racyWindow{limit: 22}, tt.edit, nil)
			errs[i] = err
			if out != nil {
				got[i] = out.Verdict
			}
		})
	}
	wg.Wait()
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			logChecks(t, got[i])
			if s := status(got[i], check.LimitEnforced); s != tt.want {
				t.Errorf("racy window, %s: %s = %s; want %s", tt.name, check.LimitEnforced, s, tt.want)
			}
		})
	}
}

// unburst makes every phase of p send one request at a time.
func unburst(p *plan.Plan) {
	for i := range p.Phases {
		p.Phases[i].Burst = 0
	}
}

// status is the status of check id in v, or "" when v has none.
func status(v conformance.Verdict, id check.ID) check.Status {
	for _, c := range v.Checks {
		if c.ID == id {
			return c.Status
		}
	}
	return ""
}
