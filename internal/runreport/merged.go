package runreport

import (
	"fmt"
	"time"

	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/results/merge"
	"github.com/ratecheck/ratecheck/scenarios"
)

// clockShare is the part of the tested limit's window that the shards' clock
// uncertainty may take up before the merged timeline is too uncertain to
// judge: beyond it, so much of every window is ambiguous that the checks
// would pass on little evidence.
const clockShare = 5

// Merged is the shards of one sharded run as one stored run: each
// observation widened by its shard's clock uncertainty, and no verdict where
// that uncertainty is more than the checks can absorb (ClockTolerance,
// RequestSpacing). Its notes say each shard's rate and offset.
func Merged(m *merge.Merged) Stored {
	meta := m.Meta
	meta.Notes = append(meta.Notes, m.Notes()...)
	return Stored{
		Meta:  meta,
		Total: -1,
		Observations: func(yield func(seen, judged results.Observation)) error {
			for p, err := range m.Observations() {
				if err != nil {
					return fmt.Errorf("read shards: %w", err)
				}
				yield(p.Observation, p.Widened())
			}
			return nil
		},
		Finish: func(meta *results.Meta, last time.Time) {
			if meta.Finished.IsZero() {
				meta.Finished = last
			}
		},
		Doubt: func(p *plan.Plan) (string, bool) { return m.Undecidable(ClockTolerance(p)) },
		Coarse: func(p *plan.Plan) string {
			why, _ := m.Undecidable(RequestSpacing(p))
			return why
		},
	}
}

// ClockTolerance is the most clock error between shards the merged run is
// judged with at all: a fifth of the tested window. Below it every request's
// arrival interval is widened by its shard's uncertainty, so a decision the
// clocks could flip is ambiguous, never a violation; a failure found stands.
func ClockTolerance(p *plan.Plan) time.Duration {
	window := time.Second
	if l := p.TestedLimit(); l != nil && l.Window > 0 {
		window = l.Window
	}
	return window / clockShare
}

// RequestSpacing is the most clock error under which the checks that count
// single requests (conformance.OneRequestChecks) may pass: the time between
// two requests of the fastest over phase. A larger error can move one
// request across a window's edge, and an off-by-one admission is exactly one
// request: widened by it, the extra admission hid in a four-shard run at
// 20/s (offsets ±34 ms). Between the two bounds the other checks (status,
// headers, recovery, auth) are judged and those three pass only undecided.
// (A single bound at this spacing refused every merge at thousands a second:
// four shards at 2,000/s, offsets known to ±1 ms, against 0.5 ms.)
func RequestSpacing(p *plan.Plan) time.Duration {
	tol := ClockTolerance(p)
	for _, ph := range p.Phases {
		if ph.Kind == scenarios.PhaseOver && ph.Rate > 0 && !ph.Unpaced() {
			tol = min(tol, time.Duration(float64(time.Second)/ph.Rate))
		}
	}
	return tol
}
