package main

import (
	"runtime"
	"testing"
	"time"
)

func TestParseCPU(t *testing.T) {
	data := []byte("cpu  100 5 50 800 40 3 2 0 0 0\ncpu0 50 2 25 400 20 1 1 0 0 0\n")
	got, err := parseCPU(data)
	if err != nil {
		t.Fatalf("parseCPU: %v", err)
	}
	// busy = user+nice+system+irq+softirq+steal…; idle (800) and iowait (40) are not.
	want := cpuStat{Busy: 100 + 5 + 50 + 3 + 2, Total: 1000}
	if got != want {
		t.Errorf("parseCPU(…) = %+v; want %+v", got, want)
	}
	for _, bad := range []string{"", "intr 1 2 3 4 5", "cpu 1 2 x 4 5"} {
		if _, err := parseCPU([]byte(bad)); err == nil {
			t.Errorf("parseCPU(%q) = nil error; want one", bad)
		}
	}
}

func TestCores(t *testing.T) {
	n := float64(runtime.NumCPU())
	tests := []struct {
		a, b cpuStat
		want float64
	}{
		{cpuStat{0, 0}, cpuStat{50, 100}, 0.5 * n},
		{cpuStat{10, 100}, cpuStat{10, 200}, 0},
		{cpuStat{10, 100}, cpuStat{10, 100}, 0}, // no time passed
	}
	for _, tt := range tests {
		if got := cores(tt.a, tt.b); got != tt.want {
			t.Errorf("cores(%+v, %+v) = %v; want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestParseProcessCPU(t *testing.T) {
	// Field 2 holds a space and a ')': fields are counted from the last ')'.
	data := []byte("4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 1000 0 0\n")
	got, err := parseProcessCPU(data)
	if err != nil {
		t.Fatalf("parseProcessCPU: %v", err)
	}
	if want := 3 * time.Second; got != want {
		t.Errorf("parseProcessCPU(…) = %v; want %v", got, want)
	}
	if _, err := parseProcessCPU([]byte("4242 (x) S 1")); err == nil {
		t.Error("parseProcessCPU(short line) = nil error; want one")
	}
}
