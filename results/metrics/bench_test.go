package metrics

import (
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/results"
)

// benchObservations is a minute of traffic at 1000/s over two phases.
func benchObservations() []results.Observation {
	obs := make([]results.Observation, 60000)
	statuses := []int{200, 200, 200, 429, 0}
	for i := range obs {
		obs[i] = results.Observation{
			Seq: uint64(i), Phase: i * 2 / len(obs), Status: statuses[i%len(statuses)],
			Sent:    start.Add(time.Duration(i) * time.Millisecond),
			Latency: time.Duration(500+i%20000) * time.Microsecond,
		}
	}
	return obs
}

// BenchmarkRecord measures one Record call, the fan-out loop's cost per
// observation.
func BenchmarkRecord(b *testing.B) {
	obs := benchObservations()
	phases := []Phase{{Name: "a", Duration: 30 * time.Second}, {Name: "b", Duration: 30 * time.Second}}
	r := NewRecorder(phases, start)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r.Record(obs[i%len(obs)])
		i++
	}
}

// BenchmarkSnapshot measures a Snapshot, taken ~10 times a second for the
// dashboard.
func BenchmarkSnapshot(b *testing.B) {
	obs := benchObservations()
	r := NewRecorder([]Phase{{Name: "a", Duration: 30 * time.Second}, {Name: "b", Duration: 30 * time.Second}}, start)
	for _, o := range obs {
		r.Record(o)
	}
	now := start.Add(time.Minute)
	b.ReportAllocs()
	for b.Loop() {
		r.Snapshot(now)
	}
}

// BenchmarkRecordFollowingRemaining measures Record when the Recorder also
// follows a Remaining header (Recorder.FollowRemaining): one headers.Read
// more per answer counted.
func BenchmarkRecordFollowingRemaining(b *testing.B) {
	obs := benchObservations()
	for i := range obs {
		obs[i].KeyID = "primary"
		obs[i].Headers = map[string]string{"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "42", "X-RateLimit-Reset": "1640000000"}
	}
	phases := []Phase{{Name: "a", Duration: 30 * time.Second}, {Name: "b", Duration: 30 * time.Second}}
	r := NewRecorder(phases, start)
	r.FollowRemaining(RemainingSpec{Headers: headers.Spec{Convention: headers.ConventionVendor,
		Names: headers.Names{Remaining: "X-RateLimit-Remaining"}},
		Requests: 60, Window: time.Minute, PerKey: true})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r.Record(obs[i%len(obs)])
		i++
	}
}
