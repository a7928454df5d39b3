package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/internal/runner"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/report"
	"github.com/ratecheck/ratecheck/report/dashboard"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/results/metrics"
	"github.com/ratecheck/ratecheck/scenarios"
)

// progressView shows a run while it goes: the live dashboard on a terminal,
// plain lines once a second otherwise. update is called from the runner's
// fan-out loop and never blocks on the UI: frames go into a one-slot mailbox.
type progressView struct {
	env      *Env
	tui      bool
	plan     *plan.Plan
	base     dashboard.Frame
	mb       *dashboard.Mailbox
	uiDone   chan struct{}
	lastLine time.Duration
	last     metrics.Snapshot // the latest metrics, kept for the final frame (written only by update)
	judged   int              // phases run when the latest checks were judged (dashboard.Frame.Judged)
	failing  map[string]bool  // checks (id/limit) already said to fail so far, in plain mode
	// targetName names the target judged, for the first line.
	targetName string
}

func newProgressView(env *Env, noTUI bool, p *plan.Plan, meta results.Meta) *progressView {
	v := &progressView{env: env, tui: env.IsTTY && !noTUI, plan: p, lastLine: -time.Second,
		targetName: results.TargetName(meta.Target, meta.BuiltinTarget)}
	v.base = dashboard.Frame{Scenario: meta.ScenarioName, Target: v.targetName, Current: -1, Total: p.Duration(), Notes: meta.Notes}
	if l := p.TestedLimit(); l != nil {
		v.base.Tested = l.Describe()
	}
	v.base.Limits = limitLines(p)
	if r, ok := runner.FollowRemaining(p); ok {
		v.base.Remaining = &dashboard.RemainingInfo{Header: r.Header, Approximate: p.Scenario.Headers.Approximate,
			Limit: dashboard.LimitLine{Name: r.Limit.Name, Requests: r.Limit.Requests, Window: r.Limit.Window}}
	}
	for _, ph := range p.Phases {
		v.base.Phases = append(v.base.Phases, dashboard.PhaseInfo{Name: ph.Name, Kind: string(ph.Kind), Start: ph.Start, Duration: ph.Duration, Rate: ph.Rate})
	}
	return v
}

// start shows the run's header, or starts the dashboard. Quitting the
// dashboard cancels the run.
func (v *progressView) start(ctx context.Context, cancel context.CancelFunc) {
	if !v.tui {
		w := v.env.Stdout
		fmt.Fprintf(w, "ratecheck run %s against %s: %s\n", v.base.Scenario, v.targetName, v.base.Tested)
		fmt.Fprintf(w, "target: %s\n", v.base.Target)
		for _, n := range v.base.Notes {
			fmt.Fprintf(w, "note: %s\n", n)
		}
		var total int64
		for _, ph := range v.plan.Phases {
			total += ph.Requests
		}
		fmt.Fprintf(w, "plan: %d phases, %s, %d requests\n", len(v.plan.Phases), scenarios.FormatDuration(v.plan.Duration()), total)
		return
	}
	v.mb = dashboard.NewMailbox()
	v.uiDone = make(chan struct{})
	// This goroutine runs the dashboard; it exits after the final frame has been
	// shown, when the user quits (which cancels the run), or when ctx ends.
	go func() {
		defer close(v.uiDone)
		quit, err := dashboard.Run(ctx, v.mb, dashboard.Options{In: v.env.Stdin, Out: v.env.Stdout})
		if err != nil && !errors.Is(err, context.Canceled) {
			fmt.Fprintf(v.env.Stderr, "ratecheck: dashboard: %v\n", err)
		}
		if quit {
			cancel()
		}
	}()
}

func (v *progressView) update(p runner.Progress) {
	v.last = p.Metrics
	if v.tui {
		if p.Checks != nil && p.ChecksAt == p.Elapsed {
			v.judged = phasesRun(v.plan, p.Metrics, p.Elapsed)
		}
		f := v.base
		f.Elapsed, f.Current, f.Metrics, f.Checks, f.Judged = p.Elapsed, p.Phase, p.Metrics, p.Checks, v.judged
		v.mb.Put(f)
		return
	}
	v.newFailures(p)
	if p.Done || p.Elapsed-v.lastLine < time.Second {
		return
	}
	v.lastLine = p.Elapsed
	name, rate := "-", "-"
	if p.Phase >= 0 {
		ph := v.plan.Phases[p.Phase]
		name = ph.Name
		if ph.Rate > 0 {
			rate = formatRate(ph.Rate)
		}
	}
	m := p.Metrics
	var admitted, limited, other int64
	for _, ph := range m.Phases {
		admitted += ph.Admitted
		limited += ph.Limited
		other += ph.Other
	}
	fmt.Fprintf(v.env.Stdout, "%6.1fs  %-9s %9s  sent %-6d ok %-6d 429 %-6d other %-4d p99 %s\n",
		p.Elapsed.Seconds(), name, rate, m.Requests, admitted, limited, other, m.Latency.P99.Round(10*time.Microsecond))
}

// phasesRun is how many of the plan's phases, from the first, had run at
// elapsed with m the metrics then: their time over and every planned request
// answered. A phase short of answers (one in flight, a request lost) stops
// the count: a check it decides stays pending until the run ends.
func phasesRun(p *plan.Plan, m metrics.Snapshot, elapsed time.Duration) int {
	for i, ph := range p.Phases {
		if ph.Start+ph.Duration > elapsed || i >= len(m.Phases) || m.Phases[i].Requests < m.Phases[i].Planned {
			return i
		}
	}
	return len(p.Phases)
}

// newFailures prints, in plain mode, each check the judging so far finds
// failing, once, with its first evidence request: a CI log shows the defect
// when it is seen, not only at the end.
func (v *progressView) newFailures(p runner.Progress) {
	for _, c := range p.Checks {
		key := string(c.ID) + "/" + c.Limit
		if c.Status != check.Fail || v.failing[key] {
			continue
		}
		if v.failing == nil {
			v.failing = map[string]bool{}
		}
		v.failing[key] = true
		fmt.Fprintf(v.env.Stdout, "%6.1fs  failing so far: %s  %s\n", p.Elapsed.Seconds(), c.ID, printable(c.Message))
		if q, ok := c.Evidence.First(); ok {
			fmt.Fprintf(v.env.Stdout, "          #%d %s +%.3fs %d  %s\n", q.Seq, q.Phase, q.Offset.Seconds(), q.Status, printable(q.Note))
		}
	}
}

// stop shows the final state; with the dashboard it waits until the UI has
// drawn the last frame and given the terminal back.
func (v *progressView) stop(rep *report.Report) {
	if !v.tui {
		return
	}
	f := v.base
	f.Done, f.Metrics = true, v.last
	if rep != nil {
		f.Elapsed = rep.Finished.Sub(rep.Started)
		f.Checks, f.Verdict = rep.Checks, rep.Verdict
	}
	v.mb.Put(f)
	<-v.uiDone
}

// limitLines are the plan's finite limits for the dashboard's chart, the
// tested limit first.
func limitLines(p *plan.Plan) []dashboard.LimitLine {
	if p.Scenario == nil {
		return nil
	}
	var out []dashboard.LimitLine
	for i, l := range p.Scenario.Limits {
		if !l.Finite() {
			continue
		}
		ll := dashboard.LimitLine{Name: l.Name, Requests: l.Requests, Window: l.Window}
		if i == p.Tested {
			out = append([]dashboard.LimitLine{ll}, out...)
		} else {
			out = append(out, ll)
		}
	}
	return out
}
