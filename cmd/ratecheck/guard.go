package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/scenarios"
)

// planFlags choose how a scenario is planned: its plan tier, lean or full,
// and the limit under test.
type planFlags struct {
	Tier  string
	Lean  bool
	Limit string // "" : the default (run: each of plan.TestableLimits)
}

func (f *planFlags) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&f.Tier, "tier", "", "plan `TIER` whose limits to test and charge (default the scenario's plan:)")
	fs.BoolVar(&f.Lean, "lean", false, "a lean plan: about 3x the tested limit and a few recovery requests, for a real API's quota (catches an off-by-one less reliably)")
	fs.StringVar(&f.Limit, "limit", "", "test only the limit `NAME` (default: every limit that is the first to stop some endpoint's traffic, one run each)")
}

// plan resolves the tier and plans the run; extra adds what the target
// allows (plan.Sources).
func (f *planFlags) plan(sc *scenarios.Scenario, extra ...plan.Option) (*plan.Plan, error) {
	if f.Tier != "" {
		var err error
		if sc, err = sc.WithPlan(f.Tier); err != nil {
			return nil, &usageError{err: fmt.Errorf("--tier: %w", err)}
		}
	}
	opts := extra
	if f.Lean {
		opts = append(opts, plan.Lean())
	}
	if f.Limit != "" {
		if err := knownLimit(sc, f.Limit); err != nil {
			return nil, err
		}
		opts = append(opts, plan.TestLimit(f.Limit))
	}
	return plan.New(sc, opts...), nil
}

// knownLimit says which limits there are when sc has none named name.
func knownLimit(sc *scenarios.Scenario, name string) error {
	var names []string
	for _, l := range sc.Limits {
		if l.Name == name {
			return nil
		}
		names = append(names, l.Name)
	}
	return &usageError{err: fmt.Errorf("--limit: %s has no limit named %q (its limits: %s)", sc.File, name, strings.Join(names, ", "))}
}

// guardFlags protect the user's real quota.
type guardFlags struct {
	Budget   int64
	MaxShare float64
	Yes      bool // set from run's one --yes
}

func (g *guardFlags) addFlags(fs *pflag.FlagSet) {
	fs.Int64Var(&g.Budget, "budget", 0, "refuse a run that plans more than `N` requests (0: no cap)")
	fs.Float64Var(&g.MaxShare, "max-share", plan.DefaultMaxShare, "ask before spending more than this `share` of a quota of a real API (0.1 is 10%)")
}

// errRefused is a run the user (or the absence of a terminal) did not allow.
var errRefused = errors.New("run refused")

// check refuses runs that together plan more than --budget requests, and
// asks before runs against real APIs that together spend more than
// --max-share of a quota: on a terminal it asks, elsewhere it refuses unless
// --yes. runs are those of one invocation, sent one after another: a
// scenario's runs of several limits spend one budget and its quotas
// together. The built-in target has no quota to protect.
func (g *guardFlags) check(ctx context.Context, env *Env, runs []*scenarioRun) error {
	var total int64
	var plans []*plan.Plan // of the runs against real APIs
	for _, sr := range runs {
		total += plannedRequests(sr.plan)
		if !sr.tgt.builtin {
			plans = append(plans, sr.plan)
		}
	}
	sends := "the plan sends"
	if len(runs) > 1 {
		sends = fmt.Sprintf("the %d runs send", len(runs))
	}
	if g.Budget > 0 && total > g.Budget {
		return &usageError{err: fmt.Errorf("%w: %s %d requests, more than --budget %d (try --lean, or raise --budget)", errRefused, sends, total, g.Budget)}
	}
	if len(plans) == 0 {
		return nil
	}
	over := plan.OverShareTogether(g.MaxShare, plans...)
	if len(over) == 0 || g.Yes {
		return nil
	}
	var parts []string
	for _, c := range over {
		parts = append(parts, fmt.Sprintf("%d of %s's %d (%.1f%%%s)", c.Requests, c.Limit, c.Budget, 100*c.Share, onTier(sharedTier(plans))))
	}
	spends := "this run spends"
	if len(plans) > 1 {
		spends = fmt.Sprintf("the %d runs spend", len(plans))
	}
	msg := fmt.Sprintf("%s %s: more than --max-share %.0f%% of a real quota", spends, strings.Join(parts, ", "), 100*g.MaxShare)
	if !env.IsTTY {
		return &usageError{err: fmt.Errorf("%w: %s; no terminal to ask: pass --yes to spend it, or --lean to spend less", errRefused, msg)}
	}
	fmt.Fprintf(env.Stderr, "%s.\nSend it anyway? [y/N] ", msg)
	if !confirmed(ctx, env.Stdin) {
		return &usageError{err: fmt.Errorf("%w: not confirmed", errRefused)}
	}
	return nil
}

// confirmed reads one answer line: y or yes. Cancelling ctx (Ctrl-C) is a no.
func confirmed(ctx context.Context, in io.Reader) bool {
	answer := make(chan string, 1)
	// This goroutine exits when a line (or EOF) is read; if ctx ends first it
	// is left blocked on the terminal until the process exits.
	go func() {
		line, _ := bufio.NewReader(in).ReadString('\n')
		answer <- strings.ToLower(strings.TrimSpace(line))
	}()
	select {
	case a := <-answer:
		return a == "y" || a == "yes"
	case <-ctx.Done():
		return false
	}
}

// plannedRequests is the number of requests the plan's paced phases send.
func plannedRequests(p *plan.Plan) int64 {
	var n int64
	for _, ph := range p.Phases {
		n += ph.Requests
	}
	return n
}

// sharedTier is the plan tier all plans run on, or "" when they differ.
func sharedTier(plans []*plan.Plan) string {
	for _, p := range plans[1:] {
		if p.Scenario.Plan != plans[0].Scenario.Plan {
			return ""
		}
	}
	return plans[0].Scenario.Plan
}

func onTier(tier string) string {
	if tier == "" {
		return ""
	}
	return " on " + tier
}
