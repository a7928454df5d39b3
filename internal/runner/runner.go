// Package runner wires one run together: it starts the attack and fans every
// observation out, in one goroutine, to the run directory writer, the
// conformance Judge and the metrics recorder, and hands progress snapshots to
// a callback that must never block. It owns no UI: the CLI turns progress into
// dashboard frames or plain lines.
package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ratecheck/ratecheck/attack"
	"github.com/ratecheck/ratecheck/conformance"
	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/conformance/spill"
	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/internal/gcpolicy"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/results/metrics"
	"github.com/ratecheck/ratecheck/scenarios"
)

// Progress is the state of a run at one moment, passed to Options.OnProgress.
type Progress struct {
	Elapsed time.Duration
	Phase   int // index of the phase running now, -1 when none is
	Metrics metrics.Snapshot
	// Checks are the checks as judged so far, in the Judge's order:
	// provisional (a check may pass, fail or skip differently once more is
	// seen), a failure with the evidence found so far. Nil until the first
	// provisional judging, and in the final progress (Done): the verdict is
	// the Outcome's.
	Checks []check.Result
	// ChecksAt is the Elapsed of the progress in which Checks were judged:
	// that progress's Metrics are the run as it stood then (which phases
	// had all their answers), so a view can tell a check still waiting for
	// its phases from one that saw them.
	ChecksAt time.Duration
	Done     bool
}

// Options configure a run.
type Options struct {
	Plan   *plan.Plan
	Attack attack.Options
	// Writer receives every observation as it arrives; nil keeps none on disk.
	Writer *results.Writer
	// OnProgress, if set, is called from the fan-out loop about every
	// ProgressEvery (default 100 ms) and once at the end. It must not block.
	OnProgress    func(Progress)
	ProgressEvery time.Duration
	// JudgeEvery is how often, at most, the run is judged while it goes, for
	// Progress.Checks (default 1 s). Judging replays the run so far, so it is
	// also spaced to at least 20 times what it last took (at most 5% of the
	// fan-out loop's time), and it stops past liveJudgeMax observations.
	JudgeEvery time.Duration
}

// liveJudgeMax is the number of observations past which a run is no longer
// judged while it goes: judging replays every record, and a long run's
// records go to disk (past 65,536) to keep memory flat while it sends.
const liveJudgeMax = 20_000

// Outcome is what a finished (or interrupted) run produced.
type Outcome struct {
	Started, Finished time.Time
	Interrupted       bool // ctx was cancelled, or the attack backed off, before the plan ended
	// BackedOff says why the attack stopped early because the target was
	// failing (attack.Attack.BackedOff), or "".
	BackedOff string
	Verdict   conformance.Verdict
	Metrics   metrics.Snapshot
	Timeline  []metrics.SecondCounts
	// Waits pairs the 429s that said when to come back with the measured
	// wait until the next admission (a sample of them in a long run).
	Waits []metrics.WaitPoint
	// PhaseStarts holds, per plan phase, when it was launched: the origin of
	// its send schedule (zero for a phase that sent nothing).
	PhaseStarts []time.Time
	// WriteErr is the first error writing observations to disk. The run goes on
	// without the file so that the verdict is not lost.
	WriteErr error
}

// Run sends the plan and judges it. It returns when every phase has ended or,
// after ctx is cancelled, when the requests in flight have returned; the
// Outcome then covers what was sent.
func Run(ctx context.Context, o Options) (*Outcome, error) {
	if o.Plan == nil {
		return nil, errors.New("runner: no plan")
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = 100 * time.Millisecond
	}
	if o.JudgeEvery <= 0 {
		o.JudgeEvery = time.Second
	}
	leaveSending := gcpolicy.Send()
	atk, err := attack.Start(ctx, o.Plan, o.Attack)
	if err != nil {
		leaveSending()
		return nil, err
	}
	f := newFanout(o, atk)
	f.loop(atk.Observations())
	leaveSending()
	out := &Outcome{
		Started:     atk.Started(),
		Finished:    time.Now().Add(o.Attack.ClockSkew), // on the run's clock, as Started
		Interrupted: ctx.Err() != nil || atk.BackedOff() != "",
		BackedOff:   atk.BackedOff(),
		WriteErr:    f.writeErr,
	}
	out.PhaseStarts = make([]time.Time, len(o.Plan.Phases))
	for i := range out.PhaseStarts {
		out.PhaseStarts[i] = atk.PhaseStarted(i)
	}
	out.Verdict = gcpolicy.Judge(f.judge.Verdict)
	out.Metrics = f.rec.Snapshot(out.Finished)
	out.Timeline = f.rec.Timeline()
	out.Waits = f.waits.Points()
	if o.OnProgress != nil {
		o.OnProgress(Progress{Elapsed: out.Finished.Sub(out.Started), Phase: -1, Metrics: out.Metrics, Done: true})
	}
	return out, nil
}

