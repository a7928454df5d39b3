package plan

import (
	"math"
	"time"

	"github.com/ratecheck/ratecheck/scenarios"
)

// Plan is what a run will send, computed before anything is sent.
type Plan struct {
	Scenario *scenarios.Scenario
	Tested   int // index in Scenario.Limits of the limit under test; -1 if none can be tested
	Phases   []Phase
	Charges  []Charge // one per limit, in scenario order
	Warnings []string
	Lean     bool // derived with the Lean option
	// Sources is how many distinct local source addresses the run can send
	// from (Phase.Source indexes them); at least 1. See the Sources option.
	Sources int
	// Layered are the keys a run of a limit above a per-key one sends from
	// at once (see layering); nil for a run from one key at a time.
	Layered []string
	// Quotas are the quota tests the plan ends with (ExhaustQuotas), one per
	// quota it can exhaust, in scenario order.
	Quotas        []QuotaTest
	exhaustQuotas bool
	testLimit     string      // TestLimit's name, "" for the default
	spend         *quotaSpend // AffordQuotas, SpendQuotas
}

// An Option changes how New derives phases.
type Option func(*Plan)

// Lean derives a plan that spends few requests: about three and a half times
// the tested limit, recovery included, for runs against a production API's
// real quota (see leanSteps). It sends no bursts; on the reference target's
// faults it reaches the full plan's verdicts.
func Lean() Option { return func(p *Plan) { p.Lean = true } }

// Sources says the run can send from n distinct local source addresses
// (127.0.0.1 and 127.0.0.2 against a loopback target, or the addresses
// given with --source-addr), so a per-IP limit can be tested with a second
// client. Without it the plan has one source.
func Sources(n int) Option { return func(p *Plan) { p.Sources = max(1, n) } }

// Phase is one stretch of traffic at a constant rate.
type Phase struct {
	Name     string
	Kind     scenarios.PhaseKind
	Start    time.Duration // offset from the start of the run
	Duration time.Duration
	Rate     float64 // requests per second; 0 for a pause
	Endpoint string  // endpoint name
	Key      string  // key id ("" when the API has no auth)
	Requests int64   // requests the phase will send: Rate × Duration, rounded down
	// Burst, when above 1, releases the phase's requests in groups of Burst
	// sent at the same instant, Burst/Rate apart: the same average rate, with
	// Burst requests in flight together, so a limiter with a race shows it.
	Burst int
	// Source is the index of the local source address the phase sends from:
	// 0 is the run's default, 1 the second address (Plan.Sources).
	Source int
}

// Due is when request k (0-based) of the phase is due, from the phase's start:
// k/Rate, or with bursts ⌊k/Burst⌋·Burst/Rate.
func (p Phase) Due(k uint64) time.Duration {
	if p.Rate <= 0 || math.IsInf(p.Rate, 1) {
		return 0
	}
	if p.Burst > 1 {
		k -= k % uint64(p.Burst)
	}
	return time.Duration(float64(k) / p.Rate * float64(time.Second))
}

// Unpaced reports whether the phase sends as fast as it can (`rate: max`), for
// its duration, with no planned count.
func (p Phase) Unpaced() bool { return math.IsInf(p.Rate, 1) }

// End is the offset at which the phase ends.
func (p Phase) End() time.Duration { return p.Start + p.Duration }

// Charge is what a run costs one limit's budget.
type Charge struct {
	Limit     string
	Requests  int64 // requests of the run that count against this limit
	Budget    int64 // the limit's requests per window (0 when Unlimited)
	Unlimited bool
	Tested    bool        // the run exercises this limit; otherwise it is only charged
	Note      string      // why it is not tested, or what it costs
	Share     float64     // Requests / Budget on the active plan tier; 0 when Unlimited
	Tiers     []TierShare // the share of every plan tier's quota, for a limit with plans
}

// Duration is the total planned length of the run.
func (p *Plan) Duration() time.Duration {
	if len(p.Phases) == 0 {
		return 0
	}
	return p.Phases[len(p.Phases)-1].End()
}

// TestedLimit is the limit under test, or nil.
func (p *Plan) TestedLimit() *scenarios.Limit {
	if p.Tested < 0 || p.Scenario == nil || p.Tested >= len(p.Scenario.Limits) {
		return nil
	}
	return &p.Scenario.Limits[p.Tested]
}

// PhaseAt returns the index of the phase running at offset t, or -1.
func (p *Plan) PhaseAt(t time.Duration) int {
	for i, ph := range p.Phases {
		if t >= ph.Start && t < ph.End() {
			return i
		}
	}
	return -1
}

// FirstSeq is the sequence number of phase i's first request. Requests are
// numbered from 0 across the phases that send, in plan order, so the numbers
// follow the schedule.
func (p *Plan) FirstSeq(i int) uint64 {
	var n uint64
	for _, ph := range p.Phases[:min(i, len(p.Phases))] {
		if ph.Rate > 0 && ph.Requests > 0 {
			n += uint64(ph.Requests)
		}
	}
	return n
}
