package plan

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestShardsUnionIsThePlan: N shards together send the unsharded schedule,
// request for request and at the same due times, each request exactly once.
func TestShardsUnionIsThePlan(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	phases := []Phase{
		{Rate: 20, Requests: 40},
		{Rate: 50, Requests: 7, Burst: 5},
		{Rate: 0.5, Requests: 3},
		{Rate: 1000, Requests: 1},
		{Rate: 12.5, Requests: 0},
	}
	for range 200 {
		phases = append(phases, Phase{Rate: 0.1 + rng.Float64()*5000, Requests: rng.Int64N(600), Burst: rng.IntN(12)})
	}
	for _, ph := range phases {
		whole := slices.Collect(ph.Schedule(Shard{}))
		if int64(len(whole)) != ph.Requests {
			t.Fatalf("%+v: the whole schedule has %d requests, want %d", ph, len(whole), ph.Requests)
		}
		for n := 1; n <= 9; n++ {
			var union []Send
			for i := range n {
				s := Shard{Index: i, Count: n}
				part := slices.Collect(ph.Schedule(s))
				if int64(len(part)) != s.Requests(ph.Requests) {
					t.Fatalf("%+v shard %s: %d requests scheduled, Requests says %d", ph, s, len(part), s.Requests(ph.Requests))
				}
				for _, x := range part {
					if int(x.Request%uint64(n)) != i {
						t.Fatalf("%+v shard %s sends request %d, which is not its interleaved slice", ph, s, x.Request)
					}
				}
				union = append(union, part...)
			}
			slices.SortFunc(union, func(a, b Send) int { return int(a.Request) - int(b.Request) })
			if diff := cmp.Diff(whole, union); diff != "" {
				t.Fatalf("%+v with %d shards: the union differs from the plan (-plan +union):\n%s", ph, n, diff)
			}
		}
	}
}

func TestShardRate(t *testing.T) {
	s := Shard{Index: 1, Count: 4}
	if got := s.Rate(100); got != 25 {
		t.Errorf("Rate(100) of 1/4 = %v, want 25", got)
	}
	if got := (Shard{}).Rate(100); got != 100 {
		t.Errorf("Rate(100) of the whole plan = %v, want 100", got)
	}
	// A shard's due times are the plan's: shard 1/4 of 20/s sends at 50 ms, 250 ms, 450 ms.
	got := slices.Collect(Phase{Rate: 20, Requests: 12}.Schedule(s))
	want := []Send{{1, 50 * time.Millisecond}, {5, 250 * time.Millisecond}, {9, 450 * time.Millisecond}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("schedule of 1/4 (-want +got):\n%s", diff)
	}
}

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Shard
		wantErr string
	}{
		{in: "0/4", want: Shard{0, 4}},
		{in: "3/4", want: Shard{3, 4}},
		{in: " 0 / 1 ", want: Shard{0, 1}},
		{in: "4/4", wantErr: "index counts from 0"},
		{in: "-1/4", wantErr: "index counts from 0"},
		{in: "1/0", wantErr: "count must be from 1"},
		{in: "1/5000", wantErr: "count must be from 1"},
		{in: "1", wantErr: "want INDEX/COUNT"},
		{in: "a/b", wantErr: "want INDEX/COUNT"},
	} {
		got, err := ParseShard(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseShard(%q) = %v, %v; want an error containing %q", tc.in, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}
