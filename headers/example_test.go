package headers_test

import (
	"fmt"
	"time"

	"github.com/ratecheck/ratecheck/headers"
)

func ExampleRead() {
	// The headers of one observation, as recorded (canonical names).
	h := map[string]string{
		"X-Ratelimit-Limit":     "5000",
		"X-Ratelimit-Remaining": "4999",
		"X-Ratelimit-Reset":     "1700003600",
	}
	received := time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC)
	c, errs := headers.Read(h, headers.Spec{Convention: headers.ConventionXRateLimit}, received)
	fmt.Println(c.Limit, c.Remaining, c.Reset.Sub(received), c.ResetFormat, errs)
	// Output: 5000 4999 1h0m0s epoch-seconds []
}

func ExampleRead_structured() {
	h := map[string]string{
		"Ratelimit":        `"burst";r=0;t=5, "daily";r=950;t=3600`,
		"Ratelimit-Policy": `"burst";q=100;w=60, "daily";q=1000;w=86400`,
	}
	received := time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC)
	c, _ := headers.Read(h, headers.Spec{Window: 24 * time.Hour}, received)
	fmt.Println(c.Convention, c.Policy, c.Limit, c.Remaining, c.Window, c.Reset.Sub(received))
	// Output: structured daily 1000 950 24h0m0s 1h0m0s
}

func ExampleParseReset() {
	received := time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC)
	for _, v := range []string{"30", "1700000060", "1700000060.5", "1700000060000", "Tue, 14 Nov 2023 22:14:20 GMT", "soon"} {
		t, f, _, err := headers.ParseReset(v, headers.ResetAuto, received)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%-30s %-16s +%v\n", v, f, t.Sub(received))
	}
	// Output:
	// 30                             delta-seconds    +30s
	// 1700000060                     epoch-seconds    +1m0s
	// 1700000060.5                   epoch-fractional +1m0.5s
	// 1700000060000                  epoch-millis     +1m0s
	// Tue, 14 Nov 2023 22:14:20 GMT  http-date        +1m0s
	// "soon" is not a number, date or RFC 3339 time
}

func ExampleParseRetryAfter() {
	received := time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC)
	for _, v := range []string{"120", "Tue, 14 Nov 2023 22:13:50 GMT", "Tue, 14 Nov 2023 22:00:00 GMT", "Tue, 14 Nov 2023 22:13:50 UTC", "0.5", "soon"} {
		d, w, err := headers.ParseRetryAfter(v, received)
		switch {
		case err != nil:
			fmt.Println(err)
		case w != nil:
			fmt.Println(d, "warning:", w)
		default:
			fmt.Println(d)
		}
	}
	// Output:
	// 2m0s
	// 30s
	// 0s
	// 30s warning: "Tue, 14 Nov 2023 22:13:50 UTC" says "UTC" where an HTTP-date says "GMT" (RFC 9110 section 5.6.7)
	// 500ms warning: "0.5" has a fraction where delay-seconds are whole seconds (RFC 9110 section 10.2.3)
	// "soon" is not delay-seconds or an HTTP-date (want e.g. "30" or "Tue, 14 Nov 2023 22:13:20 GMT")
}

func ExampleParseList() {
	items, err := headers.ParseList(`"default";q=100;w=60, burst;q=10, ("a" b);x`)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, it := range items {
		fmt.Printf("%T %v %v\n", it.Value, it.Value, it.Params)
	}
	// Output:
	// string default [{q 100} {w 60}]
	// headers.Token burst [{q 10}]
	// headers.InnerList [{a []} {b []}] [{x true}]
}
