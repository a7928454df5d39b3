package scenarios_test

import (
	"errors"
	"fmt"

	"github.com/ratecheck/ratecheck/scenarios"
)

func ExampleLoad() {
	sc, err := scenarios.Load("copilot.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sc.Name, sc.Target)
	fmt.Println("key in", sc.Auth.Header, "from $"+sc.Auth.Keys[0].Env)
	for _, l := range sc.Limits {
		fmt.Printf("%s: %d per %v (plan %s)\n", l.Name, l.Requests, l.Window, sc.Plan)
	}
	// Output:
	// copilot https://api.copilot.com
	// key in X-API-KEY from $COPILOT_API_KEY
	// per-second: 20 per 1s (plan starter)
	// monthly: 2000 per 720h0m0s (plan starter)
}

func ExampleParse_errors() {
	_, err := scenarios.Parse("bad.yaml", []byte(`name: demo
target: https://api.example.com
endpoints:
  - name: list
    path: /items
limits:
  - name: per-second
    requests: 0
    windw: 1s
`))
	if list, ok := errors.AsType[scenarios.ErrorList](err); ok {
		for _, e := range list {
			fmt.Println(e)
		}
	}
	// Output:
	// bad.yaml:7:5: limits[0].window: missing (want a duration such as 1s, 1m, day or month)
	// bad.yaml:8:15: limits[0].requests: 0 requests per window admits nothing (want at least 1)
	// bad.yaml:9:5: limits[0]: unknown field "windw" (want one of: name, requests, plans, window, scope, algorithm, burst, recovery, endpoints, exclude)
}

func ExampleNewPlan() {
	sc, err := scenarios.Load("copilot.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	p := scenarios.NewPlan(sc)
	fmt.Println("testing", p.TestedLimit().Name, "for", p.Duration())
	for _, ph := range p.Phases {
		fmt.Printf("%-10s at %v for %v: %g/s, %d requests", ph.Name, ph.Start, ph.Duration, ph.Rate, ph.Requests)
		if ph.Burst > 1 {
			fmt.Printf(", %d at once", ph.Burst)
		}
		fmt.Println()
	}
	for _, c := range p.Charges {
		fmt.Printf("%s: %s\n", c.Limit, c.Note)
	}
	// Output:
	// testing per-second for 16.45s
	// under      at 0s for 2s: 10/s, 20 requests
	// over-burst at 2s for 2s: 40/s, 80 requests, 5 at once
	// over       at 4s for 3s: 40/s, 120 requests
	// probe      at 7s for 2.5s: 100/s, 250 requests
	// pause      at 9.5s for 1s: 0/s, 0 requests
	// recovery   at 10.5s for 2s: 10/s, 20 requests
	// pause      at 12.5s for 1.25s: 0/s, 0 requests
	// counted    at 13.75s for 50ms: 300/s, 15 requests, 15 at once
	// no-key     at 13.8s for 50ms: 200/s, 10 requests, 10 at once
	// bad-key    at 13.85s for 50ms: 200/s, 10 requests, 10 at once
	// counted    at 13.9s for 50ms: 100/s, 5 requests, 5 at once
	// pause      at 13.95s for 1.25s: 0/s, 0 requests
	// counted    at 15.2s for 50ms: 300/s, 15 requests, 15 at once
	// no-key     at 15.25s for 50ms: 200/s, 10 requests, 10 at once
	// bad-key    at 15.3s for 50ms: 200/s, 10 requests, 10 at once
	// counted    at 15.35s for 50ms: 100/s, 5 requests, 5 at once
	// pause      at 15.4s for 1s: 0/s, 0 requests
	// no-key     at 16.4s for 50ms: 20/s, 1 requests
	// per-second: under test: 20 per 1s (this run sends 530)
	// monthly: window 720h: only charged, not exercised (this run uses 530 of 2000)
}
