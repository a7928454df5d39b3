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
