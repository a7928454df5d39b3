package conformance

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/scenarios"
)

// resetAs returns xrate(20) with the reset header replaced by f of the decision.
func resetAs(f func(d decision) string) writer {
	return edit(xrate(20), func(d decision, h map[string]string) { h["X-Ratelimit-Reset"] = f(d) })
}

// retrying is a burst over the limit, then a request every 250 ms for 6 s.
func retrying() []simReq {
	return append(paced(0, 30, time.Millisecond, 200*time.Microsecond),
		paced(250*time.Millisecond, 24, 250*time.Millisecond, 200*time.Microsecond)...)
}

func TestHeadersReset(t *testing.T) {
	withFormat := func(f headers.ResetFormat) func() *plan.Plan {
		return func() *plan.Plan {
			p := stdPlan()
			p.Scenario.Headers.ResetFormat = f
			return p
		}
	}
	floor := resetAs(func(d decision) string { return strconv.FormatInt(d.reset.Unix(), 10) })
	delta := resetAs(func(d decision) string { return strconv.FormatInt(ceilSec(d.reset.Sub(d.now)), 10) })
	tests := []struct {
		name   string
		plan   func() *plan.Plan
		reqs   []simReq
		w      writer
		status check.Status
		msg    string
	}{
		{"correct", stdPlan, stdTraffic(), xrate(20), check.Pass,
			"X-RateLimit-Reset read on 40 responses (epoch-seconds); no request after the reset of 10 429s was rejected; " +
				"the first admission after a 429 came 1.62 s after the claimed time (median over 10 429s)"},
		{"retrying right after the reset", stdPlan, retrying(), xrate(20), check.Pass, "no request after the reset of"},
		{"rounded down, as ulule and httprate do", stdPlan, retrying(), floor, check.Pass, "no request after the reset of"},
		{"auto-detected", withFormat(headers.ResetAuto), stdTraffic(), xrate(20), check.Pass, "(epoch-seconds)"},
		{"delta", withFormat(headers.ResetDeltaSeconds), retrying(), delta, check.Pass, "(delta-seconds); no request after the reset of"},
		{"epoch milliseconds", withFormat(headers.ResetEpochMillis), stdTraffic(),
			resetAs(func(d decision) string { return strconv.FormatInt(d.reset.UnixMilli(), 10) }), check.Pass, "(epoch-millis)"},
		// sethvargo/go-limiter writes its reset with Go's time.RFC1123 in UTC:
		// read, with a warning, and judged like any HTTP-date.
		{"an HTTP-date in UTC", withFormat(headers.ResetHTTPDate), retrying(),
			resetAs(func(d decision) string { return d.reset.UTC().Format(time.RFC1123) }), check.Pass,
			`(http-date); no request after the reset of 13 429s was rejected; the first admission after a 429 came 0.12 s after the claimed time (median over 13 429s); ` +
				`read leniently 54 times (first: X-Ratelimit-Reset: "Sat, 01 Mar 2025 12:00:01 UTC" says "UTC" where an HTTP-date says "GMT"`},
		{"an HTTP-date in UTC, in the past", withFormat(headers.ResetHTTPDate), retrying(),
			resetAs(func(d decision) string { return d.reset.Add(-2 * time.Second).UTC().Format(time.RFC1123) }), check.Fail,
			`X-RateLimit-Reset implausible on 54 of 54 responses (first: points 0.12 s before the request was sent (2025-03-01T11:59:59Z)); read leniently 54 times`},
		{"missing", stdPlan, stdTraffic(), edit(xrate(20), func(d decision, h map[string]string) {
			if d.seq < 5 {
				delete(h, "X-Ratelimit-Reset")
			}
		}), check.Fail, "X-RateLimit-Reset missing on 5 of 40 responses"},
		{"unreadable", stdPlan, stdTraffic(), resetAs(func(decision) string { return "soon" }), check.Fail,
			`X-RateLimit-Reset unreadable on 40 of 40 responses (first: X-Ratelimit-Reset: "soon" is not epoch seconds (want e.g. "1700000000"))`},
		{"always 0", withFormat(headers.ResetDeltaSeconds), stdTraffic(), resetAs(func(decision) string { return "0" }), check.Fail,
			"X-RateLimit-Reset was 0 on all 40 responses"},
		{"a delta where epoch seconds are declared", stdPlan, stdTraffic(), delta, check.Fail,
			"X-RateLimit-Reset implausible on 40 of 40 responses (first: points 1740830398.12 s before the request was sent (1970-01-01T00:00:01Z): a delta sent where epoch seconds were expected?)"},
		{"an epoch where a delta is declared", withFormat(headers.ResetDeltaSeconds), stdTraffic(), xrate(20), check.Fail,
			"X-RateLimit-Reset implausible on 40 of 40 responses (first: points 1740830400.00 s ahead (2080-04-30T00:00:01Z), more than 10s: epoch milliseconds, or an epoch where a delta was expected?)"},
		{"not promised", func() *plan.Plan {
			p := stdPlan()
			p.Scenario.Headers.Limit, p.Scenario.Headers.Remaining, p.Scenario.Headers.Reset = "X-RateLimit-Limit", "X-RateLimit-Remaining", ""
			return p
		}, stdTraffic(), xrate(20), check.Skip, "the scenario promises no Reset header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs := answer(tt.reqs, &clockWin{n: 20, w: time.Second}, tt.w)
			wantResult(t, judgeID(t, tt.plan(), obs, check.HeadersReset), tt.status, tt.msg)
		})
	}
}

