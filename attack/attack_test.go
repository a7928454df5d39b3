package attack

import (
	"context"
	"encoding/json"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

const testKey = "sk-test-4f1c9a"

func testScenario() *scenarios.Scenario {
	return &scenarios.Scenario{
		Name: "t",
		Auth: scenarios.Auth{Header: "Authorization", Scheme: "Bearer", Keys: []scenarios.Key{{ID: "primary", Env: "T_KEY"}}},
		Endpoints: []scenarios.Endpoint{
			{Name: "list", Method: "GET", Path: "/v1/items?limit=2"},
			{Name: "create", Method: "POST", Path: "/v1/items", Body: []byte(`{"name":"x"}`)},
		},
	}
}

func testPlan(phases ...plan.Phase) *plan.Plan {
	var start time.Duration
	for i := range phases {
		phases[i].Start = start
		start += phases[i].Duration
		phases[i].Requests = int64(phases[i].Rate * phases[i].Duration.Seconds())
	}
	return &plan.Plan{Scenario: testScenario(), Phases: phases}
}

// collect drains an attack's stream, failing the test if it does not end in time.
func collect(t *testing.T, a *Attack, within time.Duration) []results.Observation {
	t.Helper()
	var obs []results.Observation
	deadline := time.After(within)
	for {
		select {
		case o, ok := <-a.Observations():
			if !ok {
				return obs
			}
			obs = append(obs, o)
		case <-deadline:
			t.Fatalf("attack still running after %v (%d observations so far)", within, len(obs))
		}
	}
}

func TestStartSendsEveryPhaseOnSchedule(t *testing.T) {
	var unauthorized atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testKey {
			unauthorized.Add(1)
		}
		w.Header().Set("X-RateLimit-Remaining", "7")
		w.Header().Set("Retry-After", "1")
		w.Header().Set("X-Other", "not recorded")
		if r.Method == "POST" {
			w.WriteHeader(http.StatusTooManyRequests)
		}
		w.Write([]byte(strings.Repeat("b", 5000)))
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)

	p := testPlan(
		plan.Phase{Name: "under", Kind: scenarios.PhaseUnder, Rate: 40, Duration: 500 * time.Millisecond, Endpoint: "list", Key: "primary"},
		plan.Phase{Name: "pause", Kind: scenarios.PhasePause, Duration: 300 * time.Millisecond},
		plan.Phase{Name: "over", Kind: scenarios.PhaseOver, Rate: 100, Duration: 500 * time.Millisecond, Endpoint: "create", Key: "primary"},
	)
	a, err := Start(context.Background(), p, Options{Target: u, Keys: map[string]string{"primary": testKey}, MaxBody: 64})
	if err != nil {
		t.Fatal(err)
	}
	obs := collect(t, a, 20*time.Second)

	if len(obs) != 70 {
		t.Fatalf("got %d observations; want 70 (20 under + 50 over)", len(obs))
	}
	if n := unauthorized.Load(); n != 0 {
		t.Errorf("%d requests reached the server without the key", n)
	}
	seen := make(map[uint64]bool)
	for _, o := range obs {
		if seen[o.Seq] {
			t.Fatalf("seq %d appears twice", o.Seq)
		}
		seen[o.Seq] = true
		wantPhase, wantStatus, wantEndpoint := 0, 200, "list"
		if o.Seq >= 20 {
			wantPhase, wantStatus, wantEndpoint = 2, 429, "create"
		}
		if o.Phase != wantPhase || o.Status != wantStatus || o.Endpoint != wantEndpoint {
			t.Errorf("seq %d: phase %d status %d endpoint %q; want %d %d %q", o.Seq, o.Phase, o.Status, o.Endpoint, wantPhase, wantStatus, wantEndpoint)
		}
		if o.Phase == 2 && o.Sent.Before(a.Started().Add(800*time.Millisecond)) {
			t.Errorf("seq %d of the over phase sent at +%v; the phase starts at +800ms", o.Seq, o.Sent.Sub(a.Started()))
		}
		if o.Headers["X-Ratelimit-Remaining"] != "7" || o.Headers["Retry-After"] != "1" {
			t.Errorf("seq %d: headers %v; want X-Ratelimit-Remaining and Retry-After recorded", o.Seq, o.Headers)
		}
		if _, ok := o.Headers["X-Other"]; ok {
			t.Errorf("seq %d: recorded X-Other, which is not a rate-limit header", o.Seq)
		}
		if len(o.Body) != 64 {
			t.Errorf("seq %d: body snippet of %d bytes; want it bounded to 64", o.Seq, len(o.Body))
		}
		if o.Error != "" || o.KeyID != "primary" {
			t.Errorf("seq %d: error %q key %q; want no error and key id primary", o.Seq, o.Error, o.KeyID)
		}
		b, _ := json.Marshal(o)
		if strings.Contains(string(b), testKey) {
			t.Fatalf("observation %d contains the API key: %s", o.Seq, b)
		}
	}
	for seq := uint64(0); seq < 70; seq++ {
		if !seen[seq] {
			t.Errorf("seq %d missing", seq)
		}
	}
}

