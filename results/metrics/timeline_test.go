package metrics

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ratecheck/ratecheck/results"
)

func TestTimelineCountsBySendSecond(t *testing.T) {
	slow := obs(0, 1900*time.Millisecond, 200)
	slow.Latency = 3 * time.Second // answered in second 4, sent in second 1
	r := record(NewRecorder(testPhases, start),
		obs(0, 0, 200),
		obs(0, 999*time.Millisecond, 429),
		slow,
		obs(1, 3*time.Second, 503),
		obs(1, 3500*time.Millisecond, 0),
		obs(0, -2*time.Second, 200), // before the start (clock step): second 0
	)
	want := []SecondCounts{
		{Second: 0, Admitted: 2, Limited: 1},
		{Second: 1, Admitted: 1},
		{Second: 2},
		{Second: 3, Other: 2},
	}
	if diff := cmp.Diff(want, r.Timeline()); diff != "" {
		t.Errorf("Timeline() (-want +got):\n%s", diff)
	}
}

func TestTimelineIsBounded(t *testing.T) {
	// 4 s planned: seconds up to 2×4+600 are charted, later ones dropped.
	r := NewRecorder(testPhases, start)
	limit := 2*(4+1) + 600
	r.Record(obs(0, time.Duration(limit-1)*time.Second, 200))
	r.Record(obs(0, time.Duration(limit)*time.Second, 200))
	r.Record(obs(0, 50*365*24*time.Hour, 200))
	tl := r.Timeline()
	if len(tl) != limit {
		t.Fatalf("len(Timeline()) = %d; want %d", len(tl), limit)
	}
	if got := tl[limit-1]; got != (SecondCounts{Second: limit - 1, Admitted: 1}) {
		t.Errorf("Timeline()[%d] = %+v; want 1 admitted", limit-1, got)
	}
	if got := r.Snapshot(start).Requests; got != 3 {
		t.Errorf("Requests = %d; want 3 (dropped from the chart, not from the totals)", got)
	}
}

func TestRecent(t *testing.T) {
	r := NewRecorder(testPhases, start)
	// One admitted request per second for 100 s, except second 70: a 429.
	for s := range 100 {
		status := 200
		if s == 70 {
			status = 429
		}
		r.Record(obs(0, time.Duration(s)*time.Second+time.Millisecond, status))
	}
	span := func(from, to int, admitted int64) []SecondCounts {
		var out []SecondCounts
		for s := from; s <= to; s++ {
			c := SecondCounts{Second: s, Admitted: admitted}
			if s == 70 && admitted > 0 {
				c = SecondCounts{Second: s, Limited: 1}
			}
			out = append(out, c)
		}
		return out
	}
	tests := []struct {
		name string
		now  time.Duration
		want []SecondCounts
	}{
		{"before the start", -time.Second, span(0, 0, 1)},
		{"early in the run", 5500 * time.Millisecond, span(0, 5, 1)},
		{"exactly 60 s", 59 * time.Second, span(0, 59, 1)},
		{"mid-run window", 99*time.Second + 999*time.Millisecond, span(40, 99, 1)},
		{"after the traffic", 130 * time.Second, append(span(71, 99, 1), span(100, 130, 0)...)},
		{"long after", 3 * time.Hour, span(10800-59, 10800, 0)},
	}
	for _, tt := range tests {
		got := r.Snapshot(start.Add(tt.now)).Recent
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: Snapshot(start+%v).Recent (-want +got):\n%s", tt.name, tt.now, diff)
		}
		if len(got) > 60 {
			t.Errorf("%s: len(Recent) = %d; want at most 60", tt.name, len(got))
		}
	}
}

func TestRecordAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation counts")
	}
	phases := []Phase{{Name: "p", Rate: 1000, Duration: 10 * time.Minute}}
	r := NewRecorder(phases, start)
	statuses := []int{200, 429, 0, 503}
	i := 0
	allocs := testing.AllocsPerRun(20000, func() {
		r.Record(results.Observation{
			Sent:    start.Add(time.Duration(i) * time.Millisecond * 10), // 200 s of the planned 600
			Latency: time.Duration(i%5000) * time.Microsecond,
			Status:  statuses[i%len(statuses)],
		})
		i++
	})
	if allocs != 0 {
		t.Errorf("Record allocates %v times per call; want 0", allocs)
	}
}
