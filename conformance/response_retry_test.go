package conformance

import (
	"net/http"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/scenarios"
)

// retryAs returns xrate(20) with Retry-After on 429s replaced by f of the
// decision; "" leaves it out.
func retryAs(f func(d decision) string) writer {
	return edit(xrate(20), func(d decision, h map[string]string) {
		if d.admit {
			return
		}
		if v := f(d); v != "" {
			h["Retry-After"] = v
		} else {
			delete(h, "Retry-After")
		}
	})
}

func TestHeadersRetryAfter(t *testing.T) {
	notPromised := func() *plan.Plan {
		p := stdPlan()
		p.Scenario.Headers.RetryAfter = false
		return p
	}
	window5s := func() *plan.Plan { return hdrPlan(20, 5*time.Second, scenarios.AlgoFixedWindow, xPromise) }
	promisedAs := func(f headers.RetryAfterFormat) func() *plan.Plan {
		return func() *plan.Plan {
			p := stdPlan()
			p.Scenario.Headers.RetryAfterFormat = f
			return p
		}
	}
	constant := func(v string) writer { return retryAs(func(decision) string { return v }) }
	tests := []struct {
		name   string
		plan   func() *plan.Plan
		reqs   []simReq
		Window time.Duration
		w      writer
		status check.Status
		msg    string
	}{
		{"correct", stdPlan, stdTraffic(), time.Second, xrate(20), check.Pass,
			"Retry-After on all 10 429s (1.00 s); no request after the wait of 10 429s was rejected; " +
				"the first admission after a 429 came 1.48 s after the claimed time (median over 10 429s)"},
		{"retrying right after the wait", stdPlan, retrying(), time.Second, xrate(20), check.Pass, "no request after the wait of"},
		{"an HTTP-date", stdPlan, stdTraffic(), time.Second, retryAs(func(d decision) string {
			return d.reset.Add(time.Second).UTC().Format(http.TimeFormat)
		}), check.Pass, "Retry-After on all 10 429s (1.85 s to 1.86 s)"},
		{"longer but not absurd", stdPlan, stdTraffic(), time.Second, constant("5"), check.Pass, "Retry-After on all 10 429s (5.00 s)"},
		{"not promised and absent", notPromised, stdTraffic(), time.Second, constant(""), check.Skip, "Retry-After is not promised"},
		// A Retry-After the scenario does not promise is recorded and shown,
		// never judged, however wrong it is.
		{"not promised but sent", notPromised, stdTraffic(), time.Second, xrate(20), check.Skip,
			`Retry-After is not promised, so not judged; 10 of 10 429s carried one all the same (first: Retry-After: "1")`},
		{"not promised, sent too short", notPromised, retrying(), 5 * time.Second, constant("1"), check.Skip,
			`Retry-After is not promised, so not judged; 29 of 29 429s carried one all the same (first: Retry-After: "1")`},
		{"not promised, sent unreadable", notPromised, stdTraffic(), time.Second, constant("soon"), check.Skip,
			`Retry-After is not promised, so not judged; 10 of 10 429s carried one all the same (first: Retry-After: "soon")`},
		{"missing", stdPlan, stdTraffic(), time.Second, constant(""), check.Fail, "Retry-After missing on 10 of 10 429s"},
		// retry_after: seconds or http-date promises one form of the two.
		{"seconds, as promised", promisedAs(headers.RetryAfterSeconds), stdTraffic(), time.Second, xrate(20), check.Pass, "Retry-After on all 10 429s (1.00 s)"},
		{"seconds where a date is promised", promisedAs(headers.RetryAfterHTTPDate), stdTraffic(), time.Second, xrate(20), check.Fail,
			`Retry-After not in the promised form (http-date) on 10 of 10 429s (first: Retry-After: "1" is delay-seconds where an HTTP-date is promised)`},
		{"a date where seconds are promised", promisedAs(headers.RetryAfterSeconds), stdTraffic(), time.Second, retryAs(func(d decision) string {
			return d.reset.Add(time.Second).UTC().Format(http.TimeFormat)
		}), check.Fail, `Retry-After not in the promised form (seconds) on 10 of 10 429s (first: Retry-After: "Sat, 01 Mar 2025 12:00:02 GMT" is an HTTP-date where delay-seconds are promised)`},
		{"a date, as promised", promisedAs(headers.RetryAfterHTTPDate), stdTraffic(), time.Second, retryAs(func(d decision) string {
			return d.reset.Add(time.Second).UTC().Format(http.TimeFormat)
		}), check.Pass, "Retry-After on all 10 429s (1.85 s to 1.86 s)"},
		{"missing on one", stdPlan, stdTraffic(), time.Second, retryAs(func(d decision) string {
			if d.seq == 25 {
				return ""
			}
			return "1"
		}), check.Fail, "Retry-After missing on 1 of 10 429s"},
		// Go's time.RFC1123 in UTC is no HTTP-date, but says when: read, with a warning.
		{"a date in UTC, as sethvargo/go-limiter sends", stdPlan, stdTraffic(), time.Second, retryAs(func(d decision) string {
			return d.reset.UTC().Format(time.RFC1123)
		}), check.Pass, `Retry-After on all 10 429s (0.85 s to 0.86 s); no request after the wait of 10 429s was rejected; ` +
			`the first admission after a 429 came 1.62 s after the claimed time (median over 10 429s); ` +
			`read leniently 10 times (first: Retry-After: "Sat, 01 Mar 2025 12:00:01 UTC" says "UTC" where an HTTP-date says "GMT"`},
		{"a date in UTC, too short", window5s, retrying(), 5 * time.Second, constant("Sat, 01 Mar 2025 11:00:00 UTC"), check.Fail,
			`Retry-After shorter than the real wait`},
		{"a fraction", stdPlan, stdTraffic(), time.Second, constant("1.5"), check.Pass,
			`Retry-After on all 10 429s (1.50 s); ` +
				`the first admission after a 429 came 0.98 s after the claimed time (median over 10 429s); ` +
				`read leniently 10 times (first: Retry-After: "1.5" has a fraction where delay-seconds are whole seconds`},
		{"too short", window5s, retrying(), 5 * time.Second, constant("1"), check.Fail,
			"Retry-After shorter than the real wait 11 times (first: still limited 2.23 s after a 429 asking to wait 1.00 s, with nothing admitted in between)"},
		{"absurdly long", stdPlan, stdTraffic(), time.Second, constant("3600"), check.Fail,
			"Retry-After absurdly long 10 times (first: admitted 2.48 s after the 429, where Retry-After asked for 3600.00 s)"},
		{"no 429", stdPlan, paced(0, 10, time.Millisecond, time.Millisecond), time.Second, xrate(20), check.Skip,
			"no response was a 429, so Retry-After was not exercised"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs := answer(tt.reqs, &clockWin{n: 20, w: tt.Window}, tt.w)
			wantResult(t, judgeID(t, tt.plan(), obs, check.HeadersRetryAfter), tt.status, tt.msg)
		})
	}
}

