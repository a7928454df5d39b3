package conformance

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// quotaYAML is 20/s per key and a daily quota of 5,000 per key that the
// X-RateLimit headers describe; ACCURACY is replaced.
const quotaYAML = `name: quota
auth:
  header: X-Key
  keys:
    primary: ${K1}
endpoints:
  - {name: list, method: GET, path: /list}
limits:
  - {name: ps, requests: 20, window: 1s}
  - {name: daily, requests: 5000, window: day}
headers:
  convention: x-ratelimit
  limit: X-RateLimit-Limit
  remaining: X-RateLimit-Remaining
  reset: ""
  describes: daily
  ACCURACY
`

func quotaPlan(t *testing.T, accuracy string, opts ...plan.Option) *plan.Plan {
	t.Helper()
	sc, err := scenarios.Parse("quota.yaml", []byte(strings.Replace(quotaYAML, "ACCURACY", accuracy, 1)))
	if err != nil {
		t.Fatal(err)
	}
	return plan.New(sc, opts...)
}

// quotaRun answers the quota phase of p: the first admitted requests of it
// get 200, the rest 429 (status 0 leaves one unanswered when unanswered).
func quotaRun(p *plan.Plan, admitted int, unanswered bool) []results.Observation {
	start := time.Unix(1_700_000_000, 0)
	var out []results.Observation
	for i, ph := range p.Phases {
		if ph.Kind != scenarios.PhaseQuota {
			continue
		}
		for k := range int(ph.Requests) {
			st := 429
			if k < admitted {
				st = 200
			}
			if unanswered && k == int(ph.Requests)-1 {
				st = 0
			}
			out = append(out, results.Observation{
				Seq: p.FirstSeq(i) + uint64(k), Phase: i, Endpoint: ph.Endpoint, KeyID: ph.Key,
				Sent: start.Add(ph.Start), Latency: time.Duration(k+1) * time.Millisecond, Status: st,
			})
		}
	}
	return out
}

// The quota test passes when the quota admits exactly what it has left,
// fails when it admits more or less, and is undecided when an answer is
// missing.
func TestQuotaExhaustion(t *testing.T) {
	p := quotaPlan(t, "", plan.ExhaustQuotas())
	qt, ok := p.QuotaTestOf("daily")
	if !ok {
		t.Fatalf("the plan has no quota test of daily; phases %v", p.Phases)
	}
	left := int(qt.Left)
	for _, tc := range []struct {
		name       string
		admitted   int
		unanswered bool
		want       check.Status
		undecided  bool
		msg        string
	}{
		{"exact", left, false, check.Pass, false, "admitted exactly 10"},
		{"one too many", left + 1, false, check.Fail, false, "over-admits"},
		{"all admitted", left + 2, false, check.Fail, false, "2 more than it had left"},
		{"one too few", left - 1, false, check.Fail, false, "rejects requests it has left"},
		{"unanswered", left, true, check.Skip, true, "got no answer"},
		{"not sent", -1, false, check.Skip, false, "sent none of its quota test"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			obs := quotaRun(p, tc.admitted, tc.unanswered)
			if tc.admitted < 0 {
				obs = nil
			}
			c := resultOf(t, Check(p, seqOf(obs)), check.QuotaEnforced)
			if c.Status != tc.want || c.Undecided != tc.undecided || !strings.Contains(c.Message, tc.msg) {
				t.Errorf("quota.enforced = %s, undecided %v (%s); want %s, undecided %v, %q", c.Status, c.Undecided, c.Message, tc.want, tc.undecided, tc.msg)
			}
			if c.Limit != "daily" {
				t.Errorf("quota.enforced.Limit = %q; want daily", c.Limit)
			}
			if c.Status == check.Fail && (c.Evidence == nil || len(c.Evidence.Requests) != int(qt.Left)+2) {
				t.Errorf("evidence %+v; want the %d requests of the quota test", c.Evidence, qt.Left+2)
			}
		})
	}
}

// quotaCountdown answers the under phase of p one request at a time: every one
// admitted, Remaining from first down by step per request (step 0: a value
// that never moves).
func quotaCountdown(p *plan.Plan, first, step int64, limit string) []results.Observation {
	start := time.Unix(1_700_000_000, 0)
	var out []results.Observation
	for i, ph := range p.Phases {
		if ph.Kind != scenarios.PhaseUnder {
			continue
		}
		for k := range ph.Requests {
			out = append(out, results.Observation{
				Seq: p.FirstSeq(i) + uint64(k), Phase: i, Endpoint: ph.Endpoint, KeyID: ph.Key,
				Sent: start.Add(ph.Start + ph.Due(uint64(k))), Latency: time.Millisecond, Status: 200,
				Headers: map[string]string{"X-Ratelimit-Limit": limit, "X-Ratelimit-Remaining": strconv.FormatInt(first-step*k, 10)},
			})
		}
	}
	return out
}