func TestStartStopsWhenCancelled(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	p := testPlan(plan.Phase{Name: "long", Kind: scenarios.PhaseUnder, Rate: 50, Duration: time.Minute, Endpoint: "list", Key: "primary"})

	ctx, cancel := context.WithCancel(context.Background())
	a, err := Start(ctx, p, Options{Target: u, Keys: map[string]string{"primary": testKey}})
	if err != nil {
		t.Fatal(err)
	}
	<-a.Observations() // the attack is under way
	cancel()
	obs := collect(t, a, 10*time.Second)
	if len(obs) >= 3000 {
		t.Errorf("got %d observations after cancel; want the attack to stop early", len(obs))
	}
}

func TestStartRecordsTransportErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	u, _ := url.Parse(srv.URL)
	srv.Close() // nothing listens any more
	p := testPlan(plan.Phase{Name: "under", Kind: scenarios.PhaseUnder, Rate: 100, Duration: 100 * time.Millisecond, Endpoint: "list", Key: "primary"})

	a, err := Start(context.Background(), p, Options{Target: u, Keys: map[string]string{"primary": testKey}, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	obs := collect(t, a, 20*time.Second)
	if len(obs) != 10 {
		t.Fatalf("got %d observations; want 10", len(obs))
	}
	for _, o := range obs {
		if o.Status != 0 || o.Error == "" {
			t.Errorf("seq %d: status %d error %q; want status 0 and the transport error", o.Seq, o.Status, o.Error)
		}
	}
}

func TestStartRejectsMissingKey(t *testing.T) {
	u, _ := url.Parse("http://127.0.0.1:1")
	p := testPlan(plan.Phase{Name: "under", Kind: scenarios.PhaseUnder, Rate: 10, Duration: time.Second, Endpoint: "list", Key: "primary"})
	_, err := Start(context.Background(), p, Options{Target: u})
	if err == nil || !strings.Contains(err.Error(), `no value for key "primary"`) {
		t.Errorf("Start without the key = %v; want an error naming the key", err)
	}
}

func TestJoinURL(t *testing.T) {
	tests := []struct{ base, path, want string }{
		{"http://127.0.0.1:8080", "/v1/items", "http://127.0.0.1:8080/v1/items"},
		{"https://api.example.com/v1/", "/projects", "https://api.example.com/v1/projects"},
		{"http://h/base", "/users?limit=2&offset=0", "http://h/base/users?limit=2&offset=0"},
	}
	for _, tt := range tests {
		u, _ := url.Parse(tt.base)
		if got := joinURL(u, tt.path); got != tt.want {
			t.Errorf("joinURL(%q, %q) = %q; want %q", tt.base, tt.path, got, tt.want)
		}
	}
}

func TestStartUnpacedPhaseRunsForItsDuration(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	p := testPlan(plan.Phase{Name: "flat-out", Kind: scenarios.PhaseOver, Rate: math.Inf(1), Duration: 300 * time.Millisecond, Endpoint: "list", Key: "primary"})
	p.Phases[0].Requests = 0 // as the planner leaves it: not known in advance

	a, err := Start(context.Background(), p, Options{Target: u, Keys: map[string]string{"primary": testKey}, Connections: 4})
	if err != nil {
		t.Fatal(err)
	}
	obs := collect(t, a, 20*time.Second)
	// 300 ms flat out on loopback is far more than a paced phase would send at
	// any rate the planner derives; the bound only rules out "stopped at once".
	if len(obs) < 50 {
		t.Fatalf("unpaced phase sent %d requests in 300ms; want it to keep sending until its duration ends", len(obs))
	}
	last := obs[0].Sent
	for _, o := range obs {
		if o.Sent.After(last) {
			last = o.Sent
		}
	}
	if d := last.Sub(a.Started()); d > 2*time.Second {
		t.Errorf("last request sent %v after the start; want the phase to stop at its 300ms duration", d)
	}
}

// TestStartEndsAPhaseOnTime asks a paced phase for more than this machine
// can send (1,000,000/s for 300 ms): it stops at its planned end, having sent
// fewer than planned, instead of sending until all 300,000 have gone out
// (which took tens of seconds before phases ended on time).
func TestStartEndsAPhaseOnTime(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	const rate, dur = 1e6, 300 * time.Millisecond
	p := testPlan(plan.Phase{Name: "too-fast", Kind: scenarios.PhaseOver, Rate: rate, Duration: dur, Requests: int64(rate * dur.Seconds()), Endpoint: "list", Key: "primary"})

	a, err := Start(context.Background(), p, Options{Target: u, Keys: map[string]string{"primary": testKey}, Connections: 4})
	if err != nil {
		t.Fatal(err)
	}
	obs := collect(t, a, 20*time.Second)
	if int64(len(obs)) >= p.Phases[0].Requests {
		t.Fatalf("sent all %d requests at %v/s; want the phase to end on time with fewer", len(obs), rate)
	}
	last := a.Started()
	for _, o := range obs {
		if o.Sent.After(last) {
			last = o.Sent
		}
	}
	// Requests sent after the phase's end plus its grace would be a
	// backlog: on loopback the last one goes out within a scheduling delay.
	if end := dur + phaseGrace; last.Sub(a.Started()) > end+time.Second {
		t.Errorf("last request sent %v after the start; want none after the phase's end (%v) but for scheduling delays", last.Sub(a.Started()), end)
	}
}

// TestStartBurstSendsConcurrently checks that a burst phase puts its groups in
// flight together: the server holds each request 100 ms, so one-by-one pacing
// at this rate would never have more than one in flight.
func TestStartBurstSendsConcurrently(t *testing.T) {
	var inFlight, peak atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
		inFlight.Add(-1)
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	p := testPlan(plan.Phase{Name: "over", Kind: scenarios.PhaseOver, Rate: 16, Duration: time.Second, Endpoint: "list", Key: "primary", Burst: 8})

	a, err := Start(context.Background(), p, Options{Target: u, Keys: map[string]string{"primary": testKey}, Connections: 8})
	if err != nil {
		t.Fatal(err)
	}
	obs := collect(t, a, 20*time.Second)
	if len(obs) != 16 {
		t.Fatalf("got %d observations; want 16", len(obs))
	}
	// Two groups of 8, 500 ms apart. Even a loaded machine starts most of a
	// group within the 100 ms each request is held.
	if got := peak.Load(); got < 4 {
		t.Errorf("at most %d requests were in flight together; want a burst of 8 to overlap", got)
	}
}

// TestStartCutsLongBodies checks that a 10 MB body and one that never ends
// cost a request no more than the snippet and a bounded drain: the request
// returns at once with its status, not at the timeout.
func TestStartCutsLongBodies(t *testing.T) {
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTooManyRequests)
		chunk := []byte(strings.Repeat("z", 32<<10))
		for n := 0; r.URL.Path == "/endless" || n < 320; n++ { // 10 MB, or endless
			if _, err := w.Write(chunk); err != nil {
				break
			}
			served.Add(int64(len(chunk)))
		}
	}))
	defer srv.Close()
	for _, path := range []string{"/big", "/endless"} {
		t.Run(path, func(t *testing.T) {
			served.Store(0)
			u, _ := url.Parse(srv.URL + path)
			p := testPlan(plan.Phase{Name: "over", Kind: scenarios.PhaseOver, Rate: 20, Duration: 250 * time.Millisecond, Endpoint: "list", Key: "primary"})
			p.Scenario.Endpoints[0].Path = ""
			a, err := Start(context.Background(), p, Options{Target: u, Keys: map[string]string{"primary": testKey}, Timeout: time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			obs := collect(t, a, 30*time.Second) // far less than the one-minute timeout
			for _, o := range obs {
				if o.Status != http.StatusTooManyRequests || len(o.Body) != DefaultMaxBody {
					t.Errorf("seq %d: status %d, %d body bytes, error %q; want 429 with a %d-byte snippet", o.Seq, o.Status, len(o.Body), o.Error, DefaultMaxBody)
				}
			}
			// What the server managed to write before the connections closed
			// is bounded by the socket buffers, not by the body.
			if n := served.Load(); n > int64(len(obs))*8<<20 {
				t.Errorf("the server wrote %d bytes for %d requests", n, len(obs))
			}
		})
	}
}

// TestStartRecordsAliasesUnderTheirNameAndNeverIgnored: the scenario's header
// aliases reach the run directory under the name they alias, and its ignored
// headers not at all, whatever the target sends.
func TestStartRecordsAliasesUnderTheirNameAndNeverIgnored(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Two gateways in turn, each with its own spelling, and a CDN's count.
		if n.Add(1)%2 == 0 {
			w.Header().Set("X-RateLimit-Remaining", "7")
		} else {
			w.Header().Set("X-Rate-Limit-Remaining", "7")
		}
		w.Header().Set("X-Cdn-RateLimit-Remaining", "99999")
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	p := testPlan(plan.Phase{Name: "under", Kind: scenarios.PhaseUnder, Rate: 40, Duration: 200 * time.Millisecond, Endpoint: "list", Key: "primary"})
	p.Scenario.Headers = scenarios.Headers{Convention: "x-ratelimit", Remaining: "X-RateLimit-Remaining",
		Aliases: map[string]string{"X-Rate-Limit-Remaining": "X-Ratelimit-Remaining"}, Ignore: []string{"X-Cdn-Ratelimit-Remaining"}}
	a, err := Start(context.Background(), p, Options{Target: u, Keys: map[string]string{"primary": testKey}})
	if err != nil {
		t.Fatal(err)
	}
	obs := collect(t, a, 10*time.Second)
	// A phase ends on time, so a starved machine sends fewer than the plan's
	// 8; the first two answers carry one spelling each.
	if len(obs) < 2 {
		t.Fatalf("%d observations; want at least 2 (the plan's 8 on a machine with time to send them)", len(obs))
	}
	for _, o := range obs {
		if want := map[string]string{"X-Ratelimit-Remaining": "7"}; !maps.Equal(o.Headers, want) {
			t.Errorf("seq %d recorded headers %v; want %v", o.Seq, o.Headers, want)
		}
	}
}
