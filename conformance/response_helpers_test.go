package conformance

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// This file simulates servers that write rate-limit headers, for the response
// check tests. The limiters decide each request at its arrival (halfway
// through its latency), in arrival order, as a real server does; writers turn
// each decision into headers, and faulty writers change what they say.

// decision is what a server decided for one request, and when.
type decision struct {
	now    time.Time
	admit  bool
	rem    int64         // true remaining after this request
	reset  time.Time     // when the limit resets (window end, or a bucket full again)
	wait   time.Duration // for a rejection: until the next request would pass
	seq    int           // position of the request in send order
	status int
}

// hdrLimiter decides requests of one key.
type hdrLimiter interface {
	decide(at time.Time) decision
}

// clockWin is a fixed window of n per w aligned to the Unix epoch.
type clockWin struct {
	n     int64
	w     time.Duration
	start time.Time
	used  int64
}

func (f *clockWin) decide(at time.Time) decision {
	ws := time.Unix(0, at.UnixNano()/int64(f.w)*int64(f.w))
	if !ws.Equal(f.start) {
		f.start, f.used = ws, 0
	}
	end := ws.Add(f.w)
	if f.used < f.n {
		f.used++
		return decision{admit: true, rem: f.n - f.used, reset: end}
	}
	return decision{reset: end, wait: end.Sub(at)}
}

// tokenBkt is a token bucket of burst tokens refilled at rate per second.
type tokenBkt struct {
	rate, burst, tokens float64
	last                time.Time
}

func (b *tokenBkt) decide(at time.Time) decision {
	if b.last.IsZero() {
		b.tokens = b.burst
	} else {
		b.tokens = math.Min(b.burst, b.tokens+at.Sub(b.last).Seconds()*b.rate)
	}
	b.last = at
	admit := b.tokens >= 1
	if admit {
		b.tokens--
	}
	full := at.Add(time.Duration((b.burst - b.tokens) / b.rate * float64(time.Second)))
	wait := time.Duration(0)
	if !admit {
		wait = time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
	}
	return decision{admit: admit, rem: int64(b.tokens), reset: full, wait: wait}
}

// simReq is one request before the server decides it.
type simReq struct {
	sent    time.Time
	latency time.Duration
}

// paced returns n requests from offset at after base, gap apart.
func paced(at time.Duration, n int, gap, latency time.Duration) []simReq {
	out := make([]simReq, n)
	for i := range out {
		out[i] = simReq{sent: base.Add(at + time.Duration(i)*gap), latency: latency}
	}
	return out
}

// stdTraffic is a burst of 30 requests 1 ms apart (over a limit of 20 per 1 s
// window), a pause, and 10 more in the next window but one.
func stdTraffic() []simReq {
	return append(paced(0, 30, time.Millisecond, 200*time.Microsecond),
		paced(2500*time.Millisecond, 10, time.Millisecond, 200*time.Microsecond)...)
}

// writer writes the headers of one decided response.
type writer func(d decision) map[string]string

// answer decides reqs in arrival order with lim and returns the observations in
// send order, with the headers w writes and a JSON error body on 429s.
func answer(reqs []simReq, lim hdrLimiter, w writer) []results.Observation {
	order := make([]int, len(reqs))
	for i := range order {
		order[i] = i
	}
	arrival := func(i int) time.Time { return reqs[i].sent.Add(reqs[i].latency / 2) }
	slices.SortStableFunc(order, func(a, b int) int { return arrival(a).Compare(arrival(b)) })
	obs := make([]results.Observation, len(reqs))
	for _, i := range order {
		d := lim.decide(arrival(i))
		d.now, d.seq, d.status = arrival(i), i, 200
		if !d.admit {
			d.status = 429
		}
		obs[i] = results.Observation{Seq: uint64(i + 1), Endpoint: "list", KeyID: "k1", Sent: reqs[i].sent,
			Latency: reqs[i].latency, Status: d.status, Headers: w(d)}
		if !d.admit {
			obs[i].Body = `{"error":{"code":"RATE_LIMITED","message":"slow down"}}`
		}
	}
	return obs
}

// ceilUnix is t in Unix seconds, rounded up.
func ceilUnix(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}

// ceilSec is d in whole seconds, rounded up.
func ceilSec(d time.Duration) int64 { return int64(math.Ceil(d.Seconds())) }

// xrate writes X-RateLimit-Limit/Remaining/Reset (epoch seconds, rounded up)
// for a limit of n, and Retry-After on 429s.
func xrate(n int64) writer {
	return func(d decision) map[string]string {
		h := map[string]string{
			"X-Ratelimit-Limit":     strconv.FormatInt(n, 10),
			"X-Ratelimit-Remaining": strconv.FormatInt(d.rem, 10),
			"X-Ratelimit-Reset":     strconv.FormatInt(ceilUnix(d.reset), 10),
		}
		if !d.admit {
			h["Retry-After"] = strconv.FormatInt(max(1, ceilSec(d.wait)), 10)
		}
		return h
	}
}

// edit returns w with f applied to every response's headers.
func edit(w writer, f func(d decision, h map[string]string)) writer {
	return func(d decision) map[string]string {
		h := w(d)
		f(d, h)
		return h
	}
}

// hdrPlan tests a per-key limit of n per w with the headers promise h.
func hdrPlan(n int64, w time.Duration, algo scenarios.Algorithm, h scenarios.Headers) *plan.Plan {
	p := planOf(limitOf(n, w, algo), standardPhases)
	p.Scenario.Headers = h
	p.Scenario.Errors = []scenarios.ErrorShape{
		{Status: 429, Body: map[string]any{"error": map[string]any{"code": "string", "message": "string"}}},
	}
	return p
}

// xPromise promises X-RateLimit-* with epoch-second resets and Retry-After.
var xPromise = scenarios.Headers{Convention: headers.ConventionXRateLimit, ResetFormat: headers.ResetEpochSeconds,
	RetryAfter: true, OnErrors: true}

// stdPlan is hdrPlan for 20 per 1 s, fixed window, promising xPromise.
func stdPlan() *plan.Plan { return hdrPlan(20, time.Second, scenarios.AlgoFixedWindow, xPromise) }

// msPlan is stdPlan with resets promised in epoch milliseconds, fine enough
// that a response's claim tells whether its window had ended by the time
// it was answered (an epoch second cannot tell that of a 1 s window).
func msPlan() *plan.Plan {
	p := stdPlan()
	p.Scenario.Headers.ResetFormat = headers.ResetEpochMillis
	return p
}

// inMillis returns w with the reset written in epoch milliseconds.
func inMillis(w writer) writer {
	return edit(w, func(d decision, h map[string]string) {
		h["X-Ratelimit-Reset"] = strconv.FormatInt(d.reset.UnixMilli(), 10)
	})
}

// stdRun is stdTraffic answered by a correct 20-per-second clock window.
func stdRun(w writer) []results.Observation {
	return answer(stdTraffic(), &clockWin{n: 20, w: time.Second}, w)
}

// judgeID runs the checks and returns the result of one id.
func judgeID(t *testing.T, p *plan.Plan, obs []results.Observation, id check.ID) check.Result {
	t.Helper()
	return resultOf(t, Check(p, seqOf(obs)), id)
}

// wantResult fails t unless c has the status and its message contains part.
func wantResult(t *testing.T, c check.Result, status check.Status, part string) {
	t.Helper()
	if c.Status != status || !strings.Contains(c.Message, part) {
		t.Errorf("%s = %s %q; want %s containing %q", c.ID, c.Status, c.Message, status, part)
	}
}
