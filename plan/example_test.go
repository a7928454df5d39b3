package plan_test

import (
	"fmt"

	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/scenarios"
)

func ExampleNew() {
	sc, err := scenarios.Load("../scenarios/copilot.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	p := plan.New(sc)
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
	// testing per-second for 19.95s
	// under      at 0s for 2s: 10/s, 20 requests
	// over-burst at 2s for 2s: 40/s, 80 requests, 5 at once
	// over       at 4s for 900ms: 40/s, 36 requests
	// over-list-companies at 4.9s for 1.05s: 40/s, 42 requests
	// over       at 5.95s for 1.05s: 40/s, 42 requests
	// probe      at 7s for 2.5s: 100/s, 250 requests
	// pause      at 9.5s for 1s: 0/s, 0 requests
	// recovery   at 10.5s for 2s: 10/s, 20 requests
	// pause      at 12.5s for 2.5s: 0/s, 0 requests
	// counted    at 15s for 50ms: 300/s, 15 requests, 15 at once
	// no-key     at 15.05s for 50ms: 200/s, 10 requests, 10 at once
	// bad-key    at 15.1s for 50ms: 200/s, 10 requests, 10 at once
	// counted    at 15.15s for 50ms: 100/s, 5 requests, 5 at once
	// pause      at 15.2s for 2.5s: 0/s, 0 requests
	// counted    at 17.7s for 50ms: 300/s, 15 requests, 15 at once
	// no-key     at 17.75s for 50ms: 200/s, 10 requests, 10 at once
	// bad-key    at 17.8s for 50ms: 200/s, 10 requests, 10 at once
	// counted    at 17.85s for 50ms: 100/s, 5 requests, 5 at once
	// pause      at 17.9s for 2s: 0/s, 0 requests
	// no-key     at 19.9s for 50ms: 20/s, 1 requests
	// per-second: under test: 20 per 1s (this run sends 530)
	// monthly: window 720h: only charged, not exercised (this run uses 530 of 2000)
}
