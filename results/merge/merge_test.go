package merge

import (
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
)

// server is the target's clock in these tests: real time plus its own offset.
var epoch = time.Date(2026, 12, 4, 18, 0, 0, 0, time.UTC)

// writeShard writes a shard's run directory: n requests every gap from
// start (real time), each taking latency, answered with the Date a server
// whose clock reads real time + serverAhead would send, and recorded on a
// clock that reads real time + skew.
func writeShard(t *testing.T, dir, shard string, scenario string, start time.Time, n int, gap, latency, skew, serverAhead time.Duration, rng *rand.Rand) {
	t.Helper()
	m := results.Meta{ScenarioName: "s", Shard: shard, Started: start.Add(skew)}
	w, err := results.Create(dir, m, []byte(scenario))
	if err != nil {
		t.Fatal(err)
	}
	var last time.Time
	for k := range n {
		sent := start.Add(time.Duration(k) * gap)
		lat := latency/2 + time.Duration(rng.Int64N(int64(latency)))
		handled := sent.Add(time.Duration(rng.Int64N(int64(lat)))) // somewhere in flight
		date := handled.Add(serverAhead).UTC().Format(http.TimeFormat)
		o := results.Observation{Seq: uint64(k), Sent: sent.Add(skew), Latency: lat, Status: 200, Headers: map[string]string{"Date": date}}
		if err := w.Append(o); err != nil {
			t.Fatal(err)
		}
		last = o.Received()
	}
	m.Finished = last
	if err := w.Close(m); err != nil {
		t.Fatal(err)
	}
}

// TestOffsetsFound: shards whose clocks are off by known amounts are placed
// back on the reference shard's clock, each within its stated uncertainty,
// and that uncertainty is small when requests are dense.
func TestOffsetsFound(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name        string
		skews       []time.Duration
		gap         time.Duration
		serverAhead time.Duration
		maxUncert   time.Duration
	}{
		{"in step", []time.Duration{0, 0, 0, 0}, 7 * time.Millisecond, 0, 10 * time.Millisecond},
		{"one shard 250 ms ahead", []time.Duration{0, 250 * time.Millisecond, 0, 0}, 7 * time.Millisecond, 0, 10 * time.Millisecond},
		{"all off, server 3 s ahead", []time.Duration{-40 * time.Millisecond, 1200 * time.Millisecond, -2 * time.Second, 90 * time.Millisecond}, 11 * time.Millisecond, 3 * time.Second, 10 * time.Millisecond},
		{"sparse requests", []time.Duration{0, 333 * time.Millisecond}, 97 * time.Millisecond, 0, 60 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			var dirs []string
			start := epoch.Add(time.Duration(rng.Int64N(int64(time.Second))))
			for i, skew := range tc.skews {
				dir := filepath.Join(root, "shard", string(rune('a'+i)))
				writeShard(t, dir, plan.Shard{Index: i, Count: len(tc.skews)}.String(), "name: s\n", start, 600, tc.gap, 2*time.Millisecond, skew, tc.serverAhead, rng)
				dirs = append(dirs, dir)
			}
			m, err := Open(dirs)
			if err != nil {
				t.Fatal(err)
			}
			for i, s := range m.Shards {
				if !s.Estimated {
					t.Fatalf("shard %d: offset not estimated: %s", i, s.Why)
				}
				// The truth: moving shard i's times by skew_ref - skew_i puts them on the reference's clock.
				want := tc.skews[m.ref] - tc.skews[i]
				if err := s.Offset - want; err < -s.Uncertainty || err > s.Uncertainty {
					t.Errorf("shard %d: offset %v ± %v, the truth %v is outside", i, s.Offset, s.Uncertainty, want)
				}
				if s.Uncertainty > tc.maxUncert {
					t.Errorf("shard %d: uncertainty %v, want at most %v with requests %v apart", i, s.Uncertainty, tc.maxUncert, tc.gap)
				}
			}
			if why, _ := m.Undecidable(tc.maxUncert); why != "" {
				t.Errorf("Undecidable = %q, want decidable", why)
			}
			// On the merged timeline, request k of every shard was sent at the same real time.
			sent := map[uint64][]time.Time{}
			for o, err := range m.Observations() {
				if err != nil {
					t.Fatal(err)
				}
				sent[o.Seq] = append(sent[o.Seq], o.Sent)
				if w := o.Widened(); !w.Sent.Equal(o.Sent.Add(-o.Uncertainty)) || !w.Received().Equal(o.Received().Add(o.Uncertainty)) {
					t.Fatalf("request %d widened to [%v, %v], want [sent - %v, received + %v]", o.Seq, w.Sent, w.Received(), o.Uncertainty, o.Uncertainty)
				}
			}
			for k, ts := range sent {
				for _, x := range ts[1:] {
					if d := x.Sub(ts[0]).Abs(); d > 2*tc.maxUncert {
						t.Fatalf("request %d: shards' send times differ by %v on the merged timeline", k, d)
					}
				}
			}
		})
	}
}

