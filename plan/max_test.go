package plan

import (
	"math"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/scenarios"
)

func TestPlanUnpacedPhase(t *testing.T) {
	sc, err := scenarios.Parse("bench.yaml", []byte(`name: bench
target: http://127.0.0.1:8080
endpoints:
  - {name: hit, path: /}
limits:
  - {name: big, requests: 1000000, window: 1s, scope: global}
phases:
  - {name: warm, kind: under, rate: 100/s, duration: 1s}
  - {name: flat-out, kind: over, rate: max, duration: 5s}
`))
	if err != nil {
		t.Fatal(err)
	}
	p := New(sc)
	if len(p.Phases) != 2 {
		t.Fatalf("got %d phases; want 2", len(p.Phases))
	}
	ph := p.Phases[1]
	if !ph.Unpaced() || !math.IsInf(ph.Rate, 1) || ph.Requests != 0 || ph.Duration != 5*time.Second || ph.Start != time.Second {
		t.Errorf("max phase = %+v; want unpaced, rate +Inf, no planned count, 5s from +1s", ph)
	}
	if p.Phases[0].Unpaced() || p.FirstSeq(1) != 100 {
		t.Errorf("warm phase unpaced=%v, FirstSeq(1) = %d; want paced and 100", p.Phases[0].Unpaced(), p.FirstSeq(1))
	}
}
