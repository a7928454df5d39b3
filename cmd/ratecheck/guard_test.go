package main

import (
	"context"
	"errors"
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
		err := g.check(context.Background(), env, p, false)
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
	if err := g.check(ctx, &Env{Stdin: in, Stderr: io.Discard, IsTTY: true}, p, false); !errors.Is(err, errRefused) {
		t.Errorf("unanswered prompt, cancelled: check = %v; want errRefused", err)
	}
	// The built-in target and --yes never ask; lean stays under the share.
	for _, g := range []guardFlags{{MaxShare: 0.1, Yes: true}, {MaxShare: 0.5}} {
		if err := g.check(context.Background(), &Env{Stdin: in, IsTTY: true}, p, false); err != nil {
			t.Errorf("%+v: check = %v; want nil", g, err)
		}
	}
	if err := (&guardFlags{MaxShare: 0.1}).check(context.Background(), &Env{Stdin: in}, p, true); err != nil {
		t.Errorf("built-in target: check = %v; want nil", err)
	}
	if err := (&guardFlags{MaxShare: 0.1}).check(context.Background(), &Env{Stdin: in}, plan.New(sc, plan.Lean()), false); err != nil {
		t.Errorf("lean plan: check = %v; want nil (71 of 2000)", err)
	}
}
