package conformance

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/response"
	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// anyPlan is stdPlan with the algorithm left open.
func anyPlan() *plan.Plan { return hdrPlan(20, time.Second, scenarios.AlgoAny, xPromise) }

// remainingAs returns xrate(20) with Remaining replaced by f of the decision.
func remainingAs(f func(d decision) int64) writer {
	return edit(xrate(20), func(d decision, h map[string]string) {
		h["X-Ratelimit-Remaining"] = strconv.FormatInt(f(d), 10)
	})
}

func TestHeadersRemaining(t *testing.T) {
	tests := []struct {
		name   string
		plan   func() *plan.Plan
		w      writer
		status check.Status
		msgs   []string
	}{
		{"correct", stdPlan, xrate(20), check.Pass,
			[]string{"X-RateLimit-Remaining agreed with the admissions on 40 responses (39 consecutive pairs compared)"}},
		{"one more than the truth", msPlan, inMillis(remainingAs(func(d decision) int64 { return d.rem + 1 })), check.Fail, []string{
			"X-RateLimit-Remaining at the full limit right after an admission on 2 of 40 responses (first: 20 remaining right after an admission, the whole of the stated limit)",
			"X-RateLimit-Remaining said 1 remaining, next request got 429 (10 times)",
		}},
		// An epoch second cannot say whether a 1 s window had ended when a
		// full Remaining was written (see respRec.resetCome): only the 429s
		// after 1 remaining prove the lie.
		{"one more than the truth, resets in seconds", stdPlan, remainingAs(func(d decision) int64 { return d.rem + 1 }), check.Fail, []string{
			"X-RateLimit-Remaining said 1 remaining, next request got 429 (10 times)",
		}},
		{"one more than the truth, approximate", func() *plan.Plan {
			p := stdPlan()
			p.Scenario.Headers.Approximate, p.Scenario.Headers.Staleness = true, time.Second
			return p
		}, remainingAs(func(d decision) int64 { return d.rem + 1 }), check.Pass, []string{"stayed within bounds on 40 responses"}},
		{"a dip", msPlan, inMillis(remainingAs(func(d decision) int64 {
			if d.seq == 10 {
				return d.rem - 3
			}
			return d.rem
		})), check.Fail, []string{
			"fell faster than requests were admitted once (first: 6 after 10, with at most 1 request admitted in between)",
			"did not count down within a window once (first: 8 after 6 in the same window, with 1 request surely admitted in between)",
		}},
		{"a dip across a reset is only a fall", func() *plan.Plan {
			p := stdPlan()
			p.Scenario.Headers.Limit, p.Scenario.Headers.Remaining, p.Scenario.Headers.Reset = "X-RateLimit-Limit", "X-RateLimit-Remaining", ""
			return p
		}, remainingAs(func(d decision) int64 {
			if d.seq == 10 {
				return d.rem - 3
			}
			return d.rem
		}), check.Fail, []string{"X-RateLimit-Remaining fell faster than requests were admitted once (first: 6 after 10"}},
		{"0 one request early", stdPlan, remainingAs(func(d decision) int64 { return max(0, d.rem-1) }), check.Fail, []string{
			"X-RateLimit-Remaining said 0 remaining, next request was admitted before the reset (once)",
		}},
		{"0 one request early, any family", anyPlan, remainingAs(func(d decision) int64 { return max(0, d.rem-1) }), check.Pass, []string{"agreed with the admissions"}},
		{"always 0", stdPlan, remainingAs(func(decision) int64 { return 0 }), check.Fail, []string{
			"X-RateLimit-Remaining said 0 remaining, next request was admitted before the reset",
		}},
		// With the algorithm left open no window proves a 0 wrong, but the
		// run's own requests cannot have used the quota.
		{"always 0, any family", anyPlan, remainingAs(func(decision) int64 { return 0 }), check.Fail, []string{
			"X-RateLimit-Remaining said less was left than the run can have used 28 times (first: 0 remaining of 20, with at most 1 request of the run counted in the 2s before it)",
		}},
		{"two below the truth, any family", anyPlan, remainingAs(func(d decision) int64 { return max(0, d.rem-2) }), check.Fail, []string{
			"said less was left than the run can have used",
		}},
		{"two below the truth, sliding window", func() *plan.Plan {
			return hdrPlan(20, time.Second, scenarios.AlgoSlidingWindow, xPromise)
		}, remainingAs(func(d decision) int64 { return max(0, d.rem-2) }), check.Fail, []string{
			"said less was left than the run can have used",
		}},
		{"above the stated limit", stdPlan, remainingAs(func(d decision) int64 {
			if d.seq == 0 {
				return 25
			}
			return d.rem
		}), check.Fail, []string{"X-RateLimit-Remaining above the limit on 1 of 40 responses (first: 25 remaining is above the stated limit 20)"}},
		{"above the declared limit", stdPlan, edit(remainingAs(func(d decision) int64 { return d.rem + 2 }),
			func(d decision, h map[string]string) { delete(h, "X-Ratelimit-Limit") }),
			check.Fail, []string{"above the limit on 2 of 40 responses (first: 21 remaining is above the limit 20)"}},
		{"negative", stdPlan, edit(xrate(20), func(d decision, h map[string]string) {
			if d.seq == 3 {
				h["X-Ratelimit-Remaining"] = "-1"
			}
		}), check.Fail, []string{`X-RateLimit-Remaining unreadable on 1 of 40 responses (first: X-Ratelimit-Remaining: "-1" is not a non-negative integer)`}},
		{"missing", stdPlan, edit(xrate(20), func(d decision, h map[string]string) {
			if !d.admit {
				delete(h, "X-Ratelimit-Remaining")
			}
		}), check.Fail, []string{"X-RateLimit-Remaining missing on 10 of 40 responses"}},
		{"not promised", func() *plan.Plan {
			p := stdPlan()
			p.Scenario.Headers.Remaining, p.Scenario.Headers.Limit = "", "X-RateLimit-Limit"
			return p
		}, xrate(20), check.Skip, []string{"the scenario promises no Remaining header"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := judgeID(t, tt.plan(), stdRun(tt.w), check.HeadersRemaining)
			for _, m := range tt.msgs {
				wantResult(t, c, tt.status, m)
			}
		})
	}
}

