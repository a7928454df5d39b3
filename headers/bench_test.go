package headers

import (
	"testing"
	"time"
)

// benchHeaders are the headers of a typical recorded observation: canonical
// names, as the attack stores them.
var benchHeaders = map[string]string{
	"X-Ratelimit-Limit":     "5000",
	"X-Ratelimit-Remaining": "4832",
	"X-Ratelimit-Reset":     "1700003600",
	"Retry-After":           "1",
}

// Goal: Read of a typical header set under 1 µs with at most a few allocations
// (the Raw map for evidence).
func BenchmarkRead(b *testing.B) {
	specs := []struct {
		name string
		h    map[string]string
		spec Spec
	}{
		{"x-ratelimit", benchHeaders, Spec{Convention: ConventionXRateLimit}},
		{"auto", benchHeaders, Spec{}},
		{"structured", map[string]string{
			"Ratelimit":        `"default";r=50;t=30`,
			"Ratelimit-Policy": `"default";q=100;w=60`,
		}, Spec{Convention: ConventionStructured, Window: time.Minute}},
	}
	for _, s := range specs {
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, errs := Read(s.h, s.spec, at); errs != nil {
					b.Fatal(errs)
				}
			}
		})
	}
}

func BenchmarkParseReset(b *testing.B) {
	for _, v := range []string{"1700003600", "1700000001.123", "Tue, 14 Nov 2023 22:14:20 GMT"} {
		b.Run(v, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, _, err := ParseReset(v, ResetAuto, at); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