// Without a quota test, the quota is judged by what the headers describing
// it claim: consistent claims pass, inconsistent ones point to the header
// check that fails them, and nothing to read skips.
func TestQuotaHeaders(t *testing.T) {
	for _, tc := range []struct {
		name     string
		accuracy string
		step     int64
		limit    string
		want     check.Status
		see      check.ID
		msg      string
	}{
		{"exact countdown", "", 1, "5000", check.Pass, "", "judged by the headers' claims"},
		{"exact, falls by two", "", 2, "5000", check.Skip, check.HeadersRemaining, "not consistent"},
		{"exact, never falls", "", 0, "5000", check.Skip, check.HeadersRemaining, "not consistent"},
		{"approximate, never falls", "accuracy: approximate\n  staleness: 60s", 0, "5000", check.Skip, "", "never fell"},
		{"approximate countdown", "accuracy: approximate\n  staleness: 60s", 1, "5000", check.Pass, "", "within the declared staleness 1m"},
		{"wrong limit", "", 1, "20", check.Skip, check.HeadersLimit, "does not state it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := quotaPlan(t, tc.accuracy)
			c := resultOf(t, Check(p, seqOf(quotaCountdown(p, 4900, tc.step, tc.limit))), check.QuotaEnforced)
			if c.Status != tc.want || c.See != tc.see || !strings.Contains(c.Message, tc.msg) {
				t.Errorf("quota.enforced = %s, see %q (%s); want %s, see %q, %q", c.Status, c.See, c.Message, tc.want, tc.see, tc.msg)
			}
		})
	}
}

// A quota that nothing can judge skips, saying why; a scenario without a
// quota skips too.
func TestQuotaSkips(t *testing.T) {
	sc, err := scenarios.Parse("q.yaml", []byte(`name: q
auth:
  header: X-Key
  keys:
    primary: ${K1}
endpoints:
  - {name: list, path: /list}
limits:
  - {name: ps, requests: 20, window: 1s}
  - {name: monthly, window: month, plans: {starter: 2000, enterprise: unlimited}}
plan: starter
`))
	if err != nil {
		t.Fatal(err)
	}
	ent, err := sc.WithPlan("enterprise")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		p    *plan.Plan
		msg  string
	}{
		{"no headers", plan.New(sc), "promises no rate-limit headers"},
		{"unlimited tier", plan.New(ent, plan.ExhaustQuotas()), "unlimited on plan enterprise"},
		{"no quota", planOf(limitOf(20, time.Second, scenarios.AlgoFixedWindow), standardPhases), "declares no quota"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := resultOf(t, Check(tc.p, nil), check.QuotaEnforced)
			if c.Status != check.Skip || c.Undecided || !strings.Contains(c.Message, tc.msg) {
				t.Errorf("quota.enforced = %s, undecided %v (%s); want skip: %q", c.Status, c.Undecided, c.Message, tc.msg)
			}
		})
	}
}

// A quota that runs out during the rate phases, as its headers say
// (Remaining 0 on its 429s), is not held against the tested limit: no check
// fails, and quota.enforced says what happened.
func TestQuotaRunsOutMidRun(t *testing.T) {
	p := quotaPlan(t, "")
	start := time.Unix(1_700_000_000, 0)
	var obs []results.Observation
	left := int64(10)
	for i, ph := range p.Phases {
		if ph.Kind.Contract() {
			continue
		}
		for k := range ph.Requests {
			st := 200
			if left == 0 {
				st = 429
			} else {
				left--
			}
			obs = append(obs, results.Observation{
				Seq: p.FirstSeq(i) + uint64(k), Phase: i, Endpoint: ph.Endpoint, KeyID: ph.Key,
				Sent: start.Add(ph.Start + ph.Due(uint64(k))), Latency: time.Millisecond, Status: st,
				Headers: map[string]string{"X-Ratelimit-Limit": "5000", "X-Ratelimit-Remaining": strconv.FormatInt(left, 10)},
			})
		}
	}
	v := Check(p, seqOf(obs))
	for _, c := range v.Checks {
		if c.Status == check.Fail {
			t.Errorf("%s = fail (%s); want no failure: the quota, not %s, rejected", c.ID, c.Message, p.TestedLimit().Name)
		}
	}
	c := resultOf(t, v, check.QuotaEnforced)
	if !strings.Contains(c.Message, "the quota ran out during the run") {
		t.Errorf("quota.enforced = %s (%s); want it to say the quota ran out", c.Status, c.Message)
	}
	if strings.Contains(c.Message, "not exhausted") {
		t.Errorf("quota.enforced says the quota that ran out was not exhausted: %s", c.Message)
	}
}

// A quota that is the limit under test (an hourly limit alone) is judged by
// the model checks when no quota test exhausts it: quota.enforced points there.
func TestQuotaIsTheTestedLimit(t *testing.T) {
	sc, err := scenarios.Parse("q.yaml", []byte(`name: q
auth:
  header: X-Key
  keys:
    primary: ${K1}
endpoints:
  - {name: list, path: /list}
limits:
  - {name: hourly, requests: 1000, window: hour}
`))
	if err != nil {
		t.Fatal(err)
	}
	c := resultOf(t, Check(plan.New(sc), nil), check.QuotaEnforced)
	if c.Status != check.Skip || c.See != check.LimitEnforced || c.Undecided {
		t.Errorf("quota.enforced = %s, see %q (%s); want skip, see %s", c.Status, c.See, c.Message, check.LimitEnforced)
	}
}
