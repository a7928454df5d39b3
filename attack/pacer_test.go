package attack

import (
	"math"
	"testing"
	"time"
)

func TestPhasePacerPace(t *testing.T) {
	tests := []struct {
		name     string
		pacer    phasePacer
		elapsed  time.Duration
		hits     uint64
		wantWait time.Duration
		wantStop bool
	}{
		{"first hit is due at once", phasePacer{PerSec: 20, Count: 10}, 0, 0, 0, false},
		{"second hit waits one interval", phasePacer{PerSec: 20, Count: 10}, 0, 1, 50 * time.Millisecond, false},
		{"part of the interval has passed", phasePacer{PerSec: 20, Count: 10}, 30 * time.Millisecond, 1, 20 * time.Millisecond, false},
		{"behind schedule sends at once", phasePacer{PerSec: 20, Count: 10}, 200 * time.Millisecond, 2, 0, false},
		{"fractional rate", phasePacer{PerSec: 0.5, Count: 3}, time.Second, 1, time.Second, false},
		{"non-integer rate", phasePacer{PerSec: 7.5, Count: 100}, 0, 15, 2 * time.Second, false},
		{"stops after count", phasePacer{PerSec: 20, Count: 10}, time.Second, 10, 0, true},
		{"zero rate stops", phasePacer{PerSec: 0, Count: 10}, 0, 0, 0, true},
		{"burst: the whole group is due at once", phasePacer{PerSec: 40, Count: 120, Burst: 8}, 0, 7, 0, false},
		{"burst: the next group waits Burst/Rate", phasePacer{PerSec: 40, Count: 120, Burst: 8}, 0, 8, 200 * time.Millisecond, false},
		{"unpaced never waits", phasePacer{PerSec: math.Inf(1), Count: 1 << 40}, 0, 5000, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wait, stop := tt.pacer.Pace(tt.elapsed, tt.hits)
			if wait != tt.wantWait || stop != tt.wantStop {
				t.Errorf("%+v.Pace(%v, %d) = %v, %v; want %v, %v", tt.pacer, tt.elapsed, tt.hits, wait, stop, tt.wantWait, tt.wantStop)
			}
		})
	}
}

// TestPhasePacerSchedule walks a whole phase the way vegeta does (sleep the wait,
// then hit) and checks that the hits land exactly on the ideal schedule.
func TestPhasePacerSchedule(t *testing.T) {
	p := phasePacer{PerSec: 40, Count: 120}
	var elapsed time.Duration
	var hits uint64
	for {
		wait, stop := p.Pace(elapsed, hits)
		if stop {
			break
		}
		elapsed += wait
		want := time.Duration(float64(hits) / 40 * float64(time.Second))
		if elapsed != want {
			t.Fatalf("hit %d sent at %v; want %v", hits, elapsed, want)
		}
		hits++
	}
	if hits != 120 {
		t.Errorf("sent %d hits; want 120", hits)
	}
}
