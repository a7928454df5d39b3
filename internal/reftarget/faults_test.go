package reftarget

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/scenarios"
)

func TestParseFault(t *testing.T) {
	for _, f := range Faults() {
		got, err := ParseFault(f.String())
		if err != nil || got != f {
			t.Errorf("ParseFault(%q) = %v, %v; want %v", f, got, err, f)
		}
		if f.Description() == "" {
			t.Errorf("%v.Description() is empty", f)
		}
	}
	if len(Faults()) != 14 {
		t.Errorf("len(Faults()) = %d; want 14", len(Faults()))
	}
	_, err := ParseFault("off-by-two")
	if !errors.Is(err, ErrUnknownFault) {
		t.Errorf("ParseFault(off-by-two) = %v; want ErrUnknownFault", err)
	}
}

// promising is a scenario whose headers and Retry-After make every fault visible.
func promising(edit ...func(*scenarios.Scenario)) *scenarios.Scenario {
	h := scenarios.Headers{Convention: headers.ConventionXRateLimit, ResetFormat: headers.ResetDeltaSeconds, RetryAfter: true, OnErrors: true}
	return scenario(append([]func(*scenarios.Scenario){withHeaders(h)}, edit...)...)
}

func TestCountingFaults(t *testing.T) {
	tests := []struct {
		fault    string
		algo     scenarios.Algorithm
		admitted int
	}{
		{"off-by-one", scenarios.AlgoFixedWindow, 21},
		{"off-by-one", scenarios.AlgoSlidingWindow, 21},
		{"off-by-one", scenarios.AlgoTokenBucket, 21},
		{"early-reject", scenarios.AlgoFixedWindow, 18},
		{"early-reject", scenarios.AlgoGCRA, 18},
	}
	for _, tt := range tests {
		t.Run(tt.fault+"/"+string(tt.algo), func(t *testing.T) {
			srv, _ := server(t, promising(), newClock(), Fault(tt.fault), Algorithm(tt.algo))
			rs := burst(t, srv, "k-primary", 30)
			if got := countStatus(rs, 200); got != tt.admitted {
				t.Errorf("%s: admitted %d of a burst of 30 at 20/s; want %d", tt.fault, got, tt.admitted)
			}
			// Remaining counts down as the contract says, whatever the bug admits.
			for i, want := range []string{"19", "18", "17"} {
				if got := rs[i].header.Get("X-Ratelimit-Remaining"); got != want {
					t.Errorf("%s: request %d Remaining = %s; want %s", tt.fault, i+1, got, want)
				}
			}
		})
	}
}

func TestSlowRecoveryWindow(t *testing.T) {
	clk := newClock()
	srv, _ := server(t, promising(), clk, Fault("slow-recovery"))
	if got := countStatus(burst(t, srv, "k-primary", 30), 200); got != 20 {
		t.Fatalf("admitted %d of 30; want 20 (same count per window)", got)
	}
	clk.Set(base.Add(500 * time.Millisecond)) // same window, still boxed
	if r := send(t, srv, "GET", "/v1/clients", "k-primary"); r.status != 429 {
		t.Errorf("at +0.5 s: %d; want 429", r.status)
	}
	clk.Set(base.Add(time.Second)) // promised recovery
	if r := send(t, srv, "GET", "/v1/clients", "k-primary"); r.status != 429 || r.header.Get("Retry-After") != "1" {
		t.Errorf("after the promised 1 s: %d, Retry-After %q; want 429, 1 (boxed for 2 s from the first rejection)", r.status, r.header.Get("Retry-After"))
	}
	clk.Set(base.Add(2 * time.Second))
	if r := send(t, srv, "GET", "/v1/clients", "k-primary"); r.status != 200 {
		t.Errorf("after 2 s: %d; want 200", r.status)
	}
}

func TestSlowRecoveryBucket(t *testing.T) {
	for _, a := range []scenarios.Algorithm{scenarios.AlgoTokenBucket, scenarios.AlgoGCRA, scenarios.AlgoLeakyBucket} {
		t.Run(string(a), func(t *testing.T) {
			clk := newClock()
			sc := promising(withLimit(func(l *scenarios.Limit) { l.Recovery = time.Second }))
			srv, _ := server(t, sc, clk, Fault("slow-recovery"), Algorithm(a))
			rs := burst(t, srv, "k-primary", 21)
			if got := countStatus(rs, 200); got != 20 {
				t.Fatalf("admitted %d of 21; want 20", got)
			}
			if got := rs[20].header.Get("Retry-After"); got != "2" {
				t.Errorf("first 429 Retry-After = %q; want 2 (the penalty box)", got)
			}
			clk.Set(base.Add(1500 * time.Millisecond)) // the bucket is full again
			if r := send(t, srv, "GET", "/v1/clients", "k-primary"); r.status != 429 {
				t.Errorf("at +1.5 s = %d; want 429 (boxed for 2 s from the first rejection)", r.status)
			}
			clk.Set(base.Add(2 * time.Second))
			if got := countStatus(burst(t, srv, "k-primary", 20), 200); got != 20 {
				t.Errorf("at +2 s admitted %d of 20; want 20", got)
			}
		})
	}
}

