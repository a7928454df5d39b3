package conformance

import (
	"slices"
	"strings"
	"testing"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/scenarios"
)

func TestConclude(t *testing.T) {
	sc := &scenarios.Scenario{
		Auth:      scenarios.Auth{Header: "X-API-KEY", Keys: []scenarios.Key{{ID: "primary", Env: "COPILOT_API_KEY"}}},
		Endpoints: []scenarios.Endpoint{{Name: "list", Method: "GET", Path: "/v1/clients"}},
	}
	noAuth := &scenarios.Scenario{Endpoints: sc.Endpoints}
	judged := []check.Result{
		{ID: check.LimitEnforced, Status: check.Pass, Message: "never over"},
		{ID: check.LimitStatus, Status: check.Pass, Message: "all 429"},
		{ID: check.HeadersLimit, Status: check.Skip, Message: "no headers promised"},
	}
	failing := []check.Result{
		{ID: check.LimitEnforced, Status: check.Fail, Message: "3 over"},
		{ID: check.LimitStatus, Status: check.Pass, Message: "all 429"},
	}
	unjudged := []check.Result{
		{ID: check.LimitEnforced, Status: check.Skip, Message: "the run never exceeded the limit"},
		{ID: check.LimitStatus, Status: check.Skip, Message: "no request was limited"},
		{ID: check.HeadersLimit, Status: check.Pass, Message: "Limit right"},
	}
	undecided := []check.Result{
		{ID: check.LimitEnforced, Status: check.Pass, Message: "never over"},
		{ID: check.LimitNoEarlyReject, Status: check.Skip, Undecided: true, Message: "every one of the 40 rejections lay within the timing tolerance"},
		{ID: check.LimitStatus, Status: check.Pass, Message: "all 429"},
		{ID: check.TimingOnset, Status: check.Skip, See: check.LimitEnforced, Message: "the defect limit.enforced fails"},
	}
	undecidedAndFailed := append(slices.Clone(undecided), check.Result{ID: check.HeadersLimit, Status: check.Fail, Message: "states 21"})
	notApplicable := []check.Result{
		{ID: check.LimitEnforced, Status: check.Pass, Message: "never over"},
		{ID: check.TimingOnset, Status: check.Skip, See: check.LimitEnforced, Message: "the defect limit.enforced fails"},
		{ID: check.HeadersRetryAfter, Status: check.Skip, Message: "the scenario declares no Retry-After"},
	}
	undecidedHeader := append(slices.Clone(judged), check.Result{ID: check.HeadersRemaining, Status: check.Skip, Undecided: true, Message: "no countdown seen"})
	decided := map[int]int64{200: 80, 429: 20}
	tests := []struct {
		name       string
		sc         *scenarios.Scenario
		checks     []check.Result
		facts      RunFacts
		want       check.Status
		wantReason string
	}{
		{"judged and passed", sc, judged, RunFacts{Requests: 100, Statuses: decided}, check.Pass, "every check that could be judged passed"},
		{"a check failed", sc, failing, RunFacts{Requests: 100, Statuses: decided}, check.Fail, "limit.enforced failed"},
		{"every answer 401", sc, unjudged, RunFacts{Requests: 90, Statuses: map[int]int64{401: 90}}, check.Inconclusive,
			"every request got 401 Unauthorized: is COPILOT_API_KEY a valid key?"},
		{"every answer 401 without auth", noAuth, unjudged, RunFacts{Requests: 90, Statuses: map[int]int64{401: 90}}, check.Inconclusive,
			"every request got 401 Unauthorized: the scenario declares no auth: does the API need a key?"},
		{"every answer 403", sc, unjudged, RunFacts{Requests: 5, Statuses: map[int]int64{403: 5}}, check.Inconclusive,
			"every request got 403 Forbidden: may the key in COPILOT_API_KEY call these endpoints?"},
		{"every answer 404", sc, unjudged, RunFacts{Requests: 5, Statuses: map[int]int64{404: 5}}, check.Inconclusive,
			"every request got 404 Not Found: are the scenario's endpoints (GET /v1/clients) right for this target?"},
		{"a failure on 503 alone is no verdict", sc, failing, RunFacts{Requests: 7, Statuses: map[int]int64{503: 7}}, check.Inconclusive,
			"every request got 503 Service Unavailable: the target failed before any limit could be judged"},
		{"no answer at all", sc, unjudged, RunFacts{Requests: 3, Statuses: map[int]int64{0: 3}, FirstError: "x509: certificate signed by unknown authority"}, check.Inconclusive,
			"every request got no answer (x509: certificate signed by unknown authority): is the target reachable, and its TLS certificate trusted (--ca-file)?"},
		{"every answer 302", sc, unjudged, RunFacts{Requests: 5, Statuses: map[int]int64{302: 5}}, check.Inconclusive,
			"every request got 302 Found: a redirect is not the API's answer: are the target's scheme and host, and the endpoints (GET /v1/clients), right?"},
		{"every answer 503, read as rejections", sc, failing, RunFacts{Requests: 5, Statuses: map[int]int64{503: 5}}, check.Inconclusive,
			"every request got 503 Service Unavailable: the target failed before any limit could be judged"},
		{"mostly 401, some 500", sc, unjudged, RunFacts{Requests: 10, Statuses: map[int]int64{401: 8, 500: 2}}, check.Inconclusive,
			"no request was admitted or limited: 8 of 10 got 401 Unauthorized: is COPILOT_API_KEY a valid key?"},
		{"nothing sent", sc, unjudged, RunFacts{}, check.Inconclusive, "no request was sent"},
		{"admitted but the limit never engaged", sc, unjudged, RunFacts{Requests: 40, Statuses: map[int]int64{200: 40}}, check.Inconclusive,
			"no limit check could be judged: the run never exceeded the limit"},
		{"a limit check could not decide", sc, undecided, RunFacts{Requests: 100, Statuses: decided}, check.Inconclusive,
			"limit.no-early-reject could not be decided: every one of the 40 rejections lay within the timing tolerance"},
		{"a failure outweighs an undecided check", sc, undecidedAndFailed, RunFacts{Requests: 100, Statuses: decided}, check.Fail, "headers.limit failed"},
		{"skips that do not apply or defer still pass", sc, notApplicable, RunFacts{Requests: 100, Statuses: decided}, check.Pass,
			"every check that could be judged passed"},
		{"an undecided header check does not stop a pass", sc, undecidedHeader, RunFacts{Requests: 100, Statuses: decided}, check.Pass,
			"every check that could be judged passed"},
		{"interrupted after passing so far", sc, judged, RunFacts{Interrupted: true, Stopped: "SIGINT", Requests: 50, Statuses: decided}, check.Incomplete,
			"the run was stopped by SIGINT before its plan ended, so only what was sent is judged"},
		{"interrupted with a failure", sc, failing, RunFacts{Interrupted: true, Stopped: "SIGTERM", Requests: 50, Statuses: decided}, check.Fail,
			"the run was stopped by SIGTERM before its plan ended, so only what was sent is judged; a check failed on what was sent"},
		{"unfinished run directory", sc, judged, RunFacts{Interrupted: true, Requests: 50, Statuses: decided}, check.Incomplete,
			"the run did not carry out its plan, so only what was recorded is judged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := slices.Clone(tt.checks)
			in := Verdict{Status: check.Pass, Checks: tt.checks}
			got := in.Conclude(tt.sc, tt.facts)
			if got.Status != tt.want || got.Reason != tt.wantReason {
				t.Errorf("Conclude() = %s, %q; want %s, %q", got.Status, got.Reason, tt.want, tt.wantReason)
			}
			for i, c := range got.Checks {
				// A verdict that is not a failure holds no failed check.
				if got.Status != check.Fail && c.Status == check.Fail {
					t.Errorf("check %s fails under a verdict of %s", c.ID, got.Status)
				}
				if tt.facts.Interrupted && c.Status == check.Pass {
					t.Errorf("check %s of an interrupted run passes; want it skipped", c.ID)
				}
				if tt.facts.Interrupted && tt.checks[i].Status == check.Pass && !strings.Contains(c.Message, tt.checks[i].Message) {
					t.Errorf("check %s message %q lost what was seen so far (%q)", c.ID, c.Message, tt.checks[i].Message)
				}
			}
			if !slices.Equal(before, in.Checks) {
				t.Errorf("Conclude changed the checks of its receiver")
			}
		})
	}
}

