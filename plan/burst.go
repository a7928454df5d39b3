package plan

import (
	"math"

	"github.com/ratecheck/ratecheck/scenarios"
)

// defaultConnections is run.connections when the scenario leaves it unset.
const defaultConnections = 32

// OverBurst is how many requests an over phase releases together for a limit
// of n requests per window with the given connections (0 means the default,
// 32): B = min(connections, max(2, ⌊n/4⌋)). A quarter of the budget at once is
// enough for a racy check-then-increment to over-admit, and few enough that a
// window still sees several bursts.
func OverBurst(connections int, n int64) int {
	if connections <= 0 {
		connections = defaultConnections
	}
	return int(min(int64(connections), max(2, n/4)))
}

// BurstOver makes every paced over phase of p release its requests in bursts
// of OverBurst(Run.Connections, N) for the tested limit's N (Phase.Burst). The
// average rate and the request count stay the same.
//
// New already bursts where it must (see its documentation): a short
// window's over-burst phase and a long window's over phase. BurstOver also
// bursts the paced over phase, which costs the exact checks their power (a
// burst landing on a window boundary can hide an extra admission, and
// responses in flight together leave headers.remaining little to compare);
// tests use it to show that.
func (p *Plan) BurstOver() {
	l := p.TestedLimit()
	if l == nil || p.Scenario == nil {
		return
	}
	b := OverBurst(p.Scenario.Run.Connections, l.Requests)
	for i, ph := range p.Phases {
		if ph.Kind == scenarios.PhaseOver && ph.Rate > 0 && !math.IsInf(ph.Rate, 1) {
			p.Phases[i].Burst = b
		}
	}
}
