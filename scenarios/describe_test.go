package scenarios

import (
	"testing"
	"time"
)

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{Month, "month"},
		{24 * time.Hour, "day"},
		{48 * time.Hour, "48h"},
		{time.Hour, "1h"},
		{90 * time.Minute, "1h30m"},
		{time.Minute, "1m"},
		{95 * time.Second, "1m35s"},
		{1500 * time.Millisecond, "1.5s"},
		{0, "0s"},
	}
	for _, tt := range tests {
		if got := FormatDuration(tt.in); got != tt.want {
			t.Errorf("FormatDuration(%v) = %q; want %q", tt.in, got, tt.want)
		}
		if d, ok := parseDuration(tt.want); !ok || d != tt.in {
			t.Errorf("parseDuration(%q) = %v, %v; want %v: FormatDuration writes what a scenario may", tt.want, d, ok, tt.in)
		}
	}
}

func TestLimitDescribe(t *testing.T) {
	tests := []struct {
		l    Limit
		want string
	}{
		{Limit{Name: "per-second", Requests: 20, Window: time.Second, Scope: ScopeKey, Algorithm: AlgoAny, Burst: 20, Recovery: time.Second},
			"per-second: 20 per 1s per key (any)"},
		{Limit{Name: "bucket", Requests: 10, Window: time.Second, Scope: ScopeIP, Algorithm: AlgoTokenBucket, Burst: 40, Recovery: 2 * time.Second},
			"bucket: 10 per 1s per ip (token-bucket, burst 40, recovery 2s)"},
		{Limit{Name: "monthly", Unlimited: true, Window: Month, Scope: ScopeGlobal, Algorithm: AlgoFixedWindow},
			"monthly: unlimited per month per global (fixed-window)"},
	}
	for _, tt := range tests {
		if got := tt.l.Describe(); got != tt.want {
			t.Errorf("%s.Describe() = %q; want %q", tt.l.Name, got, tt.want)
		}
	}
}
