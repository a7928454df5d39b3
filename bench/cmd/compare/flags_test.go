package main

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseFlags(t *testing.T) {
	got, err := parseFlags(nil)
	if err != nil {
		t.Fatalf("parseFlags(nil): %v", err)
	}
	want := options{
		Only: []string{"throughput", "rates", "rss"}, N: 3, Duration: 10 * time.Second,
		Rates: []int{1000, 5000, 10000, 20000}, Workers: 64, BestOf: []uint64{64, 128},
		RSSRequests: 1_000_000, RSSRate: 16_000, Quiet: 0.3, QuietWait: 2 * time.Minute,
		SoakDurations: []time.Duration{time.Minute, 5 * time.Minute, 20 * time.Minute}, SoakRate: 16_000,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parseFlags(nil) mismatch (-want +got):\n%s", diff)
	}
	if d := got.rssDuration(); d != 62500*time.Millisecond {
		t.Errorf("rssDuration() = %v; want 62.5s", d)
	}

	got, err = parseFlags([]string{"-only", "soak", "-soak-durations", "30s, 2m", "-soak-rate", "4000"})
	if err != nil {
		t.Fatalf("parseFlags: %v", err)
	}
	if !cmp.Equal(got.SoakDurations, []time.Duration{30 * time.Second, 2 * time.Minute}) || got.SoakRate != 4000 || got.soakLimit() != 2000 {
		t.Errorf("parseFlags(-only soak -soak-durations 30s, 2m -soak-rate 4000) = %+v", got)
	}

	got, err = parseFlags([]string{"-only", "rss, rates", "-rates", "500", "-n", "1"})
	if err != nil {
		t.Fatalf("parseFlags: %v", err)
	}
	if !cmp.Equal(got.Only, []string{"rss", "rates"}) || !cmp.Equal(got.Rates, []int{500}) || got.N != 1 {
		t.Errorf("parseFlags(-only rss, rates -rates 500 -n 1) = %+v", got)
	}

	for _, bad := range [][]string{
		{"-only", "latency"}, {"-rates", "1000,x"}, {"-rates", "0"}, {"-n", "0"},
		{"-best-of", "-1"}, {"-duration", "0s"}, {"-workers", "0"}, {"-rss-rate", "0"},
		{"-soak-durations", "1m,x"}, {"-soak-durations", "0s"}, {"-soak-rate", "1"},
	} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("parseFlags(%q) = nil error; want one", bad)
		}
	}
}

func TestAttackArgs(t *testing.T) {
	tests := []struct {
		r    vegetaRun
		want []string
	}{
		{vegetaRun{Rate: 0, Duration: 10 * time.Second, Workers: 64},
			[]string{"attack", "-targets=t.txt", "-rate=0", "-duration=10s", "-max-workers=64"}},
		{vegetaRun{Rate: 20000, Duration: 62500 * time.Millisecond, Workers: 128},
			[]string{"attack", "-targets=t.txt", "-rate=20000/s", "-duration=1m2.5s", "-max-workers=128"}},
		{vegetaRun{Rate: 1000, Duration: time.Second},
			[]string{"attack", "-targets=t.txt", "-rate=1000/s", "-duration=1s"}},
	}
	for _, tt := range tests {
		if got := tt.r.attackArgs("t.txt"); !cmp.Equal(got, tt.want) {
			t.Errorf("%+v.attackArgs(t.txt) = %q; want %q", tt.r, got, tt.want)
		}
	}
}

func TestEstimate(t *testing.T) {
	o := options{Only: []string{"throughput", "rates"}, N: 2, Duration: 10 * time.Second, Rates: []int{1000, 20000}, Workers: 64, BestOf: []uint64{64, 128}}
	// throughput 2 runs + rates 2×2 runs + one best-of run = 7 runs of 12 s, twice.
	if got, want := estimate(o), 2*7*12*time.Second; got != want {
		t.Errorf("estimate(%+v) = %v; want %v", o, got, want)
	}
}
