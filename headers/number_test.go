package headers

import (
	"strings"
	"testing"
)

// countTests are the cases of TestParseCount, also the seeds of the fuzz tests.
var countTests = []struct {
	in   string
	want int64
}{
	{"5000", 5000}, // GitHub X-RateLimit-Limit
	{"4999", 4999}, // GitHub X-RateLimit-Remaining
	{"0", 0},
	{" 42\t", 42},
	{"9223372036854775807", 1<<63 - 1},
	{"100, 100;w=60", 100},      // early draft RateLimit-Limit with a policy
	{"10, 10;w=1, 50;w=60", 10}, // draft 03 example
	{"100;w=60", 100},           // a lone policy
	{"100, 100", 100},           // the field sent twice, joined
}

func TestParseCount(t *testing.T) {
	for _, tt := range countTests {
		got, err := ParseCount(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseCount(%q) = %d, %v; want %d, nil", tt.in, got, err, tt.want)
		}
	}
}

func TestParseCountErrors(t *testing.T) {
	for _, in := range []string{
		"", " ", "-1", "+1", "1.5", "1e3", "ten", "9223372036854775808", "0x10",
		"-1, 5", `"default";q=1`, "1,", "12 34",
	} {
		got, err := ParseCount(in)
		if err == nil {
			t.Errorf("ParseCount(%q) = %d; want an error", in, got)
			continue
		}
		if want := quote(in) + " is not a non-negative integer"; err.Error() != want {
			t.Errorf("ParseCount(%q) error = %q; want %q", in, err, want)
		}
	}
}

func TestParseUsedOfLimit(t *testing.T) {
	tests := []struct {
		in          string
		used, limit int64
	}{
		{"32/40", 32, 40}, // Shopify X-Shopify-Shop-Api-Call-Limit
		{"1/40", 1, 40},
		{" 40 / 40 ", 40, 40},
		{"41/40", 41, 40}, // over-admitted: reported as is
	}
	for _, tt := range tests {
		used, limit, err := ParseUsedOfLimit(tt.in)
		if err != nil || used != tt.used || limit != tt.limit {
			t.Errorf("ParseUsedOfLimit(%q) = %d, %d, %v; want %d, %d, nil", tt.in, used, limit, err, tt.used, tt.limit)
		}
	}
	for _, in := range []string{"", "32", "32/", "/40", "a/40", "32/40/50", "-1/40", "32of40"} {
		if used, limit, err := ParseUsedOfLimit(in); err == nil || !strings.Contains(err.Error(), `is not "used/limit"`) {
			t.Errorf("ParseUsedOfLimit(%q) = %d, %d, %v; want a used/limit error", in, used, limit, err)
		}
	}
}

func TestParseSeconds(t *testing.T) {
	tests := []struct {
		in   string
		want seconds
		ok   bool
	}{
		{"0", seconds{}, true},
		{"12", seconds{whole: 12}, true},
		{"12.5", seconds{whole: 12, nanos: 500_000_000, frac: true}, true},
		{"0.000000001", seconds{nanos: 1, frac: true}, true},
		{"1.1234567891", seconds{whole: 1, nanos: 123456789, frac: true}, true},
		{"1.", seconds{}, false},
		{".1", seconds{}, false},
		{"1.2.3", seconds{}, false},
		{"1.-2", seconds{}, false},
	}
	for _, tt := range tests {
		got, ok := parseSeconds(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseSeconds(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