// fanout owns every mutable thing of the run; only its loop touches them.
type fanout struct {
	opts     Options
	atk      *attack.Attack
	started  time.Time
	phases   []bool // phases whose origin rec has been given
	rec      *metrics.Recorder
	judge    *conformance.Judge
	waits    *metrics.Waits
	writeErr error
	seen     int // observations taken
	// The provisional judging: its latest checks, the observations they
	// judged, and when it may run next.
	checks    []check.Result
	checksAt  time.Duration
	judged    int
	nextJudge time.Time
}

func newFanout(o Options, atk *attack.Attack) *fanout {
	f := &fanout{
		opts:    o,
		atk:     atk,
		started: atk.Started(),
		phases:  make([]bool, len(o.Plan.Phases)),
		rec:     metrics.NewRecorder(MetricsPhases(o.Plan), atk.Started()),
		judge:   NewJudge(o.Plan, true),
		waits:   metrics.NewWaits(WaitSpec(o.Plan), atk.Started()),
	}
	if r, ok := FollowRemaining(o.Plan); ok {
		f.rec.FollowRemaining(r.Spec)
	}
	f.rec.FollowWindows(limitWindows(o.Plan))
	return f
}

// limitWindows are the windows of p's limits, for the live view's use of
// each (metrics.Snapshot.WindowUse).
func limitWindows(p *plan.Plan) []time.Duration {
	if p.Scenario == nil {
		return nil
	}
	var out []time.Duration
	for _, l := range p.Scenario.Limits {
		if l.Finite() {
			out = append(out, l.Window)
		}
	}
	return out
}

func (f *fanout) loop(obs <-chan results.Observation) {
	progress := time.NewTicker(f.opts.ProgressEvery)
	defer progress.Stop()
	flush := time.NewTicker(250 * time.Millisecond)
	defer flush.Stop()
	for {
		select {
		case o, ok := <-obs:
			if !ok {
				f.flushAll()
				return
			}
			f.observe(o)
		case now := <-progress.C:
			f.progress(now)
		case <-flush.C:
			f.flush()
		}
	}
}

func (f *fanout) observe(o results.Observation) {
	if f.opts.Writer != nil && f.writeErr == nil {
		if err := f.opts.Writer.Append(o); err != nil {
			f.writeErr = err
		}
	}
	if p := o.Phase; 0 <= p && p < len(f.phases) && !f.phases[p] {
		// The attack set the phase's origin before sending o.
		f.phases[p] = true
		f.rec.StartPhase(p, f.atk.PhaseStarted(p))
	}
	f.rec.Record(o)
	f.waits.Record(o)
	f.judge.Observe(o)
	f.seen++
}

// flushAge is how old the observations file's block being filled may grow
// before the loop's flush, every 250 ms, writes it: a block holds 0.5 to
// 0.75 s of observations (larger blocks compress better) and a crash loses
// at most 0.75 s, plus what was in flight.
const flushAge = 500 * time.Millisecond

func (f *fanout) flush() {
	if f.opts.Writer == nil || f.writeErr != nil {
		return
	}
	if err := f.opts.Writer.FlushOlder(flushAge); err != nil {
		f.writeErr = fmt.Errorf("runner: flush observations: %w", err)
	}
}

// flushAll writes every observation taken: the attack has ended.
func (f *fanout) flushAll() {
	if f.opts.Writer == nil || f.writeErr != nil {
		return
	}
	if err := f.opts.Writer.Flush(); err != nil {
		f.writeErr = fmt.Errorf("runner: flush observations: %w", err)
	}
}

func (f *fanout) progress(now time.Time) {
	if f.opts.OnProgress == nil {
		return
	}
	elapsed := now.Sub(f.started)
	f.judgeSoFar(now)
	f.opts.OnProgress(Progress{Elapsed: elapsed, Phase: f.opts.Plan.PhaseAt(elapsed), Metrics: f.rec.Snapshot(now), Checks: f.checks, ChecksAt: f.checksAt})
}

// judgeSoFar judges the run so far for the progress view, when it is due
// (Options.JudgeEvery) and something new was observed, while the run is
// small enough (liveJudgeMax). The Judge may be asked for a verdict again
// after more observations; the checks handed on are a new slice each time.
func (f *fanout) judgeSoFar(now time.Time) {
	if f.seen == f.judged || f.seen > liveJudgeMax || now.Before(f.nextJudge) {
		return
	}
	t0 := time.Now()
	v := f.judge.Verdict()
	took := time.Since(t0)
	f.checks, f.checksAt, f.judged = v.Checks, now.Sub(f.started), f.seen
	f.nextJudge = now.Add(max(f.opts.JudgeEvery, 20*took))
}