// The two requests that prove a false Remaining are the evidence, each with
// its headers as received.
func TestHeadersRemainingEvidence(t *testing.T) {
	obs := stdRun(inMillis(remainingAs(func(d decision) int64 { return max(d.rem, 1) })))
	c := judgeID(t, msPlan(), obs, check.HeadersRemaining)
	if c.Evidence == nil || len(c.Evidence.Requests) < 3 {
		t.Fatalf("evidence = %+v; want the claim and the 429s", c.Evidence)
	}
	got := c.Evidence.Requests[:3]
	want := []struct {
		seq    uint64
		status int
		rem    string
		note   string
	}{
		{20, 200, "1", "said 1 remaining"},
		{21, 429, "1", "429 after 1 remaining, with at most 0 requests admitted in between"},
		{22, 429, "1", "429 after 1 remaining, with at most 0 requests admitted in between"},
	}
	for i, w := range want {
		g := got[i]
		if g.Seq != w.seq || g.Status != w.status || g.Headers["X-Ratelimit-Remaining"] != w.rem || g.Note != w.note {
			t.Errorf("evidence[%d] = seq %d, %d, Remaining %q, %q; want seq %d, %d, %q, %q",
				i, g.Seq, g.Status, g.Headers["X-Ratelimit-Remaining"], g.Note, w.seq, w.status, w.rem, w.note)
		}
	}
	// 10 findings of a 429 after 1 remaining, and the 1 that did not count
	// down from the 19th admission to the 20th: 9 findings fit, sharing 429s.
	if n, o := len(c.Evidence.Requests), c.Evidence.Omitted; n != 10 || o != 2 {
		t.Errorf("evidence lists %d requests and omits %d findings; want 10 and 2", n, o)
	}
}

// concurrent returns a burst of 60 requests and one of 30, 1 ms apart, that
// stay in flight 5-9 ms, so that many overlap and arrive out of send order.
func concurrent(seed uint64) []simReq {
	r := rand.New(rand.NewPCG(seed, 1))
	var out []simReq
	for k, at := range []time.Duration{0, 2500 * time.Millisecond} {
		for i := range 60 - 30*k {
			lat := 5*time.Millisecond + time.Duration(r.Int64N(int64(4*time.Millisecond)))
			out = append(out, simReq{sent: base.Add(at + time.Duration(i)*time.Millisecond), latency: lat})
		}
	}
	return out
}

