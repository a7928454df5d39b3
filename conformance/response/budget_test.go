package response

import (
	"math"
	"testing"
	"time"
)

// TestSpentBefore weighs the run's requests against an admission b answered
// at 10 s: wholly those that may have been decided within whole (1 s) before
// it, linearly less until gone (2 s), nothing older, and nothing sent after
// b was answered.
func TestSpentBefore(t *testing.T) {
	const s = int64(time.Second)
	at := func(sent, lat float64) *respRec {
		return &respRec{sent: int64(sent * float64(s)), recv: int64((sent + lat) * float64(s))}
	}
	b := at(10, 0.01)
	tests := []struct {
		name   string
		others []*respRec
		want   float64
	}{
		{"b alone", nil, 1},
		{"in flight with b", []*respRec{at(9.995, 0.02), at(10.005, 0.02)}, 3},
		{"sent after b was answered", []*respRec{at(10.02, 0.01)}, 1},
		{"within whole", []*respRec{at(9.1, 0.01), at(9.5, 0)}, 3},
		{"fading: 1.5 s old weighs half", []*respRec{at(8.5, 0)}, 1.5},
		{"fading: answered late, weighs by its answer", []*respRec{at(8, 0.5)}, 1.5},
		{"gone", []*respRec{at(7.9, 0.05), at(1, 0)}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs := []respRec{*b}
			for _, r := range tt.others {
				recs = append(recs, *r)
			}
			// Spread over a series and the others, as a run of two keys and
			// some 401s would be.
			sp := newSpent([]*respSeries{{Recs: recs[:1]}}, flights(recs[1:]))
			if got := sp.before(b, s, 2*s); math.Abs(got-tt.want) > 1e-6 {
				t.Errorf("before = %v; want %v", got, tt.want)
			}
		})
	}
}

func flights(recs []respRec) []flight {
	out := make([]flight, len(recs))
	for i, r := range recs {
		out[i] = flight{sent: r.sent, recv: r.recv}
	}
	return out
}