// MetricsPhases describes the plan's phases to the metrics recorder.
func MetricsPhases(p *plan.Plan) []metrics.Phase {
	out := make([]metrics.Phase, len(p.Phases))
	for i, ph := range p.Phases {
		out[i] = metrics.Phase{Name: ph.Name, Kind: string(ph.Kind), Rate: ph.Rate, Planned: ph.Requests, Duration: ph.Duration, Start: ph.Start, FirstSeq: p.FirstSeq(i), Burst: ph.Burst}
	}
	return out
}

// WaitSpec is how the rate-limit headers of a run of p are read for the
// report's recovery picture (metrics.Waits): the scenario's convention, with
// its header names and reset format.
func WaitSpec(p *plan.Plan) headers.Spec {
	if p == nil || p.Scenario == nil {
		return headers.Spec{}
	}
	h := p.Scenario.Headers
	s := headers.Spec{Convention: h.Convention, ResetFormat: h.ResetFormat}
	if l := p.TestedLimit(); l != nil {
		s.Window = l.Window
	}
	if h.Convention.HasCounters() {
		names := headers.Names{Limit: h.Limit, Remaining: h.Remaining, Reset: h.Reset}
		if names == (headers.Names{}) {
			names = h.Convention.DefaultNames()
		}
		s.Convention, s.Names = headers.ConventionVendor, names
	}
	return s
}

// NewJudge returns the Judge of a run of p whose records, past what memory
// keeps, go to a spill file in the system's temporary directory; live when
// the run is being sent as it is judged (conformance.Options.Live).
func NewJudge(p *plan.Plan, live bool) *conformance.Judge {
	return conformance.New(p, conformance.Options{Spill: tempSpill, Live: live})
}

func tempSpill() (records.Spill, error) { return spill.Create("") }

// Concluded is the run's verdict as `ratecheck run` reports it: Verdict
// concluded (conformance.Verdict.Conclude) from the run's facts, so that an
// undecided limit check or a run that tested nothing is never a pass. sc only
// words the reason and may be nil.
func (o *Outcome) Concluded(sc *scenarios.Scenario) conformance.Verdict {
	return o.Verdict.Conclude(sc, conformance.RunFacts{
		Interrupted: o.Interrupted, Requests: o.Metrics.Requests,
		Statuses: o.Metrics.Statuses, FirstError: o.Metrics.FirstError,
	})
}

// Remaining is the Remaining header the live view follows in a run: how the
// metrics read it, the limit it describes and the header's name as a person
// knows it.
type Remaining struct {
	Spec   metrics.RemainingSpec
	Limit  scenarios.Limit
	Header string
}

// FollowRemaining says which Remaining header of a run of p the live view
// follows, read as the conformance checks read it: the scenario's convention
// and names, for the limit the headers describe (headers.describes, else the
// first). ok is false when the scenario promises no Remaining header, or the
// limit it describes has no finite count to compare it with.
func FollowRemaining(p *plan.Plan) (r Remaining, ok bool) {
	if p == nil || p.Scenario == nil {
		return r, false
	}
	sc := p.Scenario
	h := sc.Headers
	var l *scenarios.Limit
	for i := range sc.Limits {
		if sc.Limits[i].Name == h.Describes || (h.Describes == "" && i == 0) {
			l = &sc.Limits[i]
			break
		}
	}
	if l == nil || !l.Finite() {
		return r, false
	}
	spec := headers.Spec{ResetFormat: h.ResetFormat, Window: l.Window}
	switch {
	case h.Convention == headers.ConventionStructured:
		spec.Convention, r.Header = headers.ConventionStructured, "RateLimit r="
	case h.Convention.HasCounters():
		names := headers.Names{Limit: h.Limit, Remaining: h.Remaining, Reset: h.Reset}
		if names == (headers.Names{}) {
			names = h.Convention.DefaultNames()
		}
		if names.Remaining == "" {
			return r, false
		}
		spec.Convention, spec.Names, r.Header = headers.ConventionVendor, names, names.Remaining
	default:
		return r, false
	}
	lim := *l
	r.Limit = lim
	r.Spec = metrics.RemainingSpec{Headers: spec, Requests: lim.Requests, Window: lim.Window,
		Counts: lim.Counts, PerKey: lim.Scope == scenarios.ScopeKey || lim.Scope == ""}
	return r, true
}