// Overlapping requests make pairs ambiguous, never failures; a false value
// is still caught.
func TestHeadersRemainingConcurrent(t *testing.T) {
	for seed := range uint64(5) {
		obs := answer(concurrent(seed), &clockWin{n: 20, w: time.Second}, xrate(20))
		c := judgeID(t, stdPlan(), obs, check.HeadersRemaining)
		wantResult(t, c, check.Pass, "overlapped in flight, not compared")
		lied := answer(concurrent(seed), &clockWin{n: 20, w: time.Second}, remainingAs(func(d decision) int64 { return d.rem + 1 }))
		wantResult(t, judgeID(t, stdPlan(), lied, check.HeadersRemaining), check.Fail, "next request got 429")
	}
}

// A token bucket gives quota back between requests: the countdown allows the
// refill, for the declared family and for any.
func TestHeadersRemainingBucketRefill(t *testing.T) {
	reqs := append(paced(0, 40, 20*time.Millisecond, time.Millisecond), paced(3*time.Second, 20, 10*time.Millisecond, time.Millisecond)...)
	for _, algo := range []scenarios.Algorithm{scenarios.AlgoTokenBucket, scenarios.AlgoAny} {
		obs := answer(reqs, &tokenBkt{rate: 20, burst: 20}, xrate(20))
		c := judgeID(t, hdrPlan(20, time.Second, algo, xPromise), obs, check.HeadersRemaining)
		wantResult(t, c, check.Pass, "agreed with the admissions on 60 responses")
	}
	// A value that never falls is caught by the 429s it precedes: within one
	// pair, a refill of up to one request is always possible.
	stuck := answer(reqs, &tokenBkt{rate: 20, burst: 20}, remainingAs(func(decision) int64 { return 20 }))
	c := judgeID(t, hdrPlan(20, time.Second, scenarios.AlgoTokenBucket, xPromise), stuck, check.HeadersRemaining)
	wantResult(t, c, check.Fail, "said 20 remaining, next request got 429")
}

// With a delta reset the claims prove one window when they lie closer than the
// window: here 10 s windows with resets stated to the second.
func TestHeadersRemainingDeltaReset(t *testing.T) {
	draft := scenarios.Headers{Convention: headers.ConventionDraft, ResetFormat: headers.ResetDeltaSeconds, OnErrors: true}
	delta := func(rem func(d decision) int64) writer {
		return func(d decision) map[string]string {
			return map[string]string{"Ratelimit-Limit": "20", "Ratelimit-Remaining": strconv.FormatInt(rem(d), 10),
				"Ratelimit-Reset": strconv.FormatInt(ceilSec(d.reset.Sub(d.now)), 10)}
		}
	}
	reqs := append(paced(0, 30, 100*time.Millisecond, time.Millisecond), paced(12*time.Second, 10, 100*time.Millisecond, time.Millisecond)...)
	p := hdrPlan(20, 10*time.Second, scenarios.AlgoFixedWindow, draft)
	obs := answer(reqs, &clockWin{n: 20, w: 10 * time.Second}, delta(func(d decision) int64 { return d.rem }))
	wantResult(t, judgeID(t, p, obs, check.HeadersRemaining), check.Pass, "RateLimit-Remaining agreed with the admissions on 40 responses")
	halved := answer(reqs, &clockWin{n: 20, w: 10 * time.Second}, delta(func(d decision) int64 { return 10 + d.rem/2 }))
	wantResult(t, judgeID(t, p, halved, check.HeadersRemaining), check.Fail, "did not count down within a window")
}

