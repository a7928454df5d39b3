package headers

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"
)

func TestSuffixFor(t *testing.T) {
	const day = 24 * time.Hour
	tests := []struct {
		window time.Duration
		want   []string
	}{
		{time.Second, []string{"Second"}},
		{time.Minute, []string{"Minute"}},
		{time.Hour, []string{"Hour"}},
		{day, []string{"Day"}},
		{28 * day, []string{"Month"}},
		{30 * day, []string{"Month"}},
		{31 * day, []string{"Month"}},
		{365 * day, []string{"Year"}},
		{0, nil},
		{2 * time.Second, nil},
		{10 * time.Minute, nil},
		{7 * day, nil},
		{30*day + time.Hour, nil},
		{-time.Second, nil},
	}
	for _, tt := range tests {
		if got := SuffixFor(tt.window); !slices.Equal(got, tt.want) {
			t.Errorf("SuffixFor(%v) = %q; want %q", tt.window, got, tt.want)
		}
	}
}

func TestAutoConvention(t *testing.T) {
	tests := []struct {
		name string
		h    map[string]string
		want Convention
	}{
		{"nil", nil, ConventionNone},
		{"Retry-After only", map[string]string{"Retry-After": "1"}, ConventionNone},
		{"GitHub", map[string]string{"X-Ratelimit-Limit": "5000", "X-Ratelimit-Used": "1"}, ConventionXRateLimit},
		{"lower case", map[string]string{"x-ratelimit-remaining": "1"}, ConventionXRateLimit},
		{"Kong per minute", map[string]string{"X-Ratelimit-Limit-Minute": "60"}, ConventionXRateLimit},
		{"Discord reset-after", map[string]string{"X-Ratelimit-Reset-After": "1.5"}, ConventionXRateLimit},
		{"Twitter/X", map[string]string{"X-Rate-Limit-Limit": "900", "X-Rate-Limit-Reset": "1700000900"}, ConventionXRateLimitDashed},
		{"draft counters", map[string]string{"Ratelimit-Remaining": "2"}, ConventionDraft},
		{"structured", map[string]string{"Ratelimit": `"default";r=1;t=1`}, ConventionStructured},
		{"structured policy only", map[string]string{"RATELIMIT-POLICY": `"default";q=1;w=1`}, ConventionStructured},
		{"structured wins over counters", map[string]string{
			"X-Ratelimit-Limit": "1", "Ratelimit-Limit": "1", "Ratelimit": `"d";r=1`,
		}, ConventionStructured},
		{"draft wins over x-ratelimit", map[string]string{"X-Ratelimit-Limit": "1", "Ratelimit-Reset": "1"}, ConventionDraft},
		{"look-alikes do not count", map[string]string{
			"X-Ratelimit-Limited": "1", "X-Ratelimit-Bucket": "abc", "Ratelimit-Foo": "1", "X-Ratelimit": "1",
		}, ConventionNone},
	}
	var sniff Sniffer // one for all the cases, each asked twice: its memory must not change an answer
	for _, tt := range tests {
		if got := AutoConvention(tt.h); got != tt.want {
			t.Errorf("AutoConvention(%v) [%s] = %q; want %q", tt.h, tt.name, got, tt.want)
		}
		for range 2 {
			if got := sniff.Convention(tt.h); got != tt.want {
				t.Errorf("Sniffer.Convention(%v) [%s] = %q; want %q", tt.h, tt.name, got, tt.want)
			}
		}
	}
}

// A Sniffer past the names it remembers still answers as AutoConvention does.
func TestSnifferBeyondItsMemory(t *testing.T) {
	var sniff Sniffer
	for i := range 2 * sniffedNames {
		h := map[string]string{fmt.Sprintf("X-Custom-%d", i): "1"}
		if i%3 == 0 {
			h["Ratelimit-Remaining"] = "1"
		}
		if got, want := sniff.Convention(h), AutoConvention(h); got != want {
			t.Fatalf("Sniffer.Convention(%v) = %q; want %q", h, got, want)
		}
	}
	if len(sniff.owners) > sniffedNames {
		t.Errorf("the sniffer remembers %d names; want at most %d", len(sniff.owners), sniffedNames)
	}
}

// A Sniffer answers as AutoConvention does whatever headers came before:
// random runs of headers, the same names often repeating from one response
// to the next, in any case, with values that change.
func TestSnifferRandomRuns(t *testing.T) {
	names := []string{"X-Ratelimit-Limit", "x-ratelimit-remaining", "X-RateLimit-Reset", "Ratelimit-Limit",
		"RateLimit-Remaining", "RateLimit", "RateLimit-Policy", "X-Rate-Limit-Limit", "Retry-After",
		"Content-Type", "X-Custom", "X-Ratelimit-Remaining-Minute"}
	r := rand.New(rand.NewPCG(7, 8))
	var sniff Sniffer
	var h map[string]string
	for i := range 20_000 {
		if h == nil || r.IntN(3) == 0 { // new names
			h = map[string]string{}
			for range r.IntN(sniffedLast + 3) {
				h[names[r.IntN(len(names))]] = "1"
			}
		} else { // the same names, another value
			c := maps.Clone(h)
			for k := range c {
				c[k] = strconv.Itoa(r.IntN(100))
			}
			h = c
		}
		if got, want := sniff.Convention(h), AutoConvention(h); got != want {
			t.Fatalf("response %d: Sniffer.Convention(%v) = %q; want %q", i, h, got, want)
		}
	}
}