// A reset that comes before the real recovery is caught by the first request
// sent after it (plus a second of rounding) that is still rejected.
func TestHeadersResetTooEarly(t *testing.T) {
	p := hdrPlan(20, 5*time.Second, scenarios.AlgoFixedWindow, xPromise)
	// The server says "a second from now" while its windows last 5 s.
	early := resetAs(func(d decision) string { return strconv.FormatInt(ceilUnix(d.now.Add(time.Second)), 10) })
	obs := answer(retrying(), &clockWin{n: 20, w: 5 * time.Second}, early)
	c := judgeID(t, p, obs, check.HeadersReset)
	wantResult(t, c, check.Fail, "X-RateLimit-Reset pointed before the real recovery 2 times (first: still limited 1.12 s after that reset, with nothing admitted in between)")
	if c.Evidence == nil || len(c.Evidence.Requests) != 4 || c.Evidence.Requests[0].Status != 429 || c.Evidence.Requests[1].Status != 429 {
		t.Fatalf("evidence = %+v; want two pairs: a 429 stating the reset, and the 429 after it", c.Evidence)
	}
	if r := c.Evidence.Requests[1]; r.Offset != 3*time.Second {
		t.Errorf("evidence offset %v; want 3s (the first request 1 s past the stated reset)", r.Offset)
	}
	// Declared as a family that frees quota gradually (or left open), the
	// reset may lag by one request's interval (250 ms here): 4 s early is
	// still caught.
	for _, algo := range []scenarios.Algorithm{scenarios.AlgoSlidingWindow, scenarios.AlgoAny} {
		c := judgeID(t, hdrPlan(20, 5*time.Second, algo, xPromise), obs, check.HeadersReset)
		if c.Status != check.Fail || !strings.HasPrefix(c.Message, "X-RateLimit-Reset pointed before the real recovery") {
			t.Errorf("%s: headers.reset = %s (%s); want the early reset failed", algo, c.Status, c.Message)
		}
	}
	// The same claim is fine when every window is 1 s long.
	correct := answer(retrying(), &clockWin{n: 20, w: time.Second}, xrate(20))
	wantResult(t, judgeID(t, hdrPlan(20, time.Second, scenarios.AlgoFixedWindow, xPromise), correct, check.HeadersReset), check.Pass, "")
}

