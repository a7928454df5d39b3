package conformance

import (
	"iter"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// A Judge judges one run: it takes the run's observations and gives the
// verdict, with the fingerprint of the limiter and its measured recovery. The
// live run and `ratecheck report` both judge through one, so they agree.
type Judge struct {
	checkers []routed
	run      *run
}

// Options configure a Judge.
type Options struct {
	// Spill, when set, makes the storage the records of a run go to once
	// they outgrow memory (past 65,536 requests; see records.SpillAfter). When it is
	// nil, or fails, the records stay in memory.
	Spill func() (records.Spill, error)
}

// New returns a Judge of the runs of plan p (nil judges nothing: every check
// skips, saying why).
func New(p *plan.Plan, o Options) *Judge {
	cs, r := newCheckers(p, o.Spill)
	return &Judge{checkers: cs, run: r}
}

// Observe takes the next observation of the run, in seq order (a replay may
// give them in any order: the verdict is the same). It is not safe for
// concurrent use.
func (j *Judge) Observe(o results.Observation) {
	kind := j.phaseKind(o.Phase)
	contract := kind.Contract()
	for _, c := range j.checkers {
		if c.all || c.contract == contract || c.auth && kind.Auth() {
			c.Observe(o)
		}
	}
}

// phaseKind is the kind of plan phase i, or "" when there is none. The
// requests of a contract phase only the checks of its promise judge
// (PhaseKind.Contract).
func (j *Judge) phaseKind(i int) scenarios.PhaseKind {
	p := j.run.plan
	if p == nil || i < 0 || i >= len(p.Phases) {
		return ""
	}
	return p.Phases[i].Kind
}

// Verdict judges the observations taken so far: every check's result in the
// order of the checks table (checks.go), the overall status, the fingerprint and the
// measured recovery. It may be asked again after more observations.
func (j *Judge) Verdict() Verdict {
	v := Verdict{Status: check.Pass, Checks: make([]check.Result, 0, len(j.checkers))}
	for _, c := range j.checkers {
		v.Checks = append(v.Checks, c.Result())
	}
	if v.Failed() {
		v.Status = check.Fail
	}
	a := j.run.analysis()
	v.Fingerprint = a.fingerprintExport()
	v.Recovery = a.recoveryExport()
	return v
}

// Check judges a whole run held in memory: New, every observation of obs,
// then Verdict. obs may be replayed from disk or be the live stream; the
// verdict is the same for the same observations.
func Check(p *plan.Plan, obs iter.Seq[results.Observation]) Verdict {
	j := New(p, Options{})
	if obs != nil {
		for o := range obs {
			j.Observe(o)
		}
	}
	return j.Verdict()
}