// A 429 from another limit says nothing about the described one's Remaining.
func TestHeadersRemainingOtherLimit(t *testing.T) {
	p := hdrPlan(5, time.Second, scenarios.AlgoFixedWindow, xPromise)
	p.Scenario.Limits = append(p.Scenario.Limits, scenarios.Limit{Name: "per-day", Requests: 1000, Window: 24 * time.Hour,
		Scope: scenarios.ScopeKey, Algorithm: scenarios.AlgoFixedWindow})
	p.Scenario.Headers.Describes = "per-day"
	lim := &twoLimits{short: clockWin{n: 5, w: time.Second}, long: clockWin{n: 1000, w: 24 * time.Hour}}
	obs := answer(stdTraffic(), lim, xrate(1000))
	c := judgeID(t, p, obs, check.HeadersRemaining)
	if c.Limit != "per-day" {
		t.Errorf("headers.remaining judged limit %q; want per-day", c.Limit)
	}
	wantResult(t, c, check.Pass, "agreed with the admissions on 40 responses")
	// The plan charges the per-second limit beyond its budget: its 429s are
	// not the per-day limit's, even with charges present.
	p.Charges = []plan.Charge{{Limit: "per-second", Requests: 40, Budget: 5}, {Limit: "per-day", Requests: 40, Budget: 1000}}
	wantResult(t, judgeID(t, p, obs, check.HeadersRemaining), check.Pass, "agreed with the admissions")
}

// twoLimits admits a request when both windows do, and reports the long one.
type twoLimits struct{ short, long clockWin }

func (l *twoLimits) decide(at time.Time) decision {
	s := l.short
	if d := s.decide(at); !d.admit {
		return decision{rem: l.long.n - l.long.used, reset: l.long.start.Add(l.long.w), wait: d.wait}
	}
	l.short = s
	return l.long.decide(at)
}

// An approximate Remaining is judged by its staleness only.
func TestHeadersRemainingApproximate(t *testing.T) {
	approx := scenarios.Headers{Convention: headers.ConventionXRateLimit, Remaining: "X-RateLimit-Remaining",
		Limit: "X-RateLimit-Limit", Approximate: true, Staleness: 2 * time.Second, OnErrors: true}
	p := hdrPlan(1000, time.Hour, scenarios.AlgoFixedWindow, approx)
	reqs := paced(0, 80, 100*time.Millisecond, time.Millisecond)
	cached := func(ttl time.Duration) writer {
		var at time.Time
		var val int64
		return func(d decision) map[string]string {
			if at.IsZero() || d.now.Sub(at) >= ttl {
				at, val = d.now, d.rem
			}
			return map[string]string{"X-Ratelimit-Limit": "1000", "X-Ratelimit-Remaining": strconv.FormatInt(val, 10)}
		}
	}
	obs := answer(reqs, &clockWin{n: 1000, w: time.Hour}, cached(2*time.Second))
	wantResult(t, judgeID(t, p, obs, check.HeadersRemaining), check.Pass,
		"X-RateLimit-Remaining stayed within bounds on 80 responses and was never older than 2s")
	stale := answer(reqs, &clockWin{n: 1000, w: time.Hour}, cached(5*time.Second))
	wantResult(t, judgeID(t, p, stale, check.HeadersRemaining), check.Fail,
		"X-RateLimit-Remaining was older than the declared staleness of 2s once (first: still 999 3.20 s after it first appeared, 3.10 s after a later admission was answered)")
}

