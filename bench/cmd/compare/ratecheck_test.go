package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/scenarios"
)

func TestScenarioYAMLPlans(t *testing.T) {
	tests := []struct {
		name     string
		rate     int
		d        time.Duration
		wantRate float64
		wantReqs int64
		unpaced  bool
	}{
		{"bench-1000rps", 1000, 10 * time.Second, 1000, 10_000, false},
		{"bench-20000rps", 20000, 3 * time.Second, 20000, 60_000, false},
		{"bench-rss", 16000, 62500 * time.Millisecond, 16000, 1_000_000, false},
		{"bench-max", 0, 10 * time.Second, 0, 0, true},
	}
	for _, tt := range tests {
		sc, err := scenarios.Parse(tt.name+".yaml", scenarioYAML(tt.name, tt.rate, tt.d, 64, 0))
		if err != nil {
			t.Errorf("scenarios.Parse(scenarioYAML(%q, %d, %v)): %v", tt.name, tt.rate, tt.d, err)
			continue
		}
		p := plan.New(sc)
		if len(p.Phases) != 1 {
			t.Errorf("%s: plan has %d phases; want 1", tt.name, len(p.Phases))
			continue
		}
		ph := p.Phases[0]
		if ph.Unpaced() != tt.unpaced || ph.Duration != tt.d || sc.Run.Connections != 64 || sc.Auth.Header != "" {
			t.Errorf("%s: phase %+v, connections %d, auth %q; want unpaced %v, duration %v, 64 connections, no auth",
				tt.name, ph, sc.Run.Connections, sc.Auth.Header, tt.unpaced, tt.d)
		}
		if !tt.unpaced && (ph.Rate != tt.wantRate || ph.Requests != tt.wantReqs) {
			t.Errorf("%s: phase rate %v, %d requests; want %v, %d", tt.name, ph.Rate, ph.Requests, tt.wantRate, tt.wantReqs)
		}
	}
}

// TestShippedScenarios checks that bench/scenarios holds what compare
// generates with its default flags; `go run ./cmd/compare -scenarios
// scenarios` rewrites them.
func TestShippedScenarios(t *testing.T) {
	o, err := parseFlags(nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("..", "..", "scenarios")
	for name, want := range defaultScenarios(o) {
		got, err := os.ReadFile(filepath.Join(dir, name+".yaml"))
		if err != nil {
			t.Errorf("shipped scenario: %v", err)
			continue
		}
		if string(got) != string(want) {
			t.Errorf("%s.yaml =\n%s\nwant (as generated)\n%s", name, got, want)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(defaultScenarios(o)) {
		t.Errorf("bench/scenarios holds %d files; want %d (one per default scenario)", len(entries), len(defaultScenarios(o)))
	}
}
