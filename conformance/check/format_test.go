package check

import (
	"testing"
	"time"
)

func TestFmtWindow(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{time.Second, "1s"}, {90 * time.Second, "90s"}, {time.Minute, "1m"}, {time.Hour, "1h"},
		{24 * time.Hour, "24h"}, {30 * 24 * time.Hour, "30d"}, {1500 * time.Millisecond, "1.5s"},
	}
	for _, tt := range tests {
		if got := FormatWindow(tt.d); got != tt.want {
			t.Errorf("FormatWindow(%v) = %q; want %q", tt.d, got, tt.want)
		}
	}
}

func TestFmtNum(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{{20, "20"}, {0.5, "0.5"}, {16.666, "16.67"}, {2.0001, "2"}, {-0.07, "-0.07"}}
	for _, tt := range tests {
		if got := FormatNum(tt.v); got != tt.want {
			t.Errorf("FormatNum(%v) = %q; want %q", tt.v, got, tt.want)
		}
	}
}

func TestFmtAlignment(t *testing.T) {
	const ms = time.Millisecond
	tests := []struct {
		into, w time.Duration
		want    string
	}{
		{370 * ms, time.Second, "0.370 s into each 1s"},
		{500 * ms, time.Second, "0.500 s into each 1s"},
		{997 * ms, time.Second, "0.003 s before each whole 1s"},
		{0, time.Minute, "0.000 s into each 1m"},
	}
	for _, tt := range tests {
		if got := FormatAlignment(tt.into, tt.w); got != tt.want {
			t.Errorf("FormatAlignment(%v, %v) = %q; want %q", tt.into, tt.w, got, tt.want)
		}
	}
}