// TestHeadersResetOfASlidingCounter replays go-chi/httprate (a
// sliding-window counter of 20 per 1s, windows offset from the second by
// the limiter's creation): its X-RateLimit-Reset names the end of its
// current window, floored to the second, and with the window before full
// its estimate falls under the limit about one request's interval (50 ms)
// after that end. Created in the last 25 ms of a second, that lands past
// the next whole second: headers.reset failed "still limited 1.01 s after
// that reset" in 3 of 10 runs. The lag is the family's, not a wrong reset.
func TestHeadersResetOfASlidingCounter(t *testing.T) {
	v := replay(t, "testdata/httprate-reset-lag")
	for _, c := range v.Checks {
		if c.Status == check.Fail {
			t.Errorf("%s failed (%s); want no failure", c.ID, c.Message)
		}
	}
	if c := resultOf(t, v, check.HeadersReset); c.Status != check.Pass {
		t.Errorf("headers.reset = %s (%s); want pass", c.Status, c.Message)
	}
}

func TestHeadersResetStructured(t *testing.T) {
	p := hdrPlan(20, 10*time.Second, scenarios.AlgoFixedWindow,
		scenarios.Headers{Convention: headers.ConventionStructured, ResetFormat: headers.ResetDeltaSeconds, OnErrors: true})
	fields := func(shift time.Duration) writer {
		return func(d decision) map[string]string {
			t := max(0, ceilSec(d.reset.Add(shift).Sub(d.now)))
			return map[string]string{"Ratelimit": `"default";r=` + itoa(d.rem) + `;t=` + itoa(t), "Ratelimit-Policy": `"default";q=20;w=10`}
		}
	}
	reqs := append(paced(0, 30, time.Millisecond, time.Millisecond), paced(time.Second, 20, 500*time.Millisecond, time.Millisecond)...)
	obs := answer(reqs, &clockWin{n: 20, w: 10 * time.Second}, fields(0))
	wantResult(t, judgeID(t, p, obs, check.HeadersReset), check.Pass, "RateLimit reset (t) read on 50 responses (delta-seconds)")
	early := answer(reqs, &clockWin{n: 20, w: 10 * time.Second}, fields(-5*time.Second))
	wantResult(t, judgeID(t, p, early, check.HeadersReset), check.Fail, "RateLimit reset (t) pointed before the real recovery")
}

// elasticWin is a fixed window of n per w whose end every request, admitted
// or not, pushes to w after it (the Python limits library's elastic expiry):
// a client sending more often than once per w is never let in again. Its
// headers state each hit's pushed reset truthfully.
type elasticWin struct {
	n    int64
	w    time.Duration
	end  time.Time
	used int64
}

func (e *elasticWin) decide(at time.Time) decision {
	if !at.Before(e.end) {
		e.used = 0
	}
	e.end = at.Add(e.w)
	e.used++
	if e.used <= e.n {
		return decision{admit: true, rem: e.n - e.used, reset: e.end}
	}
	return decision{reset: e.end, wait: e.w}
}

// A reset or Retry-After contradicted only by rejections the model blames
// is the limiter's broken promise, which the model checks fail: the header
// checks point there instead of failing again.
func TestHeaderWaitsDeferToTheModel(t *testing.T) {
	obs := answer(retrying(), &elasticWin{n: 20, w: time.Second}, xrate(20))
	all := Check(stdPlan(), seqOf(obs))
	if c := resultOf(t, all, check.RecoveryAfterWindow); c.Status != check.Fail {
		t.Fatalf("recovery.after-window = %s %q; want fail: the client retrying every 250 ms is refused for good", c.Status, c.Message)
	}
	for _, id := range []check.ID{check.HeadersReset, check.HeadersRetryAfter} {
		c := resultOf(t, all, id)
		if c.Status != check.Skip || c.See != check.RecoveryAfterWindow {
			t.Errorf("%s = %s (see %q) %q; want a skip pointing to %s", id, c.Status, c.See, c.Message, check.RecoveryAfterWindow)
		}
	}
	// The control, a reset that lies on a correct limiter judged with the
	// same blames, is TestHeadersResetTooEarly: it still fails.
}
