package dashboard

import (
	"math"
	"testing"
	"time"
)

func TestCount(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0"}, {999, "999"}, {1000, "1,000"}, {1234567, "1,234,567"}, {-1234, "-1,234"},
	}
	for _, tt := range tests {
		if got := count(tt.in); got != tt.want {
			t.Errorf("count(%d) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestRate(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0.0/s"}, {39.84, "39.8/s"}, {1000, "1000.0/s"}, {math.NaN(), "–/s"}, {math.Inf(1), "–/s"}, {-1, "–/s"},
	}
	for _, tt := range tests {
		if got := rate(tt.in); got != tt.want {
			t.Errorf("rate(%v) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestLatency(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{850 * time.Microsecond, "850µs"},
		{1200 * time.Microsecond, "1.2ms"},
		{99 * time.Millisecond, "99.0ms"},
		{141 * time.Millisecond, "141ms"},
		{1250 * time.Millisecond, "1.25s"},
		{-1, "–"},
	}
	for _, tt := range tests {
		if got := latency(tt.in); got != tt.want {
			t.Errorf("latency(%v) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestClock(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{0, "0.0s"}, {13250 * time.Millisecond, "13.2s"}, {245 * time.Second, "4m05s"},
		{2*time.Hour + 3*time.Minute, "2h03m"}, {-time.Second, "0.0s"},
	}
	for _, tt := range tests {
		if got := clock(tt.in); got != tt.want {
			t.Errorf("clock(%v) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestFrameProgress(t *testing.T) {
	tests := []struct {
		name string
		f    Frame
		want float64
	}{
		{"half", Frame{Elapsed: 5 * time.Second, Total: 10 * time.Second}, 0.5},
		{"total from phases", Frame{Elapsed: 5 * time.Second, Phases: []PhaseInfo{{Start: 10 * time.Second, Duration: 10 * time.Second}}}, 0.25},
		{"overrun", Frame{Elapsed: 20 * time.Second, Total: 10 * time.Second}, 1},
		{"negative", Frame{Elapsed: -time.Second, Total: 10 * time.Second}, 0},
		{"no total", Frame{Elapsed: time.Second}, 0},
		{"done", Frame{Done: true}, 1},
	}
	for _, tt := range tests {
		if got := tt.f.progress(); got != tt.want {
			t.Errorf("%s: progress() = %v; want %v", tt.name, got, tt.want)
		}
	}
}
