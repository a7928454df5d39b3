package scenarios

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"1s", time.Second, true},
		{"90s", 90 * time.Second, true},
		{"1h30m", 90 * time.Minute, true},
		{"second", time.Second, true},
		{"Minute", time.Minute, true},
		{"hour", time.Hour, true},
		{"day", 24 * time.Hour, true},
		{"month", Month, true},
		{" 24h ", 24 * time.Hour, true},
		{"fast", 0, false},
		{"60", 0, false},
		{"1d", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseDuration(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseDuration(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseRate(t *testing.T) {
	tests := []struct {
		in   string
		want RateSpec
		ok   bool
	}{
		{"2x", RateSpec{Multiple: 2}, true},
		{"0.5X", RateSpec{Multiple: 0.5}, true},
		{"40/s", RateSpec{PerSec: 40}, true},
		{"100/m", RateSpec{PerSec: 100.0 / 60}, true},
		{"5/h", RateSpec{PerSec: 5.0 / 3600}, true},
		{"30/minute", RateSpec{PerSec: 0.5}, true},
		{"fast", RateSpec{}, false},
		{"40", RateSpec{}, false},
		{"0x", RateSpec{}, false},
		{"-1x", RateSpec{}, false},
		{"Infx", RateSpec{}, false},
		{"NaN/s", RateSpec{}, false},
		{"0/s", RateSpec{}, false},
		{"40/d", RateSpec{}, false},
		{"x", RateSpec{}, false},
	}
	for _, tt := range tests {
		got, ok := parseRate(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("parseRate(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestPositionString(t *testing.T) {
	tests := []struct {
		in   Position
		want string
	}{
		{Position{"a.yaml", 3, 7}, "a.yaml:3:7"},
		{Position{"a.yaml", 3, 0}, "a.yaml:3"},
		{Position{"a.yaml", 0, 0}, "a.yaml"},
		{Position{"", 3, 7}, "3:7"},
		{Position{}, "-"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("%#v.String() = %q; want %q", tt.in, got, tt.want)
		}
	}
}
