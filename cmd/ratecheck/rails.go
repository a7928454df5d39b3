package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"strings"

	"github.com/spf13/pflag"

	"github.com/ratecheck/ratecheck/attack"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/scenarios"
)

// railOptions are the safety rails of a run: hard caps no scenario can
// exceed, and the confirmation before loading a host that is not this machine.
type railOptions struct {
	MaxRequests int64
	MaxRate     float64
	Yes         bool
}

func (r *railOptions) addFlags(fs *pflag.FlagSet) {
	fs.Int64Var(&r.MaxRequests, "max-requests", 0, "never send more than `N` requests, whatever the scenario plans (a plan above it is refused)")
	fs.Float64Var(&r.MaxRate, "max-rate", 0, "never send more than `R` requests per second, whatever the scenario plans (a plan above it is refused)")
	fs.BoolVar(&r.Yes, "yes", false, "answer yes to every question a run asks: sending to a host that is not this machine, spending more than --max-share of a quota (CI)")
}

// errNotConfirmed says the person at the terminal declined to send.
var errNotConfirmed = errors.New("not confirmed: nothing was sent")

// apply refuses a plan above the caps, before anything is sent, and sets
// the caps on the attack, which holds every phase to them while sending.
// Against a host that is not this machine, from a terminal, it states what
// will be sent and asks to go on (unless --yes).
func (r *railOptions) apply(ctx context.Context, env *Env, p *plan.Plan, host string, aopts *attack.Options) error {
	if r.MaxRequests < 0 || r.MaxRate < 0 || math.IsNaN(r.MaxRate) || math.IsInf(r.MaxRate, 0) {
		return &usageError{err: errors.New("--max-requests and --max-rate take positive numbers")}
	}
	total, peak := planLoad(p)
	var over []string
	if r.MaxRequests > 0 && total > r.MaxRequests {
		over = append(over, fmt.Sprintf("the plan sends %d requests, more than --max-requests %d", total, r.MaxRequests))
	}
	for _, ph := range p.Phases {
		if r.MaxRate > 0 && ph.Rate > r.MaxRate {
			over = append(over, fmt.Sprintf("phase %s sends at %s, more than --max-rate %s", ph.Name, describeRate(ph.Rate), formatRate(r.MaxRate)))
		}
	}
	if len(over) > 0 {
		return &usageError{err: fmt.Errorf("%s: %s; nothing was sent (raise the cap, or lower the scenario's rates)", p.Scenario.File, strings.Join(over, "; "))}
	}
	aopts.MaxRequests, aopts.MaxRate = r.MaxRequests, r.MaxRate
	if !env.IsTTY || env.loopback(host) {
		return nil
	}
	fmt.Fprintf(env.Stdout, "ratecheck will send %d requests to %s, at up to %s, over %s.\n", total, host, describeRate(peak), scenarios.FormatDuration(p.Duration()))
	if r.Yes {
		return nil
	}
	fmt.Fprint(env.Stdout, "Send them? [y/N] ")
	if !confirmed(ctx, env.Stdin) {
		return &usageError{err: errNotConfirmed}
	}
	return nil
}

// planLoad is what a plan sends: requests in all (unpaced phases count as
// unknown, 0) and its highest rate.
func planLoad(p *plan.Plan) (total int64, peak float64) {
	for _, ph := range p.Phases {
		peak = max(peak, ph.Rate)
	}
	return plannedRequests(p), peak
}

// describeRate is a rate in words; an unpaced phase sends as fast as it can.
func describeRate(r float64) string {
	if math.IsInf(r, 1) {
		return "as fast as this machine sends"
	}
	return formatRate(r)
}

// loopback reports whether host is this machine (a loopback address or
// localhost); tests may pretend otherwise through Env.Loopback.
func (e *Env) loopback(host string) bool {
	if e.Loopback != nil {
		return e.Loopback(host)
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
