package attack

import (
	"math"
	"time"

	"github.com/ratecheck/ratecheck/plan"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// phasePacer sends Count hits at a constant PerSec (hits per second), the first at
// elapsed 0. Hit i (0-based) is due at i/PerSec seconds, so by elapsed t the hits due
// are floor(t·PerSec)+1, capped at Count. Rates need not be whole numbers (0.5/s,
// 7.5/s), unlike vegeta's ConstantPacer. When the attacker falls behind, the
// overdue hits are released at once; vegeta's Result.Timestamp records when they
// really went out.
type phasePacer struct {
	PerSec float64 // hits per second, > 0
	Count  uint64  // hits to send in all
	Burst  int     // hits released together; 0 or 1 sends them one by one
	// Shard, when the plan is sharded, picks this sender's slice: hit h is
	// the phase's request Shard.Request(h), due when the whole plan has it
	// due. Count is then this shard's share.
	Shard plan.Shard
	// Late is how long after its planned start the phase was launched, when
	// it must keep to an absolute schedule (shards sharing a start time):
	// every hit is then due that much earlier than from the launch.
	Late time.Duration
	// Rails, when set, holds every phase to the run's request budget and
	// rate cap.
	Rails *rails
}

var _ vegeta.Pacer = phasePacer{}

// Pace returns how long to wait before hit number `hits` (0-based), and stops
// once Count hits have been sent.
func (p phasePacer) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	if hits >= p.Count || p.PerSec <= 0 || math.IsNaN(p.PerSec) {
		return 0, true
	}
	var wait time.Duration // unpaced: as fast as the workers take hits
	if !math.IsInf(p.PerSec, 1) {
		due := plan.Phase{Rate: p.PerSec, Burst: p.Burst}.Due(p.Shard.Request(hits))
		wait = max(due-p.Late-elapsed, 0)
	}
	wait, ok := p.Rails.claim(wait)
	return wait, !ok
}

// Rate returns the pacer's constant rate in hits per second: its shard's part
// of the phase's rate.
func (p phasePacer) Rate(time.Duration) float64 { return p.Shard.Rate(p.PerSec) }
