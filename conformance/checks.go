package conformance

import (
	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/contract"
	"github.com/ratecheck/ratecheck/conformance/model"
	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/conformance/response"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// checkSpec is one row of checks: a check id and what makes its checker.
type checkSpec struct {
	id    check.ID
	judge func(*analysis) check.Result
	make  func(*plan.Plan, *records.Collector) check.Checker
	// contract marks the checks of the contract phases (PhaseKind.Contract):
	// they see only those phases' observations, and the others never do.
	contract bool
	// all marks a check that sees every phase's observations and judges
	// the whole run, however it is cut into stretches (newRunCheckers).
	all bool
	// auth marks a check of the other phases that sees the auth phases'
	// requests too (PhaseKind.Auth): body.error-format judges their 401s
	// and 403s.
	auth bool
}

// checks lists the check ids in the order a Verdict reports them, each with
// what makes its checker. The checks that replay the run through the limiter
// model read their result off the shared analysis (judge); those that judge
// what responses say read the observations on their own (make), sharing the
// model checks' records where they count the same requests.
var checks = []checkSpec{
	{id: check.LimitEnforced, judge: enforcedResult},
	{id: check.LimitNoEarlyReject, judge: earlyResult},
	{id: check.LimitStatus, judge: statusResult},
	{id: check.TimingOnset, judge: onsetResult},
	{id: check.RecoveryAfterWindow, judge: recoveryResult},
	{id: check.HeadersLimit, make: response.NewLimitChecker},
	{id: check.HeadersRemaining, make: func(p *plan.Plan, c *records.Collector) check.Checker {
		return response.NewRemainingChecker(p, c, describedModel(p))
	}},
	{id: check.HeadersReset, make: func(p *plan.Plan, c *records.Collector) check.Checker {
		return response.NewResetChecker(p, c, describedModel(p))
	}},
	{id: check.HeadersRetryAfter, make: func(p *plan.Plan, c *records.Collector) check.Checker {
		return response.NewRetryAfterChecker(p, c, testedModel(p))
	}},
	{id: check.BodyErrorFormat, make: response.NewBodyChecker, auth: true},
	{id: check.LimitPerKey, make: contract.NewPerKeyChecker, contract: true},
	{id: check.LimitPerIP, make: contract.NewPerIPChecker, contract: true},
	{id: check.LimitExcluded, make: contract.NewExcludedChecker, all: true},
	{id: check.AuthMissingKey, make: contract.NewMissingKeyChecker, contract: true},
	{id: check.AuthInvalidKey, make: contract.NewInvalidKeyChecker, contract: true},
	{id: check.AuthScope, make: contract.NewScopeChecker, contract: true},
	{id: check.AuthNotCounted, make: contract.NewNotCountedChecker, all: true},
	{id: check.QuotaEnforced, make: contract.NewQuotaChecker, all: true},
}

// newCheckers returns the checkers of one stretch of a run (see stretch.go),
// one per check id of checks that is not run-wide (all), in the order of
// checks, and the state the model checks share. The checkers share what they
// record: feeding every observation to each of them (live) or all
// observations to one after the other (replay) both work. They keep one
// compact record per request, on sp past 65,536 when sp is set (see
// records.SpillAfter), and read them back only when judging needs them (see
// underlimit_fastpath.go).
func newCheckers(p *plan.Plan, sp func() (records.Spill, error), leaveOut func(results.Observation) bool) ([]routed, *run) {
	r := &run{plan: p, col: modelCollector(p, testedLimitOf(p), leaveOut)}
	r.col.NewSpill = sp
	out := make([]routed, 0, len(checks))
	for _, c := range checks {
		switch {
		case c.all:
		case c.judge != nil:
			out = append(out, routed{Checker: &modelChecker{run: r, id: c.id, judge: c.judge}})
		default:
			out = append(out, c.checker(p, r.col, r.blamed))
		}
	}
	return out, r
}

// newRunCheckers returns the checkers that judge the whole run whatever its
// stretches (all: they see every phase, and what they judge spans the run:
// a quota, the attempts of auth.not-counted), in the order of checks, their
// blames taken from blamed. They keep no records of their own (nil
// collector).
func newRunCheckers(p *plan.Plan, blamed func() check.Blames) []routed {
	var out []routed
	for _, c := range checks {
		if c.all {
			out = append(out, c.checker(p, nil, blamed))
		}
	}
	return out
}

// checker makes the checker of c, deferring to blamed, and routes it.
func (c checkSpec) checker(p *plan.Plan, col *records.Collector, blamed func() check.Blames) routed {
	ch := c.make(p, col)
	if b, ok := ch.(check.Blamer); ok {
		b.DeferTo(blamed)
	}
	return routed{Checker: ch, contract: c.contract, all: c.all, auth: c.auth}
}

// modelCollector returns the collector of the model checks: the requests
// limit counts, with quiet runs judged from counts when its family can, and
// the 429s leaveOut picks left out (see attribution).
func modelCollector(p *plan.Plan, limit *scenarios.Limit, leaveOut func(results.Observation) bool) *records.Collector {
	_, quiet := quietFamily(limit)
	return records.NewCollector(p, limit, quiet, leaveOut)
}

// attribution picks the 429s of runs of p that another limit than the tested
// one caused: a quota its headers say ran out (response.QuotaAttribution), or
// a longer limit the run's own admissions spent (budgetAttribution). It
// counts every observation it is asked about, in the order of the run, so a
// run has one, whatever its stretches.
func attribution(p *plan.Plan) func(results.Observation) bool {
	limit := testedLimitOf(p)
	qa := response.NewQuotaAttribution(p, limit)
	ba := newBudgetAttribution(p, limit) // nil when no longer limit: it attributes nothing
	return func(o results.Observation) bool {
		byBudget := ba.spent(o) // counts every observation, whatever the headers say
		return qa.Spent(o) || byBudget
	}
}

// routed is a checker with the phases it is given: the contract phases,
// all the others, or every phase (all); and the auth phases too when auth
// is set.
type routed struct {
	check.Checker
	contract bool
	all      bool
	auth     bool
}

// run is the state the checkers of one run share.
type run struct {
	plan   *plan.Plan
	col    *records.Collector
	cached *analysis
	at     int // observations and context seen when cached was computed
	// serial judges on one core: a stretch judged while the run goes on
	// leaves the others to the attack.
	serial bool
	// lockedOut are the clients a stretch began refusing, each for far
	// longer than the promised recovery (see Judge.next).
	lockedOut map[string]bool
}

func (r *run) analysis() *analysis {
	if fed := r.col.Seen + r.col.Contexts; r.cached == nil || r.at != fed {
		r.cached, r.at = analyse(r.plan, r.col, r.serial, r.lockedOut), fed
	}
	return r.cached
}

// modelChecker judges one id by replaying the run through the limiter model.
// The judge is called only when the run can be judged; otherwise the check
// skips with the reason.
type modelChecker struct {
	run   *run
	id    check.ID
	judge func(*analysis) check.Result
	fed   int // observations this checker was given
}

var _ check.Checker = (*modelChecker)(nil)

// Observe records o once for all the checkers of the run.
func (c *modelChecker) Observe(o results.Observation) {
	c.run.col.Observe(c.fed, o)
	c.fed++
}

// Result judges the observations seen so far.
func (c *modelChecker) Result() check.Result {
	a := c.run.analysis()
	if a.skip != "" {
		return check.Result{ID: c.id, Limit: a.limitName(), Status: check.Skip, Message: a.skip}
	}
	return a.result(c.id, c.judge)
}

// describedModel is the family of the limit the headers describe, for
// headers.remaining's countdown, or the families its algorithm leaves open
// (any, sliding-window) as one model that allows what any of them allows;
// nil when no limit is described.
func describedModel(p *plan.Plan) response.Model {
	if p == nil || p.Scenario == nil {
		return nil
	}
	return modelOf(response.DescribedLimit(p.Scenario))
}

// testedModel is the family of the limit p tests, as describedModel's.
func testedModel(p *plan.Plan) response.Model { return modelOf(testedLimitOf(p)) }

// testedLimitOf is the limit p tests, or nil.
func testedLimitOf(p *plan.Plan) *scenarios.Limit {
	if p == nil {
		return nil
	}
	return p.TestedLimit()
}

// modelOf is the family of l, or the union of those its open algorithm
// allows; nil when l is nil or cannot be judged.
func modelOf(l *scenarios.Limit) response.Model {
	if l == nil {
		return nil
	}
	fams, err := model.FamiliesFor(l)
	switch {
	case err != nil || len(fams) == 0:
		return nil
	case len(fams) == 1:
		return fams[0]
	}
	return model.Union(fams)
}
