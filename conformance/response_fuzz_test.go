package conformance

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// decodeResponses turns arbitrary bytes into a headers promise and
// observations with headers and bodies: the first four bytes pick the
// promise, then every six bytes make one response.
func decodeResponses(data []byte) (*plan.Plan, []results.Observation) {
	if len(data) < 4 {
		return nil, nil
	}
	convs := []headers.Convention{headers.ConventionXRateLimit, headers.ConventionDraft, headers.ConventionStructured, headers.ConventionNone, ""}
	formats := []headers.ResetFormat{headers.ResetAuto, headers.ResetEpochSeconds, headers.ResetDeltaSeconds,
		headers.ResetEpochMillis, headers.ResetHTTPDate, "bogus"}
	algos := []scenarios.Algorithm{scenarios.AlgoFixedWindow, scenarios.AlgoTokenBucket, scenarios.AlgoAny}
	windows := []time.Duration{time.Second, 10 * time.Second, time.Hour, 0}
	h := scenarios.Headers{Convention: convs[int(data[0])%len(convs)], ResetFormat: formats[int(data[1])%len(formats)],
		RetryAfter: data[2]&1 != 0, OnErrors: data[2]&2 != 0, Approximate: data[2]&4 != 0, Staleness: time.Duration(data[2]>>3) * time.Second}
	p := hdrPlan(int64(data[3]%30)-1, windows[int(data[3]>>5)%len(windows)], algos[int(data[1]>>4)%len(algos)], h)
	p.Scenario.Errors = append(p.Scenario.Errors, scenarios.ErrorShape{Status: 401, Body: []any{"integer"}})
	counts := []string{"20", "0", "19", "21", "-1", "x", " 5 ", "99999999999999999999", "3/20", ""}
	resets := []string{"1740830401", "1", "0", "1740830401000", "Sat, 01 Mar 2025 12:00:01 GMT", "soon", "1740830400.5"}
	structured := []string{`"default";r=3;t=1`, `"default";r=-1`, `limit=20, remaining=2, reset=1`, `(`, `"x";r=0;t=9999999999`}
	retries := []string{"1", "0", "3600", "Sat, 01 Mar 2025 12:00:03 GMT", "Sat, 01 Mar 2025 12:00:03 UTC", "-5"}
	bodies := []string{`{"error":{"code":"X","message":"m"}}`, `{"error":{"code":1}}`, "", "<html>", `[1,2]`, `{"error":`}
	statuses := []int{200, 429, 429, 401, 0, 503}
	var obs []results.Observation
	at := base
	for k := 4; k+6 <= len(data); k += 6 {
		b := data[k : k+6]
		at = at.Add(time.Duration(int8(b[0])) * 10 * time.Millisecond) // may step back
		hd := map[string]string{
			"X-Ratelimit-Limit":     counts[int(b[1])%len(counts)],
			"Ratelimit-Remaining":   counts[int(b[1]>>4)%len(counts)],
			"X-Ratelimit-Remaining": counts[int(b[2])%len(counts)],
			"X-Ratelimit-Reset":     resets[int(b[2]>>4)%len(resets)],
			"Ratelimit-Reset":       resets[int(b[3])%len(resets)],
			"Ratelimit":             structured[int(b[3]>>4)%len(structured)],
			"Ratelimit-Policy":      `"default";q=20;w=1`,
			"Retry-After":           retries[int(b[4])%len(retries)],
		}
		if b[4]&0x80 != 0 {
			hd = nil
		}
		obs = append(obs, results.Observation{Seq: uint64(len(obs) + 1), Phase: int(b[5]%5) - 1,
			Endpoint: "list", KeyID: []string{"k1", "k2"}[b[5]>>7], Sent: at,
			Latency: time.Duration(b[5]) * time.Millisecond, Status: statuses[int(b[4]>>4)%len(statuses)],
			Headers: hd, Body: bodies[int(b[0])%len(bodies)]})
	}
	return p, obs
}

// FuzzResponseChecks checks that no promise or responses make the response
// checks panic, that every result is well formed, and that the results do not
// depend on the order the observations come in.
func FuzzResponseChecks(f *testing.F) {
	f.Add([]byte{0, 1, 7, 21, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4, 20, 2, 3, 9, 9, 9, 20, 3})
	f.Add([]byte{1, 2, 3, 60, 5, 17, 34, 51, 68, 85, 250, 1, 2, 3, 36, 130, 4, 4, 4, 4, 20, 7})
	f.Add([]byte{2, 0, 255, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18})
	f.Fuzz(func(t *testing.T, data []byte) {
		p, obs := decodeResponses(data)
		want := judgeResponses(p, obs)
		for id, c := range want {
			switch {
			case c.ID != id || c.Message == "":
				t.Errorf("%s: id %q, message %q", id, c.ID, c.Message)
			case c.Status != check.Pass && c.Status != check.Fail && c.Status != check.Skip:
				t.Errorf("%s: status %q", id, c.Status)
			case c.Status == check.Fail && (c.Evidence == nil || len(c.Evidence.Requests) == 0 || len(c.Evidence.Requests) > check.MaxEvidence):
				t.Errorf("%s failed with evidence %+v; want 1 to %d requests", id, c.Evidence, check.MaxEvidence)
			}
		}
		reversed := slices.Clone(obs)
		slices.Reverse(reversed)
		if diff := cmp.Diff(want, judgeResponses(p, reversed)); diff != "" {
			t.Errorf("results depend on the order of observations (-in order +reversed):\n%s", diff)
		}
	})
}

// judgeResponses feeds obs to fresh response checkers.
func judgeResponses(p *plan.Plan, obs []results.Observation) map[check.ID]check.Result {
	out := map[check.ID]check.Result{}
	for id, mk := range responseMakers() {
		c := mk(p, nil)
		for _, o := range obs {
			c.Observe(o)
		}
		out[id] = c.Result()
	}
	return out
}
