package conformance_test

import (
	"fmt"
	"time"

	"github.com/ratecheck/ratecheck/conformance"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

func ExampleCheck() {
	limit := scenarios.Limit{Name: "per-second", Requests: 3, Window: time.Second,
		Scope: scenarios.ScopeKey, Algorithm: scenarios.AlgoFixedWindow}
	p := &plan.Plan{
		Scenario: &scenarios.Scenario{Name: "example", Limits: []scenarios.Limit{limit}},
		Tested:   0,
		Phases:   []plan.Phase{{Name: "over", Kind: scenarios.PhaseOver, Duration: 3 * time.Second, Rate: 6}},
	}
	// Six requests a second for three seconds; the server admits four in each
	// second, one more than promised. Where its windows start is unknown, and
	// requests sent exactly a window apart may fall on either side of a
	// boundary: under the most favourable reading two over-admissions are certain,
	// and the third, at the best estimate of the arrivals, is ambiguous.
	start := time.Date(2025, 3, 1, 12, 0, 0, 100_000_000, time.UTC)
	var obs []results.Observation
	for k := range 18 {
		status := 200
		if k%6 >= 4 {
			status = 429
		}
		obs = append(obs, results.Observation{Seq: uint64(k + 1), Endpoint: "list", KeyID: "k1",
			Sent: start.Add(time.Duration(k) * time.Second / 6), Latency: time.Millisecond, Status: status})
	}
	seq := func(yield func(results.Observation) bool) {
		for _, o := range obs {
			if !yield(o) {
				return
			}
		}
	}
	v := conformance.Check(p, seq)
	fmt.Println(v.Status)
	for _, c := range v.Checks[:5] {
		fmt.Printf("%s %s: %s\n", c.ID, c.Status, c.Message)
	}
	fmt.Println("fingerprint:", v.Fingerprint.Summary)
	// Output:
	// fail
	// limit.enforced fail: 2 requests admitted beyond the limit of 3 per 1s (worst window: 4 admitted; judged as fixed-window, first-request-aligned; 1 ambiguous decision near window boundaries not counted)
	// limit.no-early-reject pass: no request was rejected while under the limit of 3 per 1s (6 rejections explained by the model; judged as fixed-window, first-request-aligned)
	// limit.status pass: all 6 limited requests got 429
	// timing.onset skip: the first rejection came at the wrong time in 2 of 3 windows that reached the limit (2 late; first at +0.667 s: first 429 came at request 5 of the window (1 late, 167 ms); judged as fixed-window, first-request-aligned): the defect limit.enforced fails, not failed again here
	// recovery.after-window pass: the limit lifted 0.250 s ± 85 ms after the first rejection of its streak (the longest of 2 lifts timed, in the over phase; promised 1s)
	// fingerprint: fixed window, 4 per 1s, first-request-aligned: explains 18 of 18 decisions
}