// Observations fed in any order give the same result, evidence included.
func TestResponseChecksSameHoweverFed(t *testing.T) {
	obs := stdRun(remainingAs(func(d decision) int64 { return max(0, d.rem-1) }))
	obs[4].Headers["X-Ratelimit-Limit"] = "x"
	delete(obs[22].Headers, "Retry-After")
	obs[25].Body = "oops"
	obs[12].Headers["X-Ratelimit-Reset"] = "soon"
	want := Check(stdPlan(), seqOf(obs))
	shuffled := append([]results.Observation(nil), obs...)
	rand.New(rand.NewPCG(7, 7)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	got := Check(stdPlan(), seqOf(shuffled))
	for _, id := range []check.ID{check.HeadersLimit, check.HeadersRemaining, check.HeadersReset, check.HeadersRetryAfter, check.BodyErrorFormat} {
		w, g := resultOf(t, want, id), resultOf(t, got, id)
		if w.Status != check.Fail {
			t.Errorf("%s = %s (%s); want fail", id, w.Status, w.Message)
		}
		if diff := cmp.Diff(w, g); diff != "" {
			t.Errorf("%s shuffled mismatch (-ordered +shuffled):\n%s", id, diff)
		}
	}
}

// Result may be asked for at any time; more observations judge again.
func TestResponseResultFollowsObservations(t *testing.T) {
	obs := stdRun(inMillis(remainingAs(func(d decision) int64 { return d.rem + 1 })))
	c := response.NewRemainingChecker(msPlan(), nil, describedModel(msPlan()))
	for _, o := range obs[:5] {
		c.Observe(o)
	}
	wantResult(t, c.Result(), check.Fail, "at the full limit right after an admission on 1 of 5 responses")
	for _, o := range obs[5:] {
		c.Observe(o)
	}
	wantResult(t, c.Result(), check.Fail, "said 1 remaining, next request got 429 (10 times)")
	wantResult(t, c.Result(), check.Fail, "at the full limit right after an admission on 2 of 40 responses")
}

// expiringWin is a window of n per w that starts at the first request after
// the last one expired, as ulule/limiter keeps it in Redis: a request in the
// key's last millisecond, told its expiry is not positive, is given the reset
// now + w, the next window's, though it was counted (and here rejected) in
// this one.
type expiringWin struct {
	n    int64
	w    time.Duration
	race time.Duration // how long before the end the race lasts (Redis's expiry checks)
	end  time.Time
	used int64
}

func (f *expiringWin) decide(at time.Time) decision {
	if !at.Before(f.end) {
		f.end, f.used = at.Add(f.w), 0
	}
	reset := f.end
	if f.end.Sub(at) <= f.race {
		reset = at.Add(f.w)
	}
	if f.used < f.n {
		f.used++
		return decision{admit: true, rem: f.n - f.used, reset: reset}
	}
	return decision{reset: reset, wait: f.end.Sub(at)}
}

// A request counted in a window's last millisecond but told the next
// window's reset (ulule/limiter's Redis store, F6) says nothing about the
// next window: the admission after it, in the next window with the same
// reset, is no admission after 0, and its Remaining no rise within a window.
func TestHeadersRemainingRaceAtTheEnd(t *testing.T) {
	tests := []struct {
		name  string
		first int // requests at the window's start: 30 exhaust it, 5 do not
		race  time.Duration
		races int // answers that name the next window's reset in the window
	}{
		{"rejected", 30, time.Millisecond, 1},
		{"admitted", 5, time.Millisecond, 1},
		{"a burst rejected", 30, 3500 * time.Microsecond, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reqs := append(paced(0, tt.first, time.Millisecond, 200*time.Microsecond),
				paced(997*time.Millisecond, 8, time.Millisecond, 200*time.Microsecond)...)
			obs := answer(reqs, &expiringWin{n: 20, w: time.Second, race: tt.race}, xrate(20))
			// The race: the answers in the window's last 1 or 3.5 ms (999.1,
			// 998.1, 997.1 ms) name the reset of the answers after its end
			// at 1000.1 ms.
			next := obs[tt.first+3]
			if next.Status != 200 || next.Headers["X-Ratelimit-Remaining"] != "19" {
				t.Fatalf("the next window does not start at 1000.1 ms: %v", next)
			}
			races := 0
			for _, o := range obs[tt.first : tt.first+3] {
				if o.Headers["X-Ratelimit-Reset"] == next.Headers["X-Ratelimit-Reset"] {
					races++
				}
			}
			if races != tt.races {
				t.Fatalf("%d answers name the next window's reset; want %d", races, tt.races)
			}
			for _, algo := range []scenarios.Algorithm{scenarios.AlgoFixedWindow, scenarios.AlgoAny} {
				c := judgeID(t, hdrPlan(20, time.Second, algo, xPromise), obs, check.HeadersRemaining)
				wantResult(t, c, check.Pass, fmt.Sprintf("agreed with the admissions on %d responses", len(obs)))
			}
		})
	}
}

// hdrLog is a sliding log that admits while fewer than n admissions lie in the last w.
type hdrLog struct {
	n   int
	w   time.Duration
	log []time.Time
}

func (l *hdrLog) decide(at time.Time) decision {
	for len(l.log) > 0 && !l.log[0].Add(l.w).After(at) {
		l.log = l.log[1:]
	}
	if len(l.log) < l.n {
		l.log = append(l.log, at)
		return decision{admit: true, rem: int64(l.n - len(l.log)), reset: l.log[0].Add(l.w)}
	}
	return decision{reset: l.log[0].Add(l.w), wait: l.log[0].Add(l.w).Sub(at)}
}

