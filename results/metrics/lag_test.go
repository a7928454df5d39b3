package metrics

import (
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/results"
)

// TestSendLag checks the schedule deviation of each request against the plan:
// request k of a phase is due at start + phase start + k/rate.
func TestSendLag(t *testing.T) {
	phases := []Phase{
		{Name: "under", Kind: "under", Rate: 10, Planned: 10, Duration: time.Second, Start: 0, FirstSeq: 0},
		{Name: "pause", Kind: "pause", Duration: time.Second, Start: time.Second},
		{Name: "over", Kind: "over", Rate: 40, Planned: 40, Duration: time.Second, Start: 2 * time.Second, FirstSeq: 10},
	}
	tests := []struct {
		name    string
		sends   []results.Observation
		phase   int
		wantP50 time.Duration
		wantMax time.Duration
	}{
		{
			name:  "on schedule",
			sends: []results.Observation{{Seq: 0, Phase: 0, Sent: start}, {Seq: 1, Phase: 0, Sent: start.Add(100 * time.Millisecond)}, {Seq: 2, Phase: 0, Sent: start.Add(200 * time.Millisecond)}},
			phase: 0, wantP50: 0, wantMax: 0,
		},
		{
			name: "catch-up burst after a stall is late, in the second phase's own schedule",
			sends: []results.Observation{
				{Seq: 10, Phase: 2, Sent: start.Add(2 * time.Second)},                     // due +2.000
				{Seq: 11, Phase: 2, Sent: start.Add(2*time.Second + 75*time.Millisecond)}, // due +2.025: 50 ms late
				{Seq: 12, Phase: 2, Sent: start.Add(2*time.Second + 75*time.Millisecond)}, // due +2.050: 25 ms late
				{Seq: 13, Phase: 2, Sent: start.Add(2*time.Second + 74*time.Millisecond)}, // due +2.075: 1 ms early counts as 0
			},
			phase: 2, wantP50: 0, wantMax: 50 * time.Millisecond,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRecorder(phases, start)
			for _, o := range tt.sends {
				o.Status = 200
				r.Record(o)
			}
			lag := r.Snapshot(start.Add(3 * time.Second)).Phases[tt.phase].SendLag
			if !near(lag.P50, tt.wantP50) || !near(lag.Max, tt.wantMax) {
				t.Errorf("SendLag p50 %v max %v; want p50 %v max %v", lag.P50, lag.Max, tt.wantP50, tt.wantMax)
			}
		})
	}
	if lag := NewRecorder(phases, start).Snapshot(start).Phases[1].SendLag; lag != (LatencySummary{}) {
		t.Errorf("a pause has send lag %+v; want none", lag)
	}
}

// near allows the histogram's 3 significant figures.
func near(got, want time.Duration) bool {
	d := got - want
	return d >= -want/500-time.Microsecond && d <= want/500+time.Microsecond
}

// TestSendLagFromPhaseOrigin checks that send lag counts from when a phase
// was launched (StartPhase), not from its planned offset: a phase launched
// 3 ms late that then sends exactly on its own schedule has no lag.
func TestSendLagFromPhaseOrigin(t *testing.T) {
	phases := []Phase{
		{Name: "under", Kind: "under", Rate: 10, Planned: 3, Duration: 300 * time.Millisecond},
		{Name: "over", Kind: "over", Rate: 40, Planned: 4, Duration: 100 * time.Millisecond, Start: time.Second, FirstSeq: 3},
	}
	launched := start.Add(time.Second + 3*time.Millisecond) // phase 1 launched 3 ms after its planned offset
	var sends []results.Observation
	for k := range 4 {
		sends = append(sends, results.Observation{Seq: uint64(3 + k), Phase: 1, Status: 200,
			Sent: launched.Add(time.Duration(k) * 25 * time.Millisecond)})
	}
	tests := []struct {
		name    string
		origin  time.Time // zero: no StartPhase
		wantMax time.Duration
	}{
		{"from the planned offset", time.Time{}, 3 * time.Millisecond},
		{"from the launch", launched, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRecorder(phases, start)
			if !tt.origin.IsZero() {
				r.StartPhase(1, tt.origin)
			}
			r.StartPhase(7, launched) // out of range: ignored
			for _, o := range sends {
				r.Record(o)
			}
			lag := r.Snapshot(launched).Phases[1].SendLag
			if !near(lag.P50, tt.wantMax) || !near(lag.Max, tt.wantMax) {
				t.Errorf("SendLag p50 %v max %v; want both %v", lag.P50, lag.Max, tt.wantMax)
			}
		})
	}
}

func TestSendLagBurst(t *testing.T) {
	// Groups of 4 at 40/s: requests 0-3 are all due at +0, 4-7 at +100 ms.
	// Request 3 goes out 30 ms late for its group; one by one it would have
	// been due at +75 ms and look early.
	phases := []Phase{{Name: "over", Kind: "over", Rate: 40, Planned: 8, Duration: 200 * time.Millisecond, Burst: 4}}
	r := NewRecorder(phases, start)
	for k := range 8 {
		sent := time.Duration(k/4) * 100 * time.Millisecond
		if k == 3 {
			sent += 30 * time.Millisecond
		}
		r.Record(results.Observation{Seq: uint64(k), Phase: 0, Sent: start.Add(sent), Status: 200})
	}
	if lag := r.Snapshot(start).Phases[0].SendLag; !near(lag.Max, 30*time.Millisecond) {
		t.Errorf("send lag max %v; want 30ms (request 3 late for its burst)", lag.Max)
	}
}
