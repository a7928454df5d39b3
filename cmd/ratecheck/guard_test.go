package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/scenarios"
)

// TestGuardConfirm: on a terminal the guard asks, and goes on only for y or
// yes; a terminal nobody answers is a no once the context ends.
func TestGuardConfirm(t *testing.T) {
	sc, err := scenarios.Load("../../scenarios/copilot.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p := plan.New(sc)
	for _, tt := range []struct {
		answer string
		ok     bool
	}{{"y\n", true}, {"YES\n", true}, {"\n", false}, {"no\n", false}, {"", false}} {
		var stderr strings.Builder
		env := &Env{Stdin: strings.NewReader(tt.answer), Stderr: &stderr, IsTTY: true}
		g := guardFlags{MaxShare: plan.DefaultMaxShare}
		err := g.check(context.Background(), env, realRuns(p))
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, errRefused)) {
			t.Errorf("answer %q: check = %v; want ok %v", tt.answer, err, tt.ok)
		}
		if !strings.Contains(stderr.String(), "530 of monthly's 2000 (26.5% on starter)") {
			t.Errorf("answer %q: prompt %q does not say what the run spends", tt.answer, stderr.String())
		}
	}
	// Nobody types: cancelling (Ctrl-C) refuses instead of waiting forever.
	in, w := io.Pipe()
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	g := guardFlags{MaxShare: plan.DefaultMaxShare}
	if err := g.check(ctx, &Env{Stdin: in, Stderr: io.Discard, IsTTY: true}, realRuns(p)); !errors.Is(err, errRefused) {
		t.Errorf("unanswered prompt, cancelled: check = %v; want errRefused", err)
	}
	// The built-in target and --yes never ask; lean stays under the share.
	for _, g := range []guardFlags{{MaxShare: 0.1, Yes: true}, {MaxShare: 0.5}} {
		if err := g.check(context.Background(), &Env{Stdin: in, IsTTY: true}, realRuns(p)); err != nil {
			t.Errorf("%+v: check = %v; want nil", g, err)
		}
	}
	builtin := []*scenarioRun{{plan: p, tgt: &target{builtin: true}}}
	if err := (&guardFlags{MaxShare: 0.1}).check(context.Background(), &Env{Stdin: in}, builtin); err != nil {
		t.Errorf("built-in target: check = %v; want nil", err)
	}
	if err := (&guardFlags{MaxShare: 0.1}).check(context.Background(), &Env{Stdin: in}, realRuns(plan.New(sc, plan.Lean()))); err != nil {
		t.Errorf("lean plan: check = %v; want nil (71 of 2000)", err)
	}
}

// TestGuardSumsTheRunsOfAnInvocation: the runs of one invocation are
// guarded together, the share of a quota and --budget alike: three lean runs
// of one scenario spend 10.65% of its monthly quota where each spends 3.55%.
func TestGuardSumsTheRunsOfAnInvocation(t *testing.T) {
	sc, err := scenarios.Load("../../scenarios/copilot.yaml")
	if err != nil {
		t.Fatal(err)
	}
	lean := plan.New(sc, plan.Lean())
	g := guardFlags{MaxShare: plan.DefaultMaxShare}
	if err := g.check(context.Background(), &Env{}, realRuns(lean, lean)); err != nil {
		t.Errorf("two lean runs (7.1%%): check = %v; want nil", err)
	}
	err = g.check(context.Background(), &Env{}, realRuns(lean, lean, lean))
	if !errors.Is(err, errRefused) || !strings.Contains(err.Error(), "the 3 runs spend 213 of monthly's 2000 (10.6% on starter)") {
		t.Errorf("three lean runs without a terminal: check = %v; want refused, naming what they spend together", err)
	}
	one := plannedRequests(lean)
	g = guardFlags{MaxShare: 1, Budget: 2*one + 1}
	if err := g.check(context.Background(), &Env{}, realRuns(lean, lean)); err != nil {
		t.Errorf("two runs of %d under --budget %d: check = %v; want nil", one, g.Budget, err)
	}
	// The built-in target's runs count against --budget too.
	runs := append(realRuns(lean, lean), &scenarioRun{plan: lean, tgt: &target{builtin: true}})
	err = g.check(context.Background(), &Env{}, runs)
	if want := fmt.Sprintf("the 3 runs send %d requests, more than --budget %d", 3*one, g.Budget); !errors.Is(err, errRefused) || !strings.Contains(err.Error(), want) {
		t.Errorf("three runs of %d: check = %v; want refused: %q", one, err, want)
	}
}

// realRuns are runs of plans against a real API.
func realRuns(plans ...*plan.Plan) []*scenarioRun {
	var out []*scenarioRun
	for _, p := range plans {
		out = append(out, &scenarioRun{plan: p, tgt: &target{}})
	}
	return out
}
