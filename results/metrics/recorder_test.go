package metrics

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/ratecheck/ratecheck/results"
)

var start = time.Date(2026, 11, 22, 14, 20, 0, 0, time.UTC)

var testPhases = []Phase{
	{Name: "under", Kind: "under", Rate: 10, Planned: 20, Duration: 2 * time.Second},
	{Name: "over", Kind: "over", Rate: 40, Planned: 80, Duration: 2 * time.Second},
}

// obs is an observation of phase sent at offset at with the given status.
func obs(phase int, at time.Duration, status int) results.Observation {
	return results.Observation{Phase: phase, Sent: start.Add(at), Latency: time.Millisecond, Status: status}
}

func record(r *Recorder, os ...results.Observation) *Recorder {
	for _, o := range os {
		r.Record(o)
	}
	return r
}

func TestPhaseCounts(t *testing.T) {
	var sends []results.Observation
	// Phase 1 at exactly 40/s, recorded in completion order (reversed), with
	// every kind of answer.
	statuses := []int{200, 204, 301, 429, 429, 503, 0, 500, 200}
	for i := len(statuses) - 1; i >= 0; i-- {
		sends = append(sends, obs(1, 2*time.Second+time.Duration(i)*25*time.Millisecond, statuses[i]))
	}
	sends = append(sends,
		obs(0, 0, 200),                  // phase 0: one request, no rate yet
		obs(-1, time.Second, 200),       // out of range: totals only
		obs(2, time.Second, 429),        // out of range: totals only
		obs(99, 10*time.Millisecond, 0), // out of range: totals only
	)
	r := record(NewRecorder(testPhases, start), sends...)
	got := r.Snapshot(start.Add(5 * time.Second)).Phases
	want := []PhaseSnapshot{
		{Name: "under", Kind: "under", RequestedRate: 10, AchievedRate: 0, Planned: 20, Requests: 1, Admitted: 1, Duration: 2 * time.Second, Latency: ms1},
		{Name: "over", Kind: "over", RequestedRate: 40, AchievedRate: 40, Planned: 80, Requests: 9, Admitted: 4, Limited: 2, Other: 3, Duration: 2 * time.Second, Latency: ms1},
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(approxRate), cmpopts.IgnoreFields(PhaseSnapshot{}, "SendLag")); diff != "" {
		t.Errorf("Snapshot().Phases (-want +got):\n%s", diff)
	}
	if n := r.Snapshot(start).Requests; n != int64(len(sends)) {
		t.Errorf("Snapshot().Requests = %d; want %d, out-of-range phases included", n, len(sends))
	}
}

// ms1 is the latency summary of answers that all took 1 ms.
var ms1 = LatencySummary{Min: time.Millisecond, Mean: time.Millisecond, P50: time.Millisecond, P90: time.Millisecond, P99: time.Millisecond, Max: time.Millisecond}

// TestPhaseLatency: each phase has the latency of its own answered
// requests; a transport error counts in none.
func TestPhaseLatency(t *testing.T) {
	r := NewRecorder(testPhases, start)
	for i := 1; i <= 100; i++ {
		o := obs(0, time.Duration(i)*time.Millisecond, 200)
		o.Latency = time.Duration(i) * time.Millisecond
		r.Record(o)
	}
	slow := obs(1, 2*time.Second, 429)
	slow.Latency = 300 * time.Millisecond
	lost := obs(1, 2*time.Second, 0)
	lost.Latency = 10 * time.Second
	record(r, slow, lost)
	s := r.Snapshot(start.Add(3 * time.Second))
	under, over := s.Phases[0].Latency, s.Phases[1].Latency
	near := func(got, want time.Duration) bool { return got >= want-want/500 && got <= want+want/500 }
	if !near(under.P50, 50*time.Millisecond) || !near(under.P90, 90*time.Millisecond) || under.Max != 100*time.Millisecond || under.Min != time.Millisecond {
		t.Errorf("under phase latency %+v; want 1 ms to 100 ms, p50 50 ms, p90 90 ms", under)
	}
	if over.Min != 300*time.Millisecond || over.Max != 300*time.Millisecond {
		t.Errorf("over phase latency %+v; want its one answer, 300 ms (the transport error not counted)", over)
	}
	if s.Latency.Max != 300*time.Millisecond {
		t.Errorf("run latency max %v; want 300 ms", s.Latency.Max)
	}
}

