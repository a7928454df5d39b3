// Package plan turns a scenarios.Scenario into what a run will send, before
// anything is sent: the phases (rates, durations, endpoints, keys), the
// contract segment and the quota tests, what the run costs every limit's
// budget (and each plan tier's share), and how shards split the schedule. It
// is pure and deterministic. It imports only scenarios and the standard
// library; it must not import attack, conformance, report, results or
// anything that does I/O.
//
// New turns a Scenario into the phases of a run and what the run costs each
// limit; see its documentation for the rules. Over the limit, a derived plan
// sends simultaneous bursts (Phase.Burst, at most run.connections) so that a
// limiter whose check and increment race over-admits: a short window in an
// over-burst phase before its paced over phase, a long window in its over
// phase. Plan.BurstOver bursts every paced over phase too. After the paced
// over phase, a short window's plan polls every 10 ms in a probe phase while
// the limit still rejects, so that the conformance checks can time when it
// lifts.
//
// The files follow the plan: plan.go (New and the placing of steps),
// phases.go (the derived and explicit phases), lean.go (the Lean plan),
// burst.go, contract.go and auth.go (the contract segment), quota.go and
// quota_real.go (the quota tests), charges.go and tier.go (what the run
// costs), types.go (Plan, Phase, Charge) and shard.go (Shard, Schedule).
package plan