// TestWithhold: withheld evidence turns passes into skips (and failures too
// when asked); Conclude then finds the limit untested rather than passed, or
// keeps a failure that was allowed to stand.
func TestWithhold(t *testing.T) {
	v := Verdict{Checks: []check.Result{
		{ID: check.LimitEnforced, Status: check.Fail, Message: "21 admitted"},
		{ID: check.LimitNoEarlyReject, Status: check.Pass, Message: "none early"},
		{ID: check.LimitStatus, Status: check.Skip, Message: "no 429"},
	}}
	why := func(m string) string { return "doubtful (" + m + ")" }
	facts := RunFacts{Requests: 10, Statuses: map[int]int64{200: 5, 429: 5}}
	for _, tc := range []struct {
		failures   bool
		want       []check.Status
		wantStatus check.Status
	}{
		{failures: false, want: []check.Status{check.Fail, check.Skip, check.Skip}, wantStatus: check.Fail},
		{failures: true, want: []check.Status{check.Skip, check.Skip, check.Skip}, wantStatus: check.Inconclusive},
	} {
		w := v.Withhold(why, tc.failures)
		for i, c := range w.Checks {
			if c.Status != tc.want[i] {
				t.Errorf("failures=%v: %s is %s, want %s", tc.failures, c.ID, c.Status, tc.want[i])
			}
		}
		if w.Checks[1].Message != "doubtful (none early)" {
			t.Errorf("withheld message %q, want the why applied to the old one", w.Checks[1].Message)
		}
		if v.Checks[1].Status != check.Pass {
			t.Fatalf("Withhold changed the verdict it was given")
		}
		if got := w.Conclude(nil, facts).Status; got != tc.wantStatus {
			t.Errorf("failures=%v: concluded %s, want %s", tc.failures, got, tc.wantStatus)
		}
	}
}