func approxRate(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

func TestAchievedRate(t *testing.T) {
	tests := []struct {
		name  string
		sends []time.Duration // offsets of the phase's sends, in arrival order
		want  float64
	}{
		{"none", nil, 0},
		{"one", []time.Duration{time.Second}, 0},
		{"all at once", []time.Duration{time.Second, time.Second, time.Second}, 0},
		{"two 100ms apart", []time.Duration{0, 100 * time.Millisecond}, 10},
		{"out of order", []time.Duration{300 * time.Millisecond, 0, 200 * time.Millisecond, 100 * time.Millisecond}, 10},
		// A catch-up burst: 5 sends in the last 10 ms of a second: (6-1)/1s.
		{"burst", []time.Duration{0, 990 * time.Millisecond, 992 * time.Millisecond, 994 * time.Millisecond, 996 * time.Millisecond, time.Second}, 5},
		// Cut short: half the planned 2 s at 40/s still reads 40/s.
		{"interrupted", func() []time.Duration {
			var d []time.Duration
			for i := range 41 {
				d = append(d, time.Duration(i)*25*time.Millisecond)
			}
			return d
		}(), 40},
	}
	for _, tt := range tests {
		r := NewRecorder(testPhases, start)
		for _, at := range tt.sends {
			r.Record(obs(1, at, 200))
		}
		got := r.Snapshot(start).Phases[1].AchievedRate
		if !approxRate(got, tt.want) {
			t.Errorf("%s: AchievedRate after sends at %v = %v; want %v", tt.name, tt.sends, got, tt.want)
		}
	}
}

// A phase that sends in bursts of 5 at 40/s releases one burst every 125 ms:
// its rate counts the requests before the last burst over the span, not n − 1.
func TestAchievedRateOfBursts(t *testing.T) {
	phases := []Phase{{Name: "over-burst", Kind: "over", Rate: 40, Planned: 20, Duration: 500 * time.Millisecond, Burst: 5}}
	tests := []struct {
		name string
		n    int // requests sent, 5 to a burst
		want float64
	}{
		{"four full bursts", 20, 40},
		{"a partial last burst", 18, 40},
		{"one burst", 5, 0},
	}
	for _, tt := range tests {
		r := NewRecorder(phases, start)
		for k := range tt.n {
			r.Record(obs(0, time.Duration(k/5)*125*time.Millisecond, 200))
		}
		if got := r.Snapshot(start).Phases[0].AchievedRate; !approxRate(got, tt.want) {
			t.Errorf("%s: AchievedRate = %v; want %v", tt.name, got, tt.want)
		}
	}
}

func TestStatusCounts(t *testing.T) {
	r := record(NewRecorder(nil, start),
		obs(0, 0, 200), obs(0, 0, 200), obs(0, 0, 429), obs(0, 0, 0), obs(0, 0, 0), obs(0, 0, 0),
		obs(0, 0, 599), obs(0, 0, 600), obs(0, 0, 999), obs(0, 0, -7))
	got := r.Snapshot(start)
	want := map[int]int64{0: 3, 200: 2, 429: 1, 599: 1, 600: 1, 999: 1, -7: 1}
	if diff := cmp.Diff(want, got.Statuses); diff != "" {
		t.Errorf("Snapshot().Statuses (-want +got):\n%s", diff)
	}
	if got.Requests != 10 || got.Errors != 3 {
		t.Errorf("Snapshot() Requests, Errors = %d, %d; want 10, 3", got.Requests, got.Errors)
	}
}

func TestLatencyOnlyForAnswers(t *testing.T) {
	r := NewRecorder(nil, start)
	r.Record(results.Observation{Status: 200, Latency: 2 * time.Millisecond})
	r.Record(results.Observation{Status: 0, Latency: 30 * time.Second, Error: "dial tcp: i/o timeout"})
	if got := r.Snapshot(start).Latency.Max; got != 2*time.Millisecond {
		t.Errorf("Latency.Max = %v; want 2ms (transport errors have no latency)", got)
	}
}

func TestZeroObservations(t *testing.T) {
	r := NewRecorder(testPhases, start)
	got := r.Snapshot(start.Add(1500 * time.Millisecond))
	want := Snapshot{
		Elapsed:  1500 * time.Millisecond,
		Statuses: map[int]int64{},
		Phases: []PhaseSnapshot{
			{Name: "under", Kind: "under", RequestedRate: 10, Planned: 20, Duration: 2 * time.Second},
			{Name: "over", Kind: "over", RequestedRate: 40, Planned: 80, Duration: 2 * time.Second},
		},
		Recent: []SecondCounts{{Second: 0}, {Second: 1}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Snapshot() of nothing (-want +got):\n%s", diff)
	}
	if tl := r.Timeline(); tl == nil || len(tl) != 0 {
		t.Errorf("Timeline() of nothing = %#v; want an empty, non-nil slice", tl)
	}
	b, err := json.Marshal(got)
	if err != nil {
		t.Errorf("json.Marshal(Snapshot of nothing): %v", err)
	}
	if want := `{"elapsed":1500000000,"requests":0,"errors":0,"statuses":{},`; !strings.HasPrefix(string(b), want) {
		t.Errorf("json.Marshal(Snapshot of nothing) = %s; want it to start %s", b, want)
	}
	if r := NewRecorder(nil, start).Snapshot(start); r.Phases == nil {
		t.Errorf("Snapshot().Phases without phases is nil; want empty")
	}
}

func TestElapsed(t *testing.T) {
	r := NewRecorder(nil, start)
	tests := []struct {
		now  time.Time
		want time.Duration
	}{
		{start, 0},
		{start.Add(-time.Second), 0},
		{start.Add(90 * time.Second), 90 * time.Second},
	}
	for _, tt := range tests {
		if got := r.Snapshot(tt.now).Elapsed; got != tt.want {
			t.Errorf("Snapshot(%v).Elapsed = %v; want %v", tt.now, got, tt.want)
		}
	}
}

func TestSnapshotIsACopy(t *testing.T) {
	r := record(NewRecorder(testPhases, start), obs(0, 0, 200), obs(1, 2*time.Second, 429))
	s := r.Snapshot(start.Add(3 * time.Second))
	s.Statuses[200] = 99
	s.Phases[0].Requests = 99
	s.Recent[0].Admitted = 99
	tl := r.Timeline()
	tl[0].Admitted = 99

	again := r.Snapshot(start.Add(3 * time.Second))
	if again.Statuses[200] != 1 || again.Phases[0].Requests != 1 || again.Recent[0].Admitted != 1 || r.Timeline()[0].Admitted != 1 {
		t.Errorf("changing a Snapshot or Timeline changed the Recorder: %+v", again)
	}
}

// TestWindowUse checks what a Snapshot says of each followed window: the
// admissions of the whole seconds covering the last window up to now, 429s
// and errors not counted.
func TestWindowUse(t *testing.T) {
	ms := time.Millisecond
	r := NewRecorder(testPhases, start)
	r.FollowWindows([]time.Duration{time.Second, 2500 * ms, time.Hour})
	record(r,
		obs(0, 100*ms, 200), obs(0, 900*ms, 200), // second 0: 2 admitted
		obs(0, 1500*ms, 200), obs(1, 1600*ms, 429), // second 1: 1 admitted, a 429
		obs(1, 3200*ms, 200), obs(1, 3300*ms, 0), // second 3: 1 admitted, an error
	)
	tests := []struct {
		now  time.Duration
		want map[time.Duration]int64
	}{
		{1900 * ms, map[time.Duration]int64{time.Second: 1, 2500 * ms: 3, time.Hour: 3}},
		{3900 * ms, map[time.Duration]int64{time.Second: 1, 2500 * ms: 2, time.Hour: 4}}, // 2.5 s: seconds 1–3,
		{10 * time.Second, map[time.Duration]int64{time.Second: 0, 2500 * ms: 0, time.Hour: 4}},
	}
	for _, tt := range tests {
		if got := r.Snapshot(start.Add(tt.now)).WindowUse; !cmp.Equal(got, tt.want) {
			t.Errorf("WindowUse at %v = %v; want %v", tt.now, got, tt.want)
		}
	}
	if got := NewRecorder(testPhases, start).Snapshot(start).WindowUse; got != nil {
		t.Errorf("WindowUse with no window followed = %v; want nil", got)
	}
}