// hdrCounter is Cloudflare's sliding-window counter on clock-aligned
// windows: it admits while prev·(1−f) + curr < n, and says n less that
// estimate, rounded up, remains.
type hdrCounter struct {
	n          float64
	w          time.Duration
	start      time.Time
	prev, curr float64
}

func (c *hdrCounter) decide(at time.Time) decision {
	ws := time.Unix(0, at.UnixNano()/int64(c.w)*int64(c.w))
	switch {
	case ws.Equal(c.start):
	case ws.Equal(c.start.Add(c.w)):
		c.start, c.prev, c.curr = ws, c.curr, 0
	default:
		c.start, c.prev, c.curr = ws, 0, 0
	}
	f := float64(at.Sub(ws)) / float64(c.w)
	est := c.prev*(1-f) + c.curr
	end := ws.Add(c.w)
	if est >= c.n {
		return decision{reset: end, wait: end.Sub(at)}
	}
	c.curr++
	return decision{admit: true, rem: max(0, int64(math.Floor(c.n-est-1))), reset: end}
}

// Correct limiters of every family keep the budget with the algorithm left
// open, in a steady stream at half the limit, at twice it, and in bursts.
func TestHeadersRemainingBudgetCorrectLimiters(t *testing.T) {
	traffic := map[string][]simReq{
		"half the limit":  paced(0, 60, 100*time.Millisecond, time.Millisecond),
		"twice the limit": paced(0, 120, 25*time.Millisecond, time.Millisecond),
		"bursts":          append(stdTraffic(), paced(4*time.Second, 30, time.Millisecond, 5*time.Millisecond)...),
		// The clock's windows start 877 ms after base: a burst there still
		// weighs in the counter's estimate a window later, though older
		// than a window.
		"a burst, then a window later": append(paced(877*time.Millisecond, 10, time.Millisecond, time.Millisecond),
			paced(1927*time.Millisecond, 5, 20*time.Millisecond, time.Millisecond)...),
	}
	limiters := map[string]func() hdrLimiter{
		"fixed window":    func() hdrLimiter { return &clockWin{n: 20, w: time.Second} },
		"sliding log":     func() hdrLimiter { return &hdrLog{n: 20, w: time.Second} },
		"sliding counter": func() hdrLimiter { return &hdrCounter{n: 20, w: time.Second} },
		"token bucket":    func() hdrLimiter { return &tokenBkt{rate: 20, burst: 20} },
	}
	for tname, reqs := range traffic {
		for lname, lim := range limiters {
			t.Run(lname+"/"+tname, func(t *testing.T) {
				obs := answer(reqs, lim(), xrate(20))
				c := judgeID(t, anyPlan(), obs, check.HeadersRemaining)
				if c.Status != check.Pass {
					t.Errorf("headers.remaining = %s %q; want pass", c.Status, c.Message)
				}
			})
		}
	}
}

// In a burst at the window's end the race's 429 can be sent after an
// answer of the next window: sent at 998.9 ms and answered slowly, the
// first arrives at 1000.9 ms and opens the next window (Remaining 19);
// sent at 999.0 ms, the second arrives at once, in the last millisecond,
// and is rejected with the next window's reset. Send order is not the order
// of decisions: the 429 still says nothing about the next window.
func TestHeadersRemainingRaceOutOfOrder(t *testing.T) {
	reqs := append(paced(0, 30, time.Millisecond, 200*time.Microsecond),
		simReq{sent: base.Add(998900 * time.Microsecond), latency: 4 * time.Millisecond},
		simReq{sent: base.Add(999000 * time.Microsecond), latency: 200 * time.Microsecond})
	reqs = append(reqs, paced(1005*time.Millisecond, 5, time.Millisecond, 200*time.Microsecond)...)
	obs := answer(reqs, &expiringWin{n: 20, w: time.Second, race: time.Millisecond}, xrate(20))
	opener, race := obs[30], obs[31]
	if opener.Status != 200 || race.Status != 429 || opener.Headers["X-Ratelimit-Reset"] != race.Headers["X-Ratelimit-Reset"] {
		t.Fatalf("the traffic does not show the race out of order: %v then %v", opener, race)
	}
	for _, algo := range []scenarios.Algorithm{scenarios.AlgoFixedWindow, scenarios.AlgoAny} {
		c := judgeID(t, hdrPlan(20, time.Second, algo, xPromise), obs, check.HeadersRemaining)
		wantResult(t, c, check.Pass, fmt.Sprintf("agreed with the admissions on %d responses", len(obs)))
	}
}