// TestOffsetsUnknown: without Date headers, or with Date headers from servers
// whose clocks disagree, the offset is not estimated and the merge says the
// timing cannot be judged.
func TestOffsetsUnknown(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	root := t.TempDir()
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	writeShard(t, a, "0/2", "name: s\n", epoch, 300, 10*time.Millisecond, 2*time.Millisecond, 0, 0, rng)
	// Shard b's responses come from two servers 1.5 s apart.
	m := results.Meta{ScenarioName: "s", Shard: "1/2", Started: epoch}
	w, err := results.Create(b, m, []byte("name: s\n"))
	if err != nil {
		t.Fatal(err)
	}
	for k := range 300 {
		sent := epoch.Add(time.Duration(k) * 10 * time.Millisecond)
		ahead := time.Duration(k%2) * 1500 * time.Millisecond
		w.Append(results.Observation{Seq: uint64(k), Sent: sent, Latency: time.Millisecond, Status: 200, Headers: map[string]string{"Date": sent.Add(ahead).UTC().Format(http.TimeFormat)}})
	}
	w.Close(m)
	mg, err := Open([]string{a, b})
	if err != nil {
		t.Fatal(err)
	}
	why, unaligned := mg.Undecidable(time.Second)
	if mg.Shards[1].Estimated || !unaligned || !strings.Contains(why, "contradict") {
		t.Errorf("two servers' clocks: Estimated %v, Undecidable %q; want not estimated, saying the dates contradict", mg.Shards[1].Estimated, why)
	}
}

func TestOpenRefusesMismatchedShards(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	root := t.TempDir()
	mk := func(name, shard, scenario string) string {
		dir := filepath.Join(root, name)
		writeShard(t, dir, shard, scenario, epoch, 10, 10*time.Millisecond, time.Millisecond, 0, 0, rng)
		return dir
	}
	s0, s1, dup, other, of3 := mk("s0", "0/2", "name: s\n"), mk("s1", "1/2", "name: s\n"), mk("dup", "1/2", "name: s\n"), mk("other", "1/2", "name: other\n"), mk("of3", "1/3", "name: s\n")
	whole := filepath.Join(root, "whole")
	writeShard(t, whole, "", "name: s\n", epoch, 10, 10*time.Millisecond, time.Millisecond, 0, 0, rng)
	for _, tc := range []struct {
		dirs []string
		want string
	}{
		{[]string{s0, s1, dup}, "both shard 1/2"},
		{[]string{s0, other}, "another scenario"},
		{[]string{s0, of3}, "run of 2 shards"},
		{[]string{s0, whole}, "not a shard"},
		{[]string{s0}, "at least two"},
	} {
		_, err := Open(tc.dirs)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Open(%v) = %v, want an error containing %q", tc.dirs, err, tc.want)
		}
	}
	// A run with a shard missing merges, says so, and is not a whole run.
	if _, err := Open([]string{s0, mk("s2of3", "2/3", "name: s\n")}); err == nil {
		t.Fatalf("shards of runs of 2 and 3 merged")
	}
	m3a, m3c := mk("m3a", "0/3", "name: s\n"), mk("m3c", "2/3", "name: s\n")
	m, err := Open([]string{m3a, m3c})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Missing) != 1 || m.Missing[0] != "1/3" || !m.Meta.Interrupted {
		t.Errorf("missing %v, interrupted %v; want [1/3] and an incomplete run", m.Missing, m.Meta.Interrupted)
	}
	if notes := strings.Join(m.Notes(), "\n"); !strings.Contains(notes, "shard 1/3 is missing") {
		t.Errorf("notes do not name the missing shard:\n%s", notes)
	}
}
