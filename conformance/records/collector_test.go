package records

import (
	"math"
	"testing"
	"time"
)

func TestLatencyMicros(t *testing.T) {
	tests := []struct {
		ns   int64
		want uint32
	}{
		{-5, 0},
		{0, 0},
		{1, 1}, // rounded up: the arrival interval only widens
		{1000, 1},
		{1001, 2},
		{int64(250 * time.Millisecond), 250_000},
		{math.MaxInt64, math.MaxUint32},
	}
	for _, tt := range tests {
		if got := LatencyMicros(tt.ns); got != tt.want {
			t.Errorf("LatencyMicros(%d) = %d; want %d", tt.ns, got, tt.want)
		}
	}
}
