package attack

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
)

// TestShardsSendThePlanTogether starts three shards of one plan at a shared
// start time against a loopback server: together they send every request of
// the plan once, with the plan's sequence numbers, each near its due time
// (allowing the lateness measured on the unsharded requests of the same run),
// and each shard records the Date header a merge will need.
func TestShardsSendThePlanTogether(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	p := testPlan(
		plan.Phase{Name: "a", Rate: 60, Duration: 500 * time.Millisecond, Endpoint: "list", Key: "primary"},
		plan.Phase{Name: "b", Rate: 90, Duration: 300 * time.Millisecond, Endpoint: "list", Key: "primary", Burst: 3},
	)
	const n = 3
	startAt := time.Now().Add(200 * time.Millisecond)
	var mu sync.Mutex
	var all []results.Observation
	// While the shards send, measure how late this process's timers fire:
	// on a loaded machine a request is late by about as much.
	stopSampling := make(chan struct{})
	oversleep := make(chan time.Duration, 1)
	go func() {
		var worst time.Duration
		for {
			select {
			case <-stopSampling:
				oversleep <- worst
				return
			default:
			}
			t0 := time.Now()
			time.Sleep(2 * time.Millisecond)
			worst = max(worst, time.Since(t0)-2*time.Millisecond)
		}
	}()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			o := Options{Target: u, Keys: map[string]string{"primary": testKey}, Shard: plan.Shard{Index: i, Count: n}, StartAt: startAt}
			a, err := Start(context.Background(), p, o)
			if err != nil {
				t.Error(err)
				return
			}
			obs := collect(t, a, 10*time.Second)
			for _, ob := range obs {
				if int(ob.Seq%n) != i && ob.Phase == 0 {
					t.Errorf("shard %d sent request %d of phase a, outside its slice", i, ob.Seq)
				}
				if _, ok := ob.Header("Date"); !ok {
					t.Errorf("shard %d: request %d has no Date header recorded", i, ob.Seq)
				}
			}
			mu.Lock()
			all = append(all, obs...)
			mu.Unlock()
		})
	}
	wg.Wait()
	close(stopSampling)
	timerLate := <-oversleep
	slices.SortFunc(all, func(a, b results.Observation) int { return int(a.Seq) - int(b.Seq) })
	total := p.Phases[0].Requests + p.Phases[1].Requests
	if int64(len(all)) != total {
		t.Fatalf("the shards sent %d requests; the plan has %d", len(all), total)
	}
	// Lateness is judged against what was measured in this run: a request
	// may go out late by as long as the server takes to answer one, plus how
	// late the process's timers fired. Never early.
	var slowest time.Duration
	for _, o := range all {
		slowest = max(slowest, o.Latency)
	}
	tol := 10*time.Millisecond + 2*slowest + 2*timerLate
	for k, o := range all {
		if o.Seq != uint64(k) {
			t.Fatalf("request %d is missing or doubled (found seq %d at %d)", k, o.Seq, k)
		}
		ph := p.Phases[o.Phase]
		due := startAt.Add(ph.Start + ph.Due(o.Seq-p.FirstSeq(o.Phase)))
		if d := o.Sent.Sub(due); d < -time.Millisecond || d > tol {
			t.Errorf("request %d sent %v from its due time (tolerance %v)", o.Seq, d, tol)
		}
	}
}

// TestClockSkewShiftsWhatIsRecorded: a run told its clock reads 300 ms ahead
// records times 300 ms ahead of the real ones and starts when its own clock
// reads the start time, 300 ms early in real time.
func TestClockSkewShiftsWhatIsRecorded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	p := testPlan(plan.Phase{Name: "a", Rate: 20, Duration: 200 * time.Millisecond, Endpoint: "list", Key: "primary"})
	const skew = 300 * time.Millisecond
	startAt := time.Now().Add(500 * time.Millisecond)
	a, err := Start(context.Background(), p, Options{Target: u, Keys: map[string]string{"primary": testKey}, StartAt: startAt, ClockSkew: skew})
	if err != nil {
		t.Fatal(err)
	}
	first := time.Time{}
	obs := collect(t, a, 5*time.Second)
	for _, o := range obs {
		if first.IsZero() || o.Sent.Before(first) {
			first = o.Sent
		}
	}
	if !a.Started().Equal(startAt) {
		t.Errorf("Started = %v, want the start time on the skewed clock %v", a.Started(), startAt)
	}
	// On the skewed clock the first request is due at startAt; in real time
	// it went out at startAt - skew, so it cannot be recorded before startAt.
	if first.Before(startAt) || first.After(startAt.Add(100*time.Millisecond)) {
		t.Errorf("first request recorded at %v, want just after %v", first.Sub(startAt), startAt)
	}
	if now := time.Now(); !a.Started().Add(-skew).Before(now) {
		t.Errorf("the attack did not start %v early in real time", skew)
	}
}
