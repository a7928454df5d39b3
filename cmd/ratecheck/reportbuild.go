package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/ratecheck/ratecheck/conformance"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/report"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/results/metrics"
)

// buildReport gathers a judged run into a Report, concluding its verdict from
// the checks and the run's facts (conformance.Verdict.Conclude: INCOMPLETE,
// INCONCLUSIVE, and why). The live run and `ratecheck report RUN_DIR` both
// build their reports here, from the same kinds of inputs, so that they agree.
func buildReport(meta results.Meta, p *plan.Plan, v conformance.Verdict, m metrics.Snapshot, timeline []metrics.SecondCounts) *report.Report {
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
		r.Notes = append(r.Notes, shortfalls(r.Phases)...)
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

// shortfalls says which phases sent fewer requests than planned, and at what
// rate: a phase that cannot reach its rate ends at its planned time anyway, so
// the checks that needed the rate may have been left without evidence.
func shortfalls(phases []metrics.PhaseSnapshot) []string {
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

// reportOutputs are the report files a command was asked to write.
type reportOutputs struct {
	JSON, HTML, JUnit, Markdown string
}

func (o *reportOutputs) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.JSON, "json", "", "write the JSON report to `FILE`")
	fs.StringVar(&o.HTML, "html", "", "write the HTML report (one self-contained file) to `FILE`")
	fs.StringVar(&o.JUnit, "junit", "", "write a JUnit XML report to `FILE` (for CI test reporters)")
	fs.StringVar(&o.Markdown, "md", "", "write a Markdown report to `FILE` (e.g. $GITHUB_STEP_SUMMARY)")
}

type reportJob struct {
	path  string
	write func(io.Writer, *report.Report) error
}

// check finds, before anything is sent, every output that could not be
// written: the run directory dir (when set; a run already stored there is an
// error too) and every requested report file. Each problem is named.
func (o *reportOutputs) check(dir string) error {
	var errs []error
	if dir != "" {
		if _, err := os.Stat(filepath.Join(dir, results.ObservationsFile)); err == nil {
			errs = append(errs, fmt.Errorf("--out %s: it holds a run already (use another directory): %w", dir, results.ErrRunExists))
		} else if _, err := os.Stat(filepath.Join(dir, results.LinesFile)); err == nil {
			errs = append(errs, fmt.Errorf("--out %s: it holds a run already (use another directory): %w", dir, results.ErrRunExists))
		} else if err := report.CheckWritable(filepath.Join(dir, results.ObservationsFile)); err != nil {
			errs = append(errs, fmt.Errorf("run directory %s: %w", dir, err))
		}
	}
	for _, f := range []struct{ flag, path string }{
		{"--json", o.JSON}, {"--html", o.HTML}, {"--junit", o.JUnit}, {"--md", o.Markdown},
	} {
		if f.path == "" {
			continue
		}
		if err := report.CheckWritable(f.path); err != nil {
			errs = append(errs, fmt.Errorf("%s %s: %w", f.flag, f.path, err))
		}
	}
	return errors.Join(errs...)
}

// write writes report.json into the run directory (when dir is set) and every
// requested file, and returns the paths written. It writes all it can and
// reports every failure.
func (o *reportOutputs) write(dir string, r *report.Report) ([]string, error) {
	var jobs []reportJob
	if dir != "" {
		jobs = append(jobs, reportJob{filepath.Join(dir, results.ReportFile), report.WriteJSON})
	}
	jobs = append(jobs,
		reportJob{o.JSON, report.WriteJSON},
		reportJob{o.HTML, report.WriteHTML},
		reportJob{o.JUnit, report.WriteJUnit},
		reportJob{o.Markdown, report.WriteMarkdown},
	)
	var written []string
	var errs error
	for _, j := range jobs {
		if j.path == "" {
			continue
		}
		if err := report.WriteFile(j.path, j.write, r); err != nil {
			errs = errors.Join(errs, fmt.Errorf("write report %s: %w", j.path, err))
			continue
		}
		written = append(written, j.path)
	}
	return written, errs
}
