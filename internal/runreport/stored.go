package runreport

import (
	"io"
	"time"

	"github.com/ratecheck/ratecheck/conformance"
	"github.com/ratecheck/ratecheck/internal/gcpolicy"
	"github.com/ratecheck/ratecheck/internal/runner"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/report"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/results/metrics"
)

// Stored is a run as 'ratecheck report' judges it again: one run directory,
// or the shards of one sharded run put on one timeline (Merged).
type Stored struct {
	Meta  results.Meta // as recorded (its tier and plan choice rebuild the plan)
	Total int64        // observations Observations yields, for the progress lines; < 0 when unknown
	// Observations yields every observation once, as recorded (seen, for the
	// metrics) and as judging must take it (judged: for merged shards,
	// widened by the clocks' uncertainty), and returns the first read error.
	Observations func(yield func(seen, judged results.Observation)) error
	// Finish, if set, completes meta once everything was read: last is the
	// latest response's arrival.
	Finish func(meta *results.Meta, last time.Time)
	// Doubt, if set, says why the plan's checks cannot be judged on this
	// timeline, and whether failures are withheld too.
	Doubt func(*plan.Plan) (why string, failures bool)
	// Coarse, if set, says why the checks that need one request's precision
	// (conformance.OneRequestChecks) cannot pass on this timeline though the
	// others can be judged; "" when they can.
	Coarse func(*plan.Plan) string
}

// Judge judges s again, as planned by p, with the live run's engine, in one
// pass that also records its metrics, and builds its report. A replay that
// takes longer than a second says how far it has come on progress.
func Judge(p *plan.Plan, s Stored, progress io.Writer) (*report.Report, error) {
	r, err := replay(p, s, newReplayProgress(progress, s.Total, time.Now))
	if err != nil {
		return nil, err
	}
	meta := s.Meta
	if s.Finish != nil {
		s.Finish(&meta, r.last)
	}
	verdict := s.withhold(p, r.verdict, &meta)
	rep := Build(meta, p, verdict, r.rec.Snapshot(meta.Finished), r.rec.Timeline())
	rep.Waits = r.waits.Points()
	return rep, nil
}

// replayed is a stored run judged and measured again.
type replayed struct {
	verdict conformance.Verdict
	rec     *metrics.Recorder
	waits   *metrics.Waits
	last    time.Time // the latest response's arrival
}

// replay hands every observation of s to a Judge, the metrics and the waits,
// in one pass under gcpolicy.Judge's collector settings, and returns the
// first read error.
func replay(p *plan.Plan, s Stored, progress *replayProgress) (replayed, error) {
	r := replayed{rec: metrics.NewRecorder(runner.MetricsPhases(p), s.Meta.Started)}
	for i, t := range s.Meta.PhaseStarts {
		if !t.IsZero() {
			r.rec.StartPhase(i, t)
		}
	}
	r.waits = metrics.NewWaits(runner.WaitSpec(p), s.Meta.Started)
	var readErr error
	r.verdict = gcpolicy.Judge(func() conformance.Verdict {
		j := runner.NewJudge(p, false)
		readErr = s.Observations(func(seen, judged results.Observation) {
			r.rec.Record(seen)
			r.waits.Record(seen)
			if t := seen.Received(); t.After(r.last) {
				r.last = t
			}
			j.Observe(judged)
			progress.observed()
		})
		defer progress.judging()()
		return j.Verdict()
	})
	return r, readErr
}

// withhold keeps back what the timeline of s cannot settle, saying why in
// meta's notes: the verdict when s doubts it (Doubt), else the passes of the
// checks that count single requests when it is too coarse for them (Coarse).
func (s Stored) withhold(p *plan.Plan, v conformance.Verdict, meta *results.Meta) conformance.Verdict {
	if s.Doubt != nil {
		if why, failures := s.Doubt(p); why != "" {
			meta.Notes = append(meta.Notes, "the merged timeline is too uncertain to judge: "+why)
			return v.Withhold(func(msg string) string {
				return "the shards' clocks are too uncertain to judge their merged timeline: " + why + " (as judged: " + msg + ")"
			}, failures)
		}
	}
	if s.Coarse != nil {
		if why := s.Coarse(p); why != "" {
			meta.Notes = append(meta.Notes, "the merged timeline is too coarse to pass the checks that count single requests: "+why)
			return v.WithholdPasses(conformance.OneRequestChecks, func(msg string) string {
				return "the shards' clocks are too uncertain to show one request too many or too few: " + why + " (as judged: " + msg + ")"
			})
		}
	}
	return v
}
