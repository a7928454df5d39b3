package metrics_test

import (
	"fmt"
	"time"

	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/results/metrics"
)

// A Recorder is fed every observation and asked for snapshots.
func ExampleRecorder() {
	start := time.Date(2026, 11, 22, 14, 20, 0, 0, time.UTC)
	r := metrics.NewRecorder([]metrics.Phase{
		{Name: "over", Kind: "over", Rate: 40, Planned: 40, Duration: time.Second},
	}, start)
	// 30 requests 25 ms apart (40/s): the first 20 admitted, then 429s.
	for i := range 30 {
		status := 200
		if i >= 20 {
			status = 429
		}
		r.Record(results.Observation{
			Seq: uint64(i + 1), Phase: 0, Status: status,
			Sent:    start.Add(time.Duration(i) * 25 * time.Millisecond),
			Latency: time.Duration(1+i%3) * time.Millisecond,
		})
	}
	s := r.Snapshot(start.Add(time.Second))
	p := s.Phases[0]
	fmt.Printf("%s: %d sent at %.0f/s, %d admitted, %d limited\n", p.Name, p.Requests, p.AchievedRate, p.Admitted, p.Limited)
	fmt.Println("statuses:", s.Statuses)
	fmt.Println("p50:", s.Latency.P50, "max:", s.Latency.Max)
	fmt.Printf("timeline: %+v\n", r.Timeline())
	// Output:
	// over: 30 sent at 40/s, 20 admitted, 10 limited
	// statuses: map[200:20 429:10]
	// p50: 2ms max: 3ms
	// timeline: [{Second:0 Admitted:20 Limited:10 Other:0}]
}
