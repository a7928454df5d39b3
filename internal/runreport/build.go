// Package runreport turns a judged run into its report and its report files:
// Build gathers the verdict, the metrics and the plan into a report.Report,
// for the live run and a stored one alike, so that the two agree; Judge
// judges a stored run again (one run directory, or the shards of one sharded
// run merged onto one timeline: Merged) with the live run's engine; Outputs
// are the report files a command was asked to write. It prints nothing but
// the progress lines of a long replay and decides no exit status: the
// command line (cmd/ratecheck) does both.
package runreport

import (
	"fmt"

	"github.com/ratecheck/ratecheck/conformance"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/report"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/results/metrics"
)

// Build gathers a judged run into a Report, concluding its verdict from the
// checks and the run's facts (conformance.Verdict.Conclude: INCOMPLETE,
// INCONCLUSIVE, and why). The live run and `ratecheck report RUN_DIR` both
// build their reports here, from the same kinds of inputs, so that they agree.
func Build(meta results.Meta, p *plan.Plan, v conformance.Verdict, m metrics.Snapshot, timeline []metrics.SecondCounts) *report.Report {
	sc := p.Scenario
	v = v.Conclude(sc, conformance.RunFacts{
		Interrupted: meta.Interrupted, Stopped: meta.Stopped,
		Requests: m.Requests, Statuses: m.Statuses, FirstError: m.FirstError,
	})
	r := &report.Report{
		SchemaVersion: report.SchemaVersion,
		RunID:         meta.RunID,
		Tool:          meta.Tool,
		Scenario: report.ScenarioInfo{
			Name:   sc.Name,
			File:   meta.ScenarioFile,
			Source: sc.Source,
			Plan:   sc.Plan,
		},
		Target:        meta.Target,
		BuiltinTarget: meta.BuiltinTarget,
		Started:       meta.Started,
		Finished:      meta.Finished,
		Interrupted:   meta.Interrupted,
		Verdict:       v.Status,
		VerdictReason: v.Reason,
		Checks:        v.Checks,
		Fingerprint:   v.Fingerprint,
		Recovery:      v.Recovery,
		Phases:        m.Phases,
		Requests:      m.Requests,
		Statuses:      m.Statuses,
		Latency:       m.Latency,
		Timeline:      timeline,
		Notes:         meta.Notes,
	}
	if l := p.TestedLimit(); l != nil {
		r.Scenario.Tested = l.Describe()
	}
	if !r.Interrupted {
		r.Notes = append(r.Notes, Shortfalls(r.Phases)...)
	}
	for _, c := range p.Charges {
		r.Charges = append(r.Charges, report.Charge{
			Limit: c.Limit, Requests: c.Requests, Budget: c.Budget, Unlimited: c.Unlimited, Tested: c.Tested, Note: c.Note,
		})
	}
	for i, l := range sc.Limits {
		r.Limits = append(r.Limits, report.LimitInfo{Name: l.Name, Requests: l.Requests, WindowMS: l.Window.Milliseconds(),
			Unlimited: l.Unlimited, Tested: i == p.Tested})
	}
	return r
}

// Shortfalls says which phases sent fewer requests than planned, and at what
// rate: a phase that cannot reach its rate ends at its planned time anyway, so
// the checks that needed the rate may have been left without evidence.
func Shortfalls(phases []metrics.PhaseSnapshot) []string {
	var out []string
	for _, ph := range phases {
		// A phase one request short is a scheduling delay at its end, not a
		// rate this machine could not reach.
		if ph.Planned <= 0 || ph.Requests >= ph.Planned-1 {
			continue
		}
		out = append(out, fmt.Sprintf("shortfall: phase %s sent %d of %d planned requests (%.0f/s of %.0f/s asked) and ended on time; checks that needed that rate may be skipped",
			ph.Name, ph.Requests, ph.Planned, ph.AchievedRate, ph.RequestedRate))
	}
	return out
}