// A limiter that reads its window's statistics after deciding (the Python
// limits library under Flask-Limiter) may find the window ended in between:
// the request counted in the old window is answered with the new window's
// full quota and a reset of now, or (Flask-Limiter, which writes a reset
// as int(reset)+1) with the ended window's reset a second late. Either
// reset may have come by the receipt, so the full Remaining is no lie; the
// same full Remaining with a reset that no window it may have been read in
// has (two seconds ahead) is one.
func TestHeadersRemainingReadAfterTheWindowEnded(t *testing.T) {
	end := base.Truncate(time.Second).Add(2 * time.Second) // a window's end, on the epoch's seconds
	// Ten requests in the window before end, one arriving 1 ms before it and
	// answered 1 ms after, and five in the next window.
	reqs := paced(end.Sub(base)-600*time.Millisecond, 10, 50*time.Millisecond, 2*time.Millisecond)
	reqs = append(reqs, simReq{sent: end.Add(-2 * time.Millisecond), latency: 2 * time.Millisecond})
	reqs = append(reqs, paced(end.Sub(base)+100*time.Millisecond, 5, 50*time.Millisecond, 2*time.Millisecond)...)
	lastBeforeEnd := func(d decision) bool {
		return d.admit && d.now.Before(end) && d.now.After(end.Add(-2*time.Millisecond))
	}
	readAfter := func(resetAt func(d decision) time.Time) writer {
		return edit(xrate(20), func(d decision, h map[string]string) {
			if lastBeforeEnd(d) {
				h["X-Ratelimit-Remaining"] = "20"
				h["X-Ratelimit-Reset"] = strconv.FormatInt(resetAt(d).Unix(), 10)
			}
		})
	}
	stats := func(d decision) time.Time { return d.now.Add(time.Millisecond) } // now, read after the end
	obs := answer(reqs, &clockWin{n: 20, w: time.Second}, readAfter(stats))
	wantResult(t, judgeID(t, stdPlan(), obs, check.HeadersRemaining), check.Pass, "agreed with the admissions")

	flask := func(d decision) time.Time { return d.reset.Add(time.Second) } // int(reset)+1 of a reset on the second
	late := answer(reqs, &clockWin{n: 20, w: time.Second}, readAfter(flask))
	wantResult(t, judgeID(t, stdPlan(), late, check.HeadersRemaining), check.Pass, "agreed with the admissions")

	ahead := func(d decision) time.Time { return d.reset.Add(2 * time.Second) } // past the next window's reset
	lie := answer(reqs, &clockWin{n: 20, w: time.Second}, readAfter(ahead))
	wantResult(t, judgeID(t, stdPlan(), lie, check.HeadersRemaining), check.Fail,
		"at the full limit right after an admission on 1 of 16 responses")
}

// Only a family that frees everything at once (a fixed window's end) can
// give back the admission just made between the decision and the header's
// reading. A token bucket refills a unit at a time, so a full Remaining
// right after an admission is a lie even where its second-resolution reset
// ("full at") may have come: behind a 50 ms link, where the 429s after
// Remaining 1 overlap in flight and prove nothing, that rule alone caught
// the fault matrix's wrong-remaining on the buckets. With the algorithm left
// open a fixed window may explain it, so it is no finding there.
func TestHeadersRemainingFullAfterAdmissionByFamily(t *testing.T) {
	obs := answer(stdTraffic(), &tokenBkt{rate: 20, burst: 20}, remainingAs(func(d decision) int64 { return d.rem + 1 }))
	full := "at the full limit right after an admission"
	bucket := judgeID(t, hdrPlan(20, time.Second, scenarios.AlgoTokenBucket, xPromise), obs, check.HeadersRemaining)
	wantResult(t, bucket, check.Fail, full)
	if open := judgeID(t, anyPlan(), obs, check.HeadersRemaining); strings.Contains(open.Message, full) {
		t.Errorf("algorithm any: headers.remaining = %s %q; want no full-limit finding", open.Status, open.Message)
	}
}
