package conformance

import (
	"strings"
	"testing"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/response"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

func TestBodyErrorFormat(t *testing.T) {
	rateLimited := `{"error":{"code":"RATE_LIMITED","message":"slow down"}}`
	cut := `{"error":{"code":"RATE_LIMITED","message":"` + strings.Repeat("x", response.BodyCut)
	cut = cut[:response.BodyCut]
	with401 := func() *plan.Plan {
		p := stdPlan()
		p.Scenario.Errors = append(p.Scenario.Errors, scenarios.ErrorShape{Status: 401, Body: map[string]any{"error": "string"}},
			scenarios.ErrorShape{Status: 500}) // declared without a body: not judged
		return p
	}
	tests := []struct {
		name   string
		plan   func() *plan.Plan
		bodies map[int]string // by request index; others keep the simulated body
		extra  []results.Observation
		status check.Status
		msg    string
	}{
		{"correct", stdPlan, nil, nil, check.Pass, "all 10 bodies matched the declared shape (429: 10)"},
		{"a 401 too", with401, nil, []results.Observation{{Status: 401, Body: `{"error":"Invalid API key provided."}`},
			{Status: 500, Body: "oops"}}, check.Pass, "all 11 bodies matched the declared shape (401: 1, 429: 10)"},
		{"wrong type", stdPlan, map[int]string{22: `{"error":{"code":429,"message":"slow down"}}`}, nil, check.Fail,
			`1 of 10 bodies with a declared shape did not match (first: $.error.code: want string, got number (429 body "{\"error\":{\"code\":429,\"message\":\"slow down\"}}"))`},
		{"not JSON", stdPlan, map[int]string{20: "Too Many Requests"}, nil, check.Fail,
			`(first: 429 body "Too Many Requests": not JSON: invalid character 'T' looking for beginning of value)`},
		{"empty", stdPlan, map[int]string{20: ""}, nil, check.Fail, `(first: 429 body "": empty, want a JSON body)`},
		{"cut at the snippet size", stdPlan, map[int]string{20: cut}, nil, check.Pass,
			"all 9 bodies matched the declared shape (429: 9); 1 body cut at 1024 bytes mid-JSON not judged"},
		{"short and broken is not cut", stdPlan, map[int]string{20: rateLimited[:20]}, nil, check.Fail, "not JSON: unexpected EOF"},
		{"a JSON Content-Type", with401, nil, []results.Observation{{Status: 401, Body: `{"error":"no key"}`,
			Headers: map[string]string{"Content-Type": "application/problem+json; charset=utf-8"}}}, check.Pass, "(401: 1, 429: 10)"},
		{"a 401 as plain text", with401, nil, []results.Observation{{Status: 401, Body: `{"error":"no key"}`,
			Headers: map[string]string{"Content-Type": "text/plain; charset=utf-8"}}}, check.Fail,
			`(first: Content-Type "text/plain; charset=utf-8", want application/json (401 body "{\"error\":\"no key\"}"))`},
		{"no shapes", func() *plan.Plan {
			p := stdPlan()
			p.Scenario.Errors = nil
			return p
		}, nil, nil, check.Skip, "the scenario declares no error body shapes"},
		{"no such status", func() *plan.Plan {
			p := stdPlan()
			p.Scenario.Errors = []scenarios.ErrorShape{{Status: 403, Body: map[string]any{"error": "string"}}}
			return p
		}, nil, nil, check.Skip, "no response had a status with a declared body (declared: 403)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs := stdRun(xrate(20))
			for i, b := range tt.bodies {
				obs[i].Body = b
			}
			for k, o := range tt.extra {
				o.Seq, o.Sent, o.Endpoint = uint64(100+k), base, "list"
				obs = append(obs, o)
			}
			wantResult(t, judgeID(t, tt.plan(), obs, check.BodyErrorFormat), tt.status, tt.msg)
		})
	}
}

func TestBodyErrorFormatAllCut(t *testing.T) {
	obs := stdRun(xrate(20))
	for i := range obs {
		if obs[i].Status == 429 {
			obs[i].Body = (`{"error":"` + strings.Repeat("y", response.BodyCut))[:response.BodyCut]
		}
	}
	wantResult(t, judgeID(t, stdPlan(), obs, check.BodyErrorFormat), check.Skip,
		"all 10 bodies with a declared body were cut at 1024 bytes mid-JSON, so none was judged")
}