// transcript runs a fixed script (a burst of 25, then 3 more after the window)
// and returns what each answer looked like.
func transcript(t *testing.T, opts ...Option) []response {
	t.Helper()
	clk := newClock()
	sc := promising(func(sc *scenarios.Scenario) {
		sc.Errors = []scenarios.ErrorShape{{Status: 429, Body: map[string]any{"error": "string"}}}
	})
	srv, _ := server(t, sc, clk, opts...)
	rs := burst(t, srv, "k-primary", 25)
	clk.Set(base.Add(1200 * time.Millisecond))
	rs = append(rs, burst(t, srv, "k-primary", 3)...)
	for i := range rs {
		delete(rs[i].header, "Date")
	}
	return rs
}

// TestHeaderFaultsChangeOnlyWhatTheyName compares each header fault's transcript
// with the faultless one, after undoing exactly what the fault names.
func TestHeaderFaultsChangeOnlyWhatTheyName(t *testing.T) {
	want := transcript(t)
	tests := []struct {
		fault string
		undo  func(r *response) // turn the faulty answer back into the correct one
	}{
		{"wrong-remaining", func(r *response) {
			n, err := strconv.Atoi(r.header.Get("X-Ratelimit-Remaining"))
			if err != nil {
				t.Fatalf("wrong-remaining: Remaining %q: %v", r.header.Get("X-Ratelimit-Remaining"), err)
			}
			r.header.Set("X-Ratelimit-Remaining", strconv.Itoa(n-1))
		}},
		{"missing-headers", func(r *response) {
			for _, name := range []string{"X-Ratelimit-Limit", "X-Ratelimit-Remaining", "X-Ratelimit-Reset"} {
				if _, ok := r.header[name]; ok {
					t.Errorf("missing-headers: answer has %s", name)
				}
			}
		}},
		{"status-503", func(r *response) {
			if r.status == http.StatusServiceUnavailable {
				r.status = http.StatusTooManyRequests
			}
		}},
		{"no-retry-after", func(r *response) {
			if _, ok := r.header["Retry-After"]; ok {
				t.Errorf("no-retry-after: answer %d has Retry-After", r.status)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.fault, func(t *testing.T) {
			got := transcript(t, Fault(tt.fault))
			for i := range got {
				tt.undo(&got[i])
			}
			ignore := func(k string) bool { return false }
			switch tt.fault { // what the fault removes, compared above
			case "missing-headers":
				ignore = func(k string) bool { return k != "Retry-After" && k != "Content-Type" && k != "Content-Length" }
			case "no-retry-after":
				ignore = func(k string) bool { return k == "Retry-After" }
			}
			for i := range got {
				if diff := cmp.Diff(strip(want[i], ignore), strip(got[i], ignore), cmp.AllowUnexported(response{})); diff != "" {
					t.Errorf("answer %d differs beyond the fault (-want +got):\n%s", i+1, diff)
				}
			}
		})
	}
}

func strip(r response, ignore func(string) bool) response {
	h := http.Header{}
	for k, v := range r.header {
		if !ignore(k) {
			h[k] = v
		}
	}
	r.header = h
	return r
}

func TestStatus503KeepsBodyAndHeaders(t *testing.T) {
	got := transcript(t, Fault("status-503"))
	r := got[24]
	if r.status != 503 || r.body != `{"error":"rate limit exceeded"}` || r.header.Get("Retry-After") != "1" || r.header.Get("X-Ratelimit-Remaining") != "0" {
		t.Errorf("limited answer = %d %s %v; want 503 with the 429 body, Retry-After and headers", r.status, r.body, r.header)
	}
}

func TestSeveralFaults(t *testing.T) {
	srv, _ := server(t, promising(), newClock(), Fault("off-by-one"), Fault("status-503"), Fault("no-retry-after"))
	rs := burst(t, srv, "k-primary", 22)
	if got := countStatus(rs, 200); got != 21 {
		t.Errorf("admitted %d; want 21", got)
	}
	if r := rs[21]; r.status != 503 || r.header.Get("Retry-After") != "" {
		t.Errorf("limited answer = %d, Retry-After %q; want 503 without Retry-After", r.status, r.header.Get("Retry-After"))
	}
}
