package conformance

import (
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/scenarios"
)

func TestHeadersLimit(t *testing.T) {
	structured := scenarios.Headers{Convention: headers.ConventionStructured, OnErrors: true}
	sfields := func(policy string) writer {
		return func(d decision) map[string]string {
			h := map[string]string{"Ratelimit": `"default";r=` + itoa(d.rem) + `;t=1`}
			if policy != "" {
				h["Ratelimit-Policy"] = policy
			}
			return h
		}
	}
	tests := []struct {
		name   string
		plan   func() *plan.Plan
		w      writer
		status check.Status
		msg    string
	}{
		{"correct", stdPlan, xrate(20), check.Pass, "X-RateLimit-Limit stated 20 on all 40 responses that should carry it"},
		{"missing on some", stdPlan, edit(xrate(20), func(d decision, h map[string]string) {
			if d.seq%10 == 3 {
				delete(h, "X-Ratelimit-Limit")
			}
		}), check.Fail, "X-RateLimit-Limit missing on 4 of 40 responses"},
		{"unreadable", stdPlan, edit(xrate(20), func(d decision, h map[string]string) {
			if d.seq == 5 {
				h["X-Ratelimit-Limit"] = "twenty"
			}
		}), check.Fail, `X-RateLimit-Limit unreadable on 1 of 40 responses (first: X-Ratelimit-Limit: "twenty" is not a non-negative integer)`},
		{"wrong value", stdPlan, xrate(21), check.Fail, "X-RateLimit-Limit not 20 on 40 of 40 responses (first: states 21, want 20)"},
		{"429s need not carry it without on_errors", func() *plan.Plan {
			p := stdPlan()
			p.Scenario.Headers.OnErrors = false
			return p
		}, edit(xrate(20), func(d decision, h map[string]string) {
			if !d.admit {
				clear(h)
			}
		}), check.Pass, "stated 20 on all 30 responses"},
		{"429s must carry it with on_errors", stdPlan, edit(xrate(20), func(d decision, h map[string]string) {
			if !d.admit {
				delete(h, "X-Ratelimit-Limit")
			}
		}), check.Fail, "missing on 10 of 40 responses"},
		{"no headers promised", func() *plan.Plan {
			return hdrPlan(20, time.Second, scenarios.AlgoFixedWindow, scenarios.Headers{Convention: headers.ConventionNone})
		}, xrate(20), check.Skip, "the scenario promises no rate-limit headers"},
		{"no Limit header promised", func() *plan.Plan {
			p := stdPlan()
			p.Scenario.Headers.Limit, p.Scenario.Headers.Remaining = "", "X-RateLimit-Remaining"
			return p
		}, xrate(20), check.Skip, "the scenario promises no Limit header"},
		{"unlimited", func() *plan.Plan {
			p := stdPlan()
			p.Scenario.Limits[0].Unlimited = true
			return p
		}, xrate(20), check.Skip, `limit "per-second" is unlimited on this plan`},
		{"structured policy", func() *plan.Plan {
			return hdrPlan(20, time.Second, scenarios.AlgoFixedWindow, structured)
		}, sfields(`"default";q=20;w=1`), check.Pass, "RateLimit-Policy stated 20 on all 40"},
		{"structured wrong quota", func() *plan.Plan {
			return hdrPlan(20, time.Second, scenarios.AlgoFixedWindow, structured)
		}, sfields(`"default";q=25;w=1`), check.Fail, "RateLimit-Policy not 20 on 40 of 40 responses (first: states 25, want 20)"},
		{"structured wrong window", func() *plan.Plan {
			return hdrPlan(20, time.Second, scenarios.AlgoFixedWindow, structured)
		}, sfields(`"default";q=20;w=60`), check.Fail, "RateLimit-Policy of the wrong window on 40 of 40 responses (first: policy window w=60, want w=1)"},
		{"structured without policy", func() *plan.Plan {
			return hdrPlan(20, time.Second, scenarios.AlgoFixedWindow, structured)
		}, sfields(""), check.Skip, "none of 40 responses stated a quota (RateLimit-Policy was never sent)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantResult(t, judgeID(t, tt.plan(), stdRun(tt.w), check.HeadersLimit), tt.status, tt.msg)
		})
	}
}

func TestHeadersLimitEvidence(t *testing.T) {
	obs := stdRun(edit(xrate(20), func(d decision, h map[string]string) {
		if d.seq == 7 || d.seq == 33 {
			h["X-Ratelimit-Limit"] = "200"
		}
	}))
	c := judgeID(t, stdPlan(), obs, check.HeadersLimit)
	o := obs[7]
	want := &check.Evidence{
		Expected: `every admitted response of an endpoint limit "per-second" counts carries X-RateLimit-Limit stating 20, and so does every 429`,
		Requests: []check.RequestEvidence{{Seq: o.Seq, Phase: "under", Sent: o.Sent, Offset: 7 * time.Millisecond, Latency: o.Latency,
			Status: 200, Headers: map[string]string{"X-Ratelimit-Limit": "200", "X-Ratelimit-Remaining": "12",
				"X-Ratelimit-Reset": o.Headers["X-Ratelimit-Reset"]}, Note: "states 200, want 20"},
			{Seq: obs[33].Seq, Phase: "under", Sent: obs[33].Sent, Offset: 2503 * time.Millisecond, Latency: o.Latency,
				Status: 200, Headers: obs[33].Headers, Note: "states 200, want 20"}},
	}
	if diff := cmp.Diff(want, c.Evidence); diff != "" {
		t.Errorf("headers.limit evidence mismatch (-want +got):\n%s", diff)
	}
}

// Responses that should not carry the headers are never judged: 401s and
// transport failures, and endpoints the described limit does not count.
func TestHeadersLimitIgnoresOtherResponses(t *testing.T) {
	p := stdPlan()
	p.Scenario.Limits[0].Exclude = []string{"keygen"}
	obs := stdRun(xrate(20))
	extra := obs[0]
	for k, o := range []struct {
		status   int
		endpoint string
		err      string
	}{{401, "list", ""}, {0, "list", "connection reset"}, {200, "keygen", ""}, {404, "list", ""}} {
		extra.Seq, extra.Status, extra.Endpoint, extra.Error, extra.Headers = uint64(100+k), o.status, o.endpoint, o.err, nil
		obs = append(obs, extra)
	}
	wantResult(t, judgeID(t, p, obs, check.HeadersLimit), check.Pass, "on all 40 responses")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
