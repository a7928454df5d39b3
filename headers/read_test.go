package headers

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// readTests are the cases of TestRead, also the seeds of the fuzz tests.
var readTests = []struct {
	name     string
	h        map[string]string
	spec     Spec
	want     Claim
	wantErrs []string
}{
	{
		name: "GitHub",
		h: map[string]string{"X-Ratelimit-Limit": "5000", "X-Ratelimit-Remaining": "4999",
			"X-Ratelimit-Reset": "1700003600", "X-Ratelimit-Used": "1", "X-Ratelimit-Resource": "core"},
		spec: Spec{Convention: ConventionXRateLimit},
		want: Claim{Convention: ConventionXRateLimit, Limit: 5000, HasLimit: true, Remaining: 4999, HasRemaining: true,
			Reset: epoch.Add(time.Hour), HasReset: true, ResetFormat: ResetEpochSeconds,
			Raw: map[string]string{"X-Ratelimit-Limit": "5000", "X-Ratelimit-Remaining": "4999", "X-Ratelimit-Reset": "1700003600"}},
	},
	{
		name: "GitHub, convention sniffed",
		h:    map[string]string{"x-ratelimit-limit": "60", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1700000060", "Retry-After": "60"},
		want: Claim{Convention: ConventionXRateLimit, Limit: 60, HasLimit: true, HasRemaining: true,
			Reset: epoch.Add(time.Minute), HasReset: true, ResetFormat: ResetEpochSeconds,
			RetryAfter: time.Minute, HasRetryAfter: true,
			Raw: map[string]string{"x-ratelimit-limit": "60", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1700000060", "Retry-After": "60"}},
	},
	{
		name: "Twitter/X",
		h:    map[string]string{"X-Rate-Limit-Limit": "900", "X-Rate-Limit-Remaining": "899", "X-Rate-Limit-Reset": "1700000900"},
		spec: Spec{Convention: ConventionXRateLimitDashed, ResetFormat: ResetEpochSeconds},
		want: Claim{Convention: ConventionXRateLimitDashed, Limit: 900, HasLimit: true, Remaining: 899, HasRemaining: true,
			Reset: epoch.Add(15 * time.Minute), HasReset: true, ResetFormat: ResetEpochSeconds,
			Raw: map[string]string{"X-Rate-Limit-Limit": "900", "X-Rate-Limit-Remaining": "899", "X-Rate-Limit-Reset": "1700000900"}},
	},
	{
		name: "Discord fractional epoch",
		h: map[string]string{"X-Ratelimit-Limit": "5", "X-Ratelimit-Remaining": "1", "X-Ratelimit-Reset": "1700000001.123",
			"X-Ratelimit-Reset-After": "1", "X-Ratelimit-Bucket": "abcd1234"},
		spec: Spec{Convention: ConventionXRateLimit},
		want: Claim{Convention: ConventionXRateLimit, Limit: 5, HasLimit: true, Remaining: 1, HasRemaining: true,
			Reset: epoch.Add(1123 * time.Millisecond), HasReset: true, ResetFormat: ResetEpochFractional,
			Raw: map[string]string{"X-Ratelimit-Limit": "5", "X-Ratelimit-Remaining": "1", "X-Ratelimit-Reset": "1700000001.123"}},
	},
	{
		name: "Discord Reset-After as the reset",
		h:    map[string]string{"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": "1700000064.82", "X-Ratelimit-Reset-After": "64.57"},
		spec: Spec{Convention: ConventionXRateLimit, Names: Names{Reset: "X-RateLimit-Reset-After"}},
		want: Claim{Convention: ConventionXRateLimit, HasRemaining: true,
			Reset: at.Add(64570 * time.Millisecond), HasReset: true, ResetFormat: ResetDeltaSeconds,
			Raw: map[string]string{"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset-After": "64.57"}},
	},
	{
		name: "Kong per-minute names found by the window",
		h:    map[string]string{"X-Ratelimit-Limit-Minute": "60", "X-Ratelimit-Remaining-Minute": "59", "X-Ratelimit-Limit-Hour": "1000"},
		spec: Spec{Convention: ConventionXRateLimit, Window: time.Minute},
		want: Claim{Convention: ConventionXRateLimit, Limit: 60, HasLimit: true, Remaining: 59, HasRemaining: true,
			Raw: map[string]string{"X-Ratelimit-Limit-Minute": "60", "X-Ratelimit-Remaining-Minute": "59"}},
	},
	{
		name: "Kong per-hour names by suffix",
		h:    map[string]string{"X-Ratelimit-Limit-Minute": "60", "x-ratelimit-limit-hour": "1000", "X-Ratelimit-Remaining-Hour": "990"},
		spec: Spec{Names: Names{Suffix: "Hour"}},
		want: Claim{Convention: ConventionXRateLimit, Limit: 1000, HasLimit: true, Remaining: 990, HasRemaining: true,
			Raw: map[string]string{"x-ratelimit-limit-hour": "1000", "X-Ratelimit-Remaining-Hour": "990"}},
	},
	{
		name: "plain names win over per-window names",
		h:    map[string]string{"X-Ratelimit-Limit": "10", "X-Ratelimit-Limit-Second": "20"},
		spec: Spec{Convention: ConventionXRateLimit, Window: time.Second},
		want: Claim{Convention: ConventionXRateLimit, Limit: 10, HasLimit: true, Raw: map[string]string{"X-Ratelimit-Limit": "10"}},
	},
	{
		name: "Shopify used/limit, and its fractional Retry-After",
		h:    map[string]string{"X-Shopify-Shop-Api-Call-Limit": "32/40", "Retry-After": "2.0"},
		spec: Spec{Convention: ConventionVendor, Names: Names{Limit: "X-Shopify-Shop-Api-Call-Limit", Remaining: "X-Shopify-Shop-Api-Call-Limit"}},
		want: Claim{Convention: ConventionVendor, Limit: 40, HasLimit: true, Remaining: 8, HasRemaining: true,
			RetryAfter: 2 * time.Second, HasRetryAfter: true,
			Warnings: []*Warning{{Header: "Retry-After", Value: "2.0", Reason: fractionReason}},
			Raw:      map[string]string{"X-Shopify-Shop-Api-Call-Limit": "32/40", "Retry-After": "2.0"}},
	},
	{
		name: "sethvargo/go-limiter's UTC dates, as captured",
		h: map[string]string{"X-Ratelimit-Limit": "20", "X-Ratelimit-Remaining": "0",
			"X-Ratelimit-Reset": "Tue, 14 Nov 2023 22:13:21 UTC", "Retry-After": "Tue, 14 Nov 2023 22:13:21 UTC"},
		spec: Spec{Convention: ConventionXRateLimit, ResetFormat: ResetHTTPDate},
		want: Claim{Convention: ConventionXRateLimit, Limit: 20, HasLimit: true, HasRemaining: true,
			Reset: epoch.Add(time.Second), HasReset: true, ResetFormat: ResetHTTPDate,
			RetryAfter: 750 * time.Millisecond, HasRetryAfter: true,
			Warnings: []*Warning{
				{Header: "Retry-After", Value: "Tue, 14 Nov 2023 22:13:21 UTC", Reason: lenientDates[0].reason},
				{Header: "X-Ratelimit-Reset", Value: "Tue, 14 Nov 2023 22:13:21 UTC", Reason: lenientDates[0].reason},
			},
			Raw: map[string]string{"X-Ratelimit-Limit": "20", "X-Ratelimit-Remaining": "0",
				"X-Ratelimit-Reset": "Tue, 14 Nov 2023 22:13:21 UTC", "Retry-After": "Tue, 14 Nov 2023 22:13:21 UTC"}},
	},
	{
		name: "Shopify over the bucket leaves 0",
		h:    map[string]string{"X-Shopify-Shop-Api-Call-Limit": "41/40"},
		spec: Spec{Convention: ConventionVendor, Names: Names{Remaining: "X-Shopify-Shop-Api-Call-Limit"}},
		want: Claim{Convention: ConventionVendor, HasRemaining: true, Raw: map[string]string{"X-Shopify-Shop-Api-Call-Limit": "41/40"}},
	},
	{
		name: "vendor names that are not given are not read",
		h:    map[string]string{"X-Quota": "10", "-Minute": "7", "X-Quota-Minute": "5"},
		spec: Spec{Convention: ConventionVendor, Names: Names{Limit: "x-quota"}, Window: time.Minute},
		want: Claim{Convention: ConventionVendor, Limit: 10, HasLimit: true, Raw: map[string]string{"X-Quota": "10"}},
	},
	{
		name: "Stripe-ish 429 with only Retry-After",
		h:    map[string]string{"Retry-After": "Tue, 14 Nov 2023 22:13:22 GMT"},
		want: Claim{Convention: ConventionNone, RetryAfter: 1750 * time.Millisecond, HasRetryAfter: true,
			Raw: map[string]string{"Retry-After": "Tue, 14 Nov 2023 22:13:22 GMT"}},
	},
	{
		name: "convention none reads only Retry-After",
		h:    map[string]string{"X-Ratelimit-Limit": "5", "Retry-After": "3"},
		spec: Spec{Convention: ConventionNone},
		want: Claim{Convention: ConventionNone, RetryAfter: 3 * time.Second, HasRetryAfter: true, Raw: map[string]string{"Retry-After": "3"}},
	},
	{
		name: "absent headers are no error",
		h:    map[string]string{},
		spec: Spec{Convention: ConventionXRateLimit},
		want: Claim{Convention: ConventionXRateLimit},
	},
	{
		name: "draft counters with a policy field",
		h:    map[string]string{"Ratelimit-Limit": "100", "Ratelimit-Remaining": "99", "Ratelimit-Reset": "30", "Ratelimit-Policy": "100;w=60"},
		spec: Spec{Convention: ConventionDraft, ResetFormat: ResetDeltaSeconds},
		want: Claim{Convention: ConventionDraft, Limit: 100, HasLimit: true, Remaining: 99, HasRemaining: true,
			Reset: at.Add(30 * time.Second), HasReset: true, ResetFormat: ResetDeltaSeconds, Window: time.Minute,
			Raw: map[string]string{"Ratelimit-Limit": "100", "Ratelimit-Remaining": "99", "Ratelimit-Reset": "30", "Ratelimit-Policy": "100;w=60"}},
	},
	{
		name: "draft 03 policy list in the limit",
		h:    map[string]string{"Ratelimit-Limit": "10, 10;w=1, 50;w=60", "Ratelimit-Reset": "1"},
		spec: Spec{Convention: ConventionDraft},
		want: Claim{Convention: ConventionDraft, Limit: 10, HasLimit: true,
			Reset: at.Add(time.Second), HasReset: true, ResetFormat: ResetDeltaSeconds, Window: time.Second,
			Raw: map[string]string{"Ratelimit-Limit": "10, 10;w=1, 50;w=60", "Ratelimit-Reset": "1"}},
	},
	{
		name: "structured, draft 10",
		h:    map[string]string{"Ratelimit": `"default";r=50;t=30`, "Ratelimit-Policy": `"default";q=100;w=60`},
		spec: Spec{Convention: ConventionStructured},
		want: Claim{Convention: ConventionStructured, Limit: 100, HasLimit: true, Remaining: 50, HasRemaining: true,
			Reset: at.Add(30 * time.Second), HasReset: true, ResetFormat: ResetDeltaSeconds, Window: time.Minute, Policy: "default",
			Raw: map[string]string{"Ratelimit": `"default";r=50;t=30`, "Ratelimit-Policy": `"default";q=100;w=60`}},
	},
	{
		name: "structured, the policy with the window",
		h:    twoPolicies,
		spec: Spec{Window: 24 * time.Hour},
		want: Claim{Convention: ConventionStructured, Limit: 1000, HasLimit: true, Remaining: 950, HasRemaining: true,
			Reset: at.Add(time.Hour), HasReset: true, ResetFormat: ResetDeltaSeconds, Window: 24 * time.Hour, Policy: "daily", Raw: twoPolicies},
	},
	{
		name: "structured, the policy named",
		h:    twoPolicies,
		spec: Spec{Convention: ConventionStructured, Policy: "burst", Window: 24 * time.Hour},
		want: Claim{Convention: ConventionStructured, Limit: 100, HasLimit: true, HasRemaining: true,
			Reset: at.Add(5 * time.Second), HasReset: true, ResetFormat: ResetDeltaSeconds, Window: time.Minute, Policy: "burst", Raw: twoPolicies},
	},
	{
		name: "structured, the first service limit and its policy",
		h:    map[string]string{"Ratelimit": `"daily";r=950;t=3600`, "Ratelimit-Policy": `"burst";q=100;w=60,"daily";q=1000;w=86400`},
		spec: Spec{Window: 7 * 24 * time.Hour},
		want: Claim{Convention: ConventionStructured, Limit: 1000, HasLimit: true, Remaining: 950, HasRemaining: true,
			Reset: at.Add(time.Hour), HasReset: true, ResetFormat: ResetDeltaSeconds, Window: 24 * time.Hour, Policy: "daily",
			Raw: map[string]string{"Ratelimit": `"daily";r=950;t=3600`, "Ratelimit-Policy": `"burst";q=100;w=60,"daily";q=1000;w=86400`}},
	},
	{
		name:     "structured, a named policy that is not there",
		h:        twoPolicies,
		spec:     Spec{Convention: ConventionStructured, Policy: "hourly"},
		want:     Claim{Convention: ConventionStructured, Raw: twoPolicies},
		wantErrs: []string{`Ratelimit: "\"burst\";r=0;t=5, \"daily\";r=950;t=3600" has no policy "hourly"`},
	},
	{
		name: "structured, draft 07 dictionary",
		h:    map[string]string{"Ratelimit": "limit=100, remaining=50, reset=5", "Ratelimit-Policy": "100;w=10"},
		spec: Spec{Convention: ConventionStructured},
		want: Claim{Convention: ConventionStructured, Limit: 100, HasLimit: true, Remaining: 50, HasRemaining: true,
			Reset: at.Add(5 * time.Second), HasReset: true, ResetFormat: ResetDeltaSeconds, Window: 10 * time.Second,
			Raw: map[string]string{"Ratelimit": "limit=100, remaining=50, reset=5", "Ratelimit-Policy": "100;w=10"}},
	},
	{
		name: "structured, no t and no policy field",
		h:    map[string]string{"RateLimit": `"default";r=999;pk=:dHJpYWwxMjEzMjM=:`},
		want: Claim{Convention: ConventionStructured, Remaining: 999, HasRemaining: true, Policy: "default",
			Raw: map[string]string{"RateLimit": `"default";r=999;pk=:dHJpYWwxMjEzMjM=:`}},
	},
	{
		name: "bad values are errors, good ones still read",
		h: map[string]string{"X-Ratelimit-Limit": "100", "X-Ratelimit-Remaining": "-1",
			"X-Ratelimit-Reset": "soon", "Retry-After": "1"},
		spec: Spec{Convention: ConventionXRateLimit},
		want: Claim{Convention: ConventionXRateLimit, Limit: 100, HasLimit: true, RetryAfter: time.Second, HasRetryAfter: true,
			Raw: map[string]string{"X-Ratelimit-Limit": "100", "X-Ratelimit-Remaining": "-1", "X-Ratelimit-Reset": "soon", "Retry-After": "1"}},
		wantErrs: []string{
			`X-Ratelimit-Remaining: "-1" is not a non-negative integer`,
			`X-Ratelimit-Reset: "soon" is not a number, date or RFC 3339 time`,
		},
	},
	{
		name:     "a declared format that does not fit",
		h:        map[string]string{"X-Ratelimit-Reset": "1700000060"},
		spec:     Spec{Convention: ConventionXRateLimit, ResetFormat: ResetHTTPDate},
		want:     Claim{Convention: ConventionXRateLimit, Raw: map[string]string{"X-Ratelimit-Reset": "1700000060"}},
		wantErrs: []string{`X-Ratelimit-Reset: "1700000060" is not an HTTP-date (want e.g. "Tue, 14 Nov 2023 22:13:20 GMT")`},
	},
	{
		name: "broken structured fields",
		h:    map[string]string{"Ratelimit": `"default";t=30`, "Ratelimit-Policy": `"default";q=100;w=60`},
		spec: Spec{Convention: ConventionStructured},
		want: Claim{Convention: ConventionStructured, Limit: 100, HasLimit: true, Window: time.Minute, Policy: "default",
			Raw: map[string]string{"Ratelimit": `"default";t=30`, "Ratelimit-Policy": `"default";q=100;w=60`}},
		wantErrs: []string{`Ratelimit: "\"default\";t=30" member 1 has no r parameter`},
	},
}

func TestRead(t *testing.T) {
	for _, tt := range readTests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := Read(tt.h, tt.spec, at)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Read(%v, %+v) mismatch (-want +got):\n%s", tt.h, tt.spec, diff)
			}
			var gotErrs []string
			for _, err := range errs {
				gotErrs = append(gotErrs, err.Error())
			}
			if diff := cmp.Diff(tt.wantErrs, gotErrs); diff != "" {
				t.Errorf("Read(%v, %+v) errors mismatch (-want +got):\n%s", tt.h, tt.spec, diff)
			}
		})
	}
}

// twoPolicies is a structured response with a burst and a daily policy.
var twoPolicies = map[string]string{
	"Ratelimit":        `"burst";r=0;t=5, "daily";r=950;t=3600`,
	"Ratelimit-Policy": `"burst";q=100;w=60,"daily";q=1000;w=86400`,
}
