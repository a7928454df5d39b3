package metrics

import (
	"slices"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/results"
)

// answer is an observation of key sent at, with status and a Remaining
// header ("" for none).
func answer(key, endpoint string, at time.Duration, status int, rem string) results.Observation {
	o := results.Observation{KeyID: key, Endpoint: endpoint, Sent: start.Add(at), Latency: time.Millisecond, Status: status}
	if rem != "" {
		o.Headers = map[string]string{"x-ratelimit-remaining": rem}
	}
	return o
}

// TestFollowRemaining: per second, the lowest Remaining read and the
// admissions of the followed series in the window ending with that second;
// other keys, uncounted endpoints and answers that are neither admitted nor
// limited are left out.
func TestFollowRemaining(t *testing.T) {
	r := NewRecorder([]Phase{{Name: "p", Duration: 10 * time.Second}}, start)
	r.FollowRemaining(RemainingSpec{
		Headers:  headers.Spec{Convention: headers.ConventionVendor, Names: headers.Names{Remaining: "X-RateLimit-Remaining"}},
		Requests: 5, Window: 2 * time.Second, PerKey: true,
		Counts: func(e string) bool { return e != "health" },
	})
	for _, o := range []results.Observation{
		answer("a", "get", 100*time.Millisecond, 200, "4"),
		answer("a", "get", 300*time.Millisecond, 200, "2"), // out of order: the lowest wins
		answer("a", "get", 200*time.Millisecond, 200, "3"),
		answer("b", "get", 400*time.Millisecond, 200, "0"),    // another key
		answer("a", "health", 500*time.Millisecond, 200, "0"), // not counted by the limit
		answer("a", "get", 600*time.Millisecond, 500, "0"),    // neither admitted nor limited
		answer("a", "get", 1500*time.Millisecond, 200, ""),    // admitted, nothing reported
		answer("a", "get", 2500*time.Millisecond, 429, "0"),
		answer("a", "get", 3500*time.Millisecond, 200, "x"), // unreadable: not reported
	} {
		r.Record(o)
	}
	got := r.Snapshot(start.Add(4200 * time.Millisecond)).Remaining
	want := &RemainingSnapshot{Key: "a", Seconds: []RemainingSecond{
		{Second: 0, Lowest: 2, Reported: true, Admitted: 3, InWindow: 3},
		{Second: 1, Admitted: 1, InWindow: 4},
		{Second: 2, Lowest: 0, Reported: true, InWindow: 1},
		{Second: 3, Admitted: 1, InWindow: 1},
		{Second: 4, InWindow: 1},
	}}
	if got == nil || got.Key != want.Key || !slices.Equal(got.Seconds, want.Seconds) {
		t.Errorf("Snapshot().Remaining =\n%+v\nwant\n%+v", got, want)
	}
}

// TestFollowRemainingWindowBeforeRecent: the window count of the first
// second shown includes the admissions before it, out of Recent's reach.
func TestFollowRemainingWindowBeforeRecent(t *testing.T) {
	r := NewRecorder([]Phase{{Name: "p", Duration: 200 * time.Second}}, start)
	r.FollowRemaining(RemainingSpec{Requests: 1000, Window: 100 * time.Second})
	for s := range 150 {
		r.Record(answer("", "", time.Duration(s)*time.Second, 200, ""))
	}
	got := r.Snapshot(start.Add(149 * time.Second)).Remaining.Seconds
	if len(got) != recentSeconds || got[0].Second != 90 || got[0].InWindow != 91 || got[len(got)-1].InWindow != 100 {
		t.Errorf("first %+v, last %+v of %d seconds; want second 90 with 91 in its window, the last with 100, of %d",
			got[0], got[len(got)-1], len(got), recentSeconds)
	}
}

// TestFollowRemainingWindowCount: every second shown counts the admissions
// of exactly the window ending with it, also when the window's seconds reach
// before the first second shown (one admission a second: the window's length
// in seconds, or the seconds since the start when fewer).
func TestFollowRemainingWindowCount(t *testing.T) {
	for _, tc := range []struct {
		name   string
		window time.Duration
		now    int // the second of the snapshot
	}{
		{"1s window, past the 60 s shown", time.Second, 149},
		{"10s window, past the 60 s shown", 10 * time.Second, 149},
		{"10s window, the whole run shown", 10 * time.Second, 30},
		{"100s window, reaching the start", 100 * time.Second, 149},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := NewRecorder([]Phase{{Name: "p", Duration: 200 * time.Second}}, start)
			r.FollowRemaining(RemainingSpec{Requests: 1000, Window: tc.window})
			for s := range tc.now + 1 {
				r.Record(answer("", "", time.Duration(s)*time.Second, 200, ""))
			}
			w := int64(tc.window / time.Second)
			for _, got := range r.Snapshot(start.Add(time.Duration(tc.now) * time.Second)).Remaining.Seconds {
				if want := min(w, int64(got.Second)+1); got.InWindow != want {
					t.Errorf("second %d: InWindow = %d; want %d", got.Second, got.InWindow, want)
				}
			}
		})
	}
}

// TestNoRemainingUnlessFollowed: a Recorder not told to follow a Remaining
// header has none in its snapshots.
func TestNoRemainingUnlessFollowed(t *testing.T) {
	r := NewRecorder(nil, start)
	r.Record(answer("a", "get", 0, 200, "3"))
	if got := r.Snapshot(start.Add(time.Second)).Remaining; got != nil {
		t.Errorf("Snapshot().Remaining = %+v; want nil", got)
	}
}

// TestRemainingReadAgreesWithHeadersRead: the quick reading of a named
// Remaining header gives what headers.Read gives, value and presence.
func TestRemainingReadAgreesWithHeadersRead(t *testing.T) {
	spec := headers.Spec{Convention: headers.ConventionVendor, Names: headers.Names{Remaining: "X-RateLimit-Remaining"}}
	r := newRemaining(RemainingSpec{Headers: spec}, 10)
	for _, v := range []string{"0", "42", " 7 ", "-1", "1.5", "x", "", "9223372036854775808", "32/40", "41/40", "/40", "3, 3;w=1", "+5", "1e3"} {
		for _, key := range []string{"X-RateLimit-Remaining", "x-ratelimit-remaining", "X-RateLimit-Remaining-Minute"} {
			o := results.Observation{Sent: start, Status: 200, Headers: map[string]string{key: v, "X-RateLimit-Limit": "40"}}
			c, _ := headers.Read(o.Headers, spec, o.Received())
			n, ok := r.read(o)
			if n != c.Remaining || ok != c.HasRemaining {
				t.Errorf("%s: %q read as %d, %v; headers.Read reads %d, %v", key, v, n, ok, c.Remaining, c.HasRemaining)
			}
		}
	}
}