// BenchmarkSniffer is the sniffing of a typical response's headers, with and
// without the Sniffer's memory.
func BenchmarkSniffer(b *testing.B) {
	h := map[string]string{"X-Ratelimit-Limit": "8000", "X-Ratelimit-Remaining": "12", "Content-Type": "text/plain"}
	b.Run("AutoConvention", func(b *testing.B) {
		for b.Loop() {
			AutoConvention(h)
		}
	})
	b.Run("Sniffer", func(b *testing.B) {
		var sniff Sniffer
		for b.Loop() {
			sniff.Convention(h)
		}
	})
}

func TestNamesResolve(t *testing.T) {
	tests := []struct {
		name  string
		names Names
		conv  Convention
		want  Names
	}{
		{"x-ratelimit defaults", Names{}, ConventionXRateLimit,
			Names{"X-Ratelimit-Limit", "X-Ratelimit-Remaining", "X-Ratelimit-Reset", ""}},
		{"x-rate-limit defaults", Names{}, ConventionXRateLimitDashed,
			Names{"X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset", ""}},
		{"draft defaults", Names{}, ConventionDraft,
			Names{"Ratelimit-Limit", "Ratelimit-Remaining", "Ratelimit-Reset", ""}},
		{"suffix on defaults only", Names{Reset: "X-Quota-Reset", Suffix: "Minute"}, ConventionXRateLimit,
			Names{"X-Ratelimit-Limit-Minute", "X-Ratelimit-Remaining-Minute", "X-Quota-Reset", "Minute"}},
		{"vendor has no defaults", Names{Limit: "X-Quota"}, ConventionVendor, Names{Limit: "X-Quota"}},
	}
	for _, tt := range tests {
		if got := tt.names.resolve(tt.conv); got != tt.want {
			t.Errorf("%+v.resolve(%q) [%s] = %+v; want %+v", tt.names, tt.conv, tt.name, got, tt.want)
		}
	}
}

func TestLookupIgnoresCase(t *testing.T) {
	h := map[string]string{"X-Ratelimit-Limit": "1", "x-ratelimit-remaining": "2"}
	tests := []struct{ name, wantKey, wantValue string }{
		{"X-Ratelimit-Limit", "X-Ratelimit-Limit", "1"},
		{"X-RateLimit-Limit", "X-Ratelimit-Limit", "1"},
		{"X-RATELIMIT-REMAINING", "x-ratelimit-remaining", "2"},
	}
	for _, tt := range tests {
		k, v, ok := lookup(h, tt.name)
		if !ok || k != tt.wantKey || v != tt.wantValue {
			t.Errorf("lookup(h, %q) = %q, %q, %v; want %q, %q, true", tt.name, k, v, ok, tt.wantKey, tt.wantValue)
		}
	}
	for _, name := range []string{"", "X-RateLimit-Reset", "X-RateLimit-Limi"} {
		if k, v, ok := lookup(h, name); ok {
			t.Errorf("lookup(h, %q) = %q, %q, true; want not found", name, k, v)
		}
	}
}

// TestConventionTable ranges over the table: each convention that sends
// counters is sniffed from its own default names and read back by Read with
// them; each row's reset format is in the reset table.
func TestConventionTable(t *testing.T) {
	at := time.Unix(1_700_000_000, 0)
	seen := map[Convention]bool{}
	for _, ci := range conventions {
		c := ci.name
		if seen[c] {
			t.Errorf("convention %q has two rows", c)
		}
		seen[c] = true
		if f := c.DefaultResetFormat(); f != ResetAuto && f.info() == nil {
			t.Errorf("%q.DefaultResetFormat() = %q, which is not in the reset table", c, f)
		}
		if !c.HasCounters() {
			continue
		}
		n := c.DefaultNames()
		if c == ConventionVendor {
			continue // names come from the scenario alone
		}
		if n.Limit == "" || n.Remaining == "" || n.Reset == "" {
			t.Errorf("%q has counters but default names %+v", c, n)
			continue
		}
		h := map[string]string{Canonical(n.Limit): "10", Canonical(n.Remaining): "3", Canonical(n.Reset): "5"}
		if ci.rank > 0 {
			if got := AutoConvention(h); got != c {
				t.Errorf("AutoConvention(%v) = %q; want %q", h, got, c)
			}
		}
		claim, errs := Read(h, Spec{Convention: c, ResetFormat: ResetDeltaSeconds}, at)
		if len(errs) > 0 || claim.Limit != 10 || claim.Remaining != 3 || !claim.Reset.Equal(at.Add(5*time.Second)) {
			t.Errorf("Read(%v, %q) = %+v, %v; want Limit 10, Remaining 3, Reset in 5 s", h, c, claim, errs)
		}
	}
	for _, c := range Declarable() {
		if c.info() == nil || !c.info().declarable {
			t.Errorf("Declarable() has %q, which is no declarable row", c)
		}
	}
	for _, c := range []Convention{ConventionAuto, "", "bogus"} {
		if c.HasCounters() || c.DefaultNames() != (Names{}) || c.Fields() != nil {
			t.Errorf("%q is no row but has facts", c)
		}
	}
}