func TestResponseChecksWithoutPlan(t *testing.T) {
	obs := stdRun(xrate(20))
	for id, mk := range responseMakers() {
		c := mk(nil, nil)
		for _, o := range obs {
			c.Observe(o)
		}
		if got := c.Result(); got.Status != check.Skip || got.Message != "there is no plan to judge the run against" || got.ID != id {
			t.Errorf("%s without a plan = %s %s %q; want skip, there is no plan", id, got.ID, got.Status, got.Message)
		}
	}
}

// TestLenientReadIsAWarning checks that a value read leniently is named in
// the result's Warning, on a pass and on a failure alike, and that a value
// in its standard form gives none.
func TestLenientReadIsAWarning(t *testing.T) {
	window5s := func() *plan.Plan { return hdrPlan(20, 5*time.Second, scenarios.AlgoFixedWindow, xPromise) }
	tests := []struct {
		name   string
		plan   func() *plan.Plan
		reqs   []simReq
		Window time.Duration
		value  string
		status check.Status
		warn   string
	}{
		{"standard", stdPlan, stdTraffic(), time.Second, "2", check.Pass, ""},
		{"UTC, pass", stdPlan, stdTraffic(), time.Second, "Sat, 01 Mar 2025 12:00:03 UTC", check.Pass,
			`read leniently 10 times (first: Retry-After: "Sat, 01 Mar 2025 12:00:03 UTC" says "UTC" where an HTTP-date says "GMT" (RFC 9110 section 5.6.7))`},
		{"numeric zone, fail", window5s, retrying(), 5 * time.Second, "Sat, 01 Mar 2025 11:00:00 +0000", check.Fail,
			`read leniently 29 times (first: Retry-After: "Sat, 01 Mar 2025 11:00:00 +0000" has a numeric zone where an HTTP-date says "GMT" (RFC 9110 section 5.6.7))`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := retryAs(func(decision) string { return tt.value })
			obs := answer(tt.reqs, &clockWin{n: 20, w: tt.Window}, w)
			got := judgeID(t, tt.plan(), obs, check.HeadersRetryAfter)
			if got.Status != tt.status || got.Warning != tt.warn {
				t.Errorf("headers.retry-after = %s, warning %q; want %s, %q", got.Status, got.Warning, tt.status, tt.warn)
			}
		})
	}
}

// TestUnpromisedHeadersAreShownNotJudged checks that rate-limit headers a
// scenario does not promise skip every headers.* check, with what was seen.
func TestUnpromisedHeadersAreShownNotJudged(t *testing.T) {
	p := stdPlan()
	p.Scenario.Headers = scenarios.Headers{Convention: headers.ConventionNone, OnErrors: true}
	obs := answer(stdTraffic(), &clockWin{n: 20, w: time.Second}, edit(xrate(20), func(_ decision, h map[string]string) {
		h["X-Ratelimit-Remaining"] = "-5" // wrong, but not promised
	}))
	for _, id := range []check.ID{check.HeadersLimit, check.HeadersRemaining, check.HeadersReset} {
		wantResult(t, judgeID(t, p, obs, id), check.Skip,
			"the scenario promises no rate-limit headers; 40 responses carried x-ratelimit headers all the same, recorded, not judged")
	}
	wantResult(t, judgeID(t, p, obs, check.HeadersRetryAfter), check.Skip,
		`Retry-After is not promised, so not judged; 10 of 10 429s carried one all the same (first: Retry-After: "1")`)
}
