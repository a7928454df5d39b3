package report

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestFmtCount(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0"}, {7, "7"}, {999, "999"}, {1000, "1,000"}, {12345, "12,345"},
		{1234567, "1,234,567"}, {-1234, "-1,234"}, {math.MinInt64, "-9,223,372,036,854,775,808"},
	}
	for _, tt := range tests {
		if got := fmtCount(tt.in); got != tt.want {
			t.Errorf("fmtCount(%d) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestFmtRateAndRatio(t *testing.T) {
	rates := []struct {
		in   float64
		want string
	}{
		{20, "20/s"}, {19.876, "19.88/s"}, {0.5, "0.5/s"}, {0, "0/s"},
		{math.NaN(), "n/a"}, {math.Inf(1), "n/a"},
	}
	for _, tt := range rates {
		if got := fmtRate(tt.in); got != tt.want {
			t.Errorf("fmtRate(%v) = %q; want %q", tt.in, got, tt.want)
		}
	}
	ratios := []struct {
		achieved, requested float64
		want                string
	}{
		{19.88, 20, "99.4%"}, {20, 20, "100.0%"}, {5, 0, "n/a"}, {5, -1, "n/a"},
		{math.NaN(), 20, "n/a"}, {1, math.Inf(1), "0.0%"},
	}
	for _, tt := range ratios {
		if got := fmtRatio(tt.achieved, tt.requested); got != tt.want {
			t.Errorf("fmtRatio(%v, %v) = %q; want %q", tt.achieved, tt.requested, got, tt.want)
		}
	}
}

func TestFmtDurations(t *testing.T) {
	tests := []struct {
		name string
		f    func(time.Duration) string
		in   time.Duration
		want string
	}{
		{"fmtMillis", fmtMillis, 12345678, "12.35"},
		{"fmtMillis", fmtMillis, 0, "0.00"},
		{"fmtLatency", fmtLatency, 812 * time.Microsecond, "0.81 ms"},
		{"fmtOffset", fmtOffset, 1234 * time.Millisecond, "+1.234 s"},
		{"fmtOffset", fmtOffset, -5 * time.Millisecond, "-0.005 s"},
		{"fmtDuration", fmtDuration, 12345 * time.Millisecond, "12.345 s"},
		{"fmtDuration", fmtDuration, -1, "n/a"},
	}
	for _, tt := range tests {
		if got := tt.f(tt.in); got != tt.want {
			t.Errorf("%s(%v) = %q; want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestFmtTime(t *testing.T) {
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Time{}, "n/a"},
		{time.Date(2025, 3, 1, 10, 0, 1, 234567890, time.UTC), "2025-03-01 10:00:01.234 +00:00"},
		{time.Date(2025, 3, 1, 10, 0, 1, 0, time.FixedZone("CET", 3600)), "2025-03-01 10:00:01.000 +01:00"},
	}
	for _, tt := range tests {
		if got := fmtTime(tt.in); got != tt.want {
			t.Errorf("fmtTime(%v) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestFmtStatusAndHeaders(t *testing.T) {
	statuses := map[int]string{0: "transport error", 429: "429 Too Many Requests", 599: "599"}
	for in, want := range statuses {
		if got := fmtStatus(in); got != want {
			t.Errorf("fmtStatus(%d) = %q; want %q", in, got, want)
		}
	}
	got := fmtHeaders(map[string]string{"X-RateLimit-Remaining": "0", "Retry-After": "1"})
	if diff := cmp.Diff([]string{"Retry-After: 1", "X-RateLimit-Remaining: 0"}, got); diff != "" {
		t.Errorf("fmtHeaders mismatch (-want +got):\n%s", diff)
	}
	if got := fmtHeaders(nil); got != nil {
		t.Errorf("fmtHeaders(nil) = %v; want nil", got)
	}
}

func TestOneLine(t *testing.T) {
	if got, want := oneLine("a\nb\t c\r\n"), "a b c"; got != want {
		t.Errorf("oneLine = %q; want %q", got, want)
	}
}

func TestMdText(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"plain words", "plain words"},
		{"a|b", `a\|b`},
		{"<b>&", "&lt;b&gt;&amp;"},
		{"*x* _y_ `z` [l](u) ~s~", "\\*x\\* \\_y\\_ \\`z\\` \\[l\\](u) \\~s\\~"},
		{"# h", `\# h`},
		{"- item", `\- item`},
		{"12. item", `12\. item`},
		{"3) item", `3\) item`},
		{"not # at start", "not # at start"},
		{"line\nbreak", "line break"},
	}
	for _, tt := range tests {
		if got := mdText(tt.in); got != tt.want {
			t.Errorf("mdText(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
