package main

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/scenarios"
)

func newPlanCmd(env *Env) *cobra.Command {
	var pf planFlags
	var maxShare float64
	cmd := &cobra.Command{
		Use:   "plan SCENARIO",
		Short: "Show the phases, rates and durations of a run, and what it charges each limit, before anything is sent",
		Example: `  ratecheck plan scenarios/copilot.yaml
  ratecheck plan scenarios/copilot.yaml --lean               # the lean plan, for a production quota
  ratecheck plan scenarios/workspace.yaml --tier pro         # another plan tier's limits
  ratecheck plan api.yaml --limit writes                     # the run of one of several limits
  ratecheck plan scenarios/coperniq.yaml --max-share 1.5     # allow spending the daily quota until it runs out`,
		Args: argsError(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			sc, err := scenarios.Load(args[0])
			if err != nil {
				return err
			}
			limits := []string{pf.Limit}
			if several := plan.TestableLimits(sc); pf.Limit == "" && len(several) > 1 {
				limits = several
				fmt.Fprintf(env.Stdout, "%s has %d limits that each stop some endpoint first: run tests them one after another, a run each\n\n", sc.Name, len(several))
			}
			var plans []*plan.Plan
			for i, limit := range limits {
				if i > 0 {
					fmt.Fprintln(env.Stdout)
				}
				one := pf
				one.Limit = limit
				p, err := one.plan(sc, plan.AffordQuotas(maxShare, 0))
				if err != nil {
					return err
				}
				printPlan(env.Stdout, p, maxShare)
				printQuotaTests(env.Stdout, p)
				plans = append(plans, p)
			}
			if len(plans) > 1 {
				for _, c := range plan.OverShareTogether(maxShare, plans...) {
					fmt.Fprintf(env.Stdout, "\nguard: against a real API the %d runs together spend %s of %s's quota, more than %s: run asks first on a terminal and refuses without one unless --yes\n",
						len(plans), formatShare(c.Share), c.Limit, formatShare(maxShare))
				}
			}
			return nil
		},
	}
	pf.addFlags(cmd.Flags())
	cmd.Flags().Float64Var(&maxShare, "max-share", plan.DefaultMaxShare, "plan as `run --max-share` would: a quota whose exhaustion costs at most this share of it is spent until it runs out")
	return cmd
}

// printQuotaTests says which quotas the run spends until they run out, or
// how a run could judge them.
func printQuotaTests(w io.Writer, p *plan.Plan) {
	for _, t := range p.Quotas {
		fmt.Fprintf(w, "quota test: %s (quota.enforced)\n", t)
	}
	for i, l := range p.Scenario.Limits {
		if _, ok := p.QuotaTestOf(l.Name); ok || !l.IsQuota() || l.Unlimited || i == p.Tested {
			continue
		}
		fmt.Fprintf(w, "quota %s is not exhausted against a real API (that costs all of it: --max-share above its cost allows it); --target builtin exhausts it with a few requests\n", l.Name)
	}
}

// printPlan writes the plan as a person reads it: the limit under test, a table
// of phases, then the budget each limit is charged.
func printPlan(w io.Writer, p *plan.Plan, maxShare float64) {
	printPlanTitle(w, p)
	if len(p.Phases) > 0 {
		printPhases(w, p)
	}
	if len(p.Charges) > 0 {
		printCharges(w, p)
		printTierShares(w, p, maxShare)
	}
	for _, warn := range p.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
}

// printPlanTitle names the scenario, its file, source and tier, and the
// limit under test.
func printPlanTitle(w io.Writer, p *plan.Plan) {
	sc := p.Scenario
	fmt.Fprintf(w, "%s (%s", sc.Name, sc.File)
	if sc.Source != "" {
		fmt.Fprintf(w, ", from %s", sc.Source)
	}
	if sc.Plan != "" {
		fmt.Fprintf(w, ", plan %s", sc.Plan)
	}
	if p.Lean {
		fmt.Fprint(w, ", lean")
	}
	fmt.Fprintln(w, ")")
	if l := p.TestedLimit(); l != nil {
		fmt.Fprintf(w, "limit under test: %s\n", l.Describe())
		if len(p.Layered) > 0 {
			fmt.Fprintf(w, "sent from %d keys at once (%s), each below its per-key limits, together beyond this one\n", len(p.Layered), strings.Join(p.Layered, ", "))
		}
	} else {
		fmt.Fprintln(w, "limit under test: none (no finite limit)")
	}
}

// printPhases writes the table of phases and their total.
func printPhases(w io.Writer, p *plan.Plan) {
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "phase\tkind\tstart\tduration\trate\tburst\trequests\tendpoint\tkey")
	var total int64
	bursts := false
	for _, ph := range p.Phases {
		rate, burst := "-", "-"
		if ph.Rate > 0 {
			rate = formatRate(ph.Rate)
		}
		if ph.Burst > 1 {
			burst, bursts = fmt.Sprintf("%d", ph.Burst), true
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", ph.Name, ph.Kind, scenarios.FormatDuration(ph.Start), scenarios.FormatDuration(ph.Duration), rate, burst, ph.Requests, dash(ph.Endpoint), dash(ph.Key))
		total += ph.Requests
	}
	fmt.Fprintf(tw, "total\t\t\t%s\t\t\t%d\t\t\n", scenarios.FormatDuration(p.Duration()), total)
	tw.Flush()
	if bursts {
		fmt.Fprintln(w, "burst: requests sent at the same instant, at the same average rate (at most run.connections),\nso that a limiter whose check and increment race admits too many")
	}
}

// printCharges writes the budget each limit is charged, and whether the run
// tests it, exhausts it or only charges it.
func printCharges(w io.Writer, p *plan.Plan) {
	fmt.Fprintln(w, "\nbudget charged per limit:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range p.Charges {
		budget := "unlimited"
		if !c.Unlimited {
			budget = fmt.Sprintf("%d", c.Budget)
		}
		state := "only charged"
		if _, ok := p.QuotaTestOf(c.Limit); ok {
			state = "exhausted"
		}
		if c.Tested {
			state = "tested"
		}
		fmt.Fprintf(tw, "  %s\t%d of %s\t%s\t%s\n", c.Limit, c.Requests, budget, state, c.Note)
	}
	tw.Flush()
}

func formatRate(r float64) string {
	if math.IsInf(r, 1) {
		return "max"
	}
	if r >= 100 {
		return fmt.Sprintf("%.0f/s", r)
	}
	return fmt.Sprintf("%.2f/s", r)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// printTierShares says, for every limit with plan tiers, what share of each
// tier's quota the run spends, and warns of a quota share a run against a
// real API would have to confirm.
func printTierShares(w io.Writer, p *plan.Plan, maxShare float64) {
	for i, c := range p.Charges {
		if len(c.Tiers) == 0 || !p.Scenario.Limits[i].IsQuota() {
			continue
		}
		fmt.Fprintf(w, "\n%s: share of each plan tier's quota this run spends:\n", c.Limit)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, t := range c.Tiers {
			mark := ""
			if t.Plan == p.Scenario.Plan {
				mark = "  (this run's tier)"
			}
			if t.Unlimited {
				fmt.Fprintf(tw, "  %s\tunlimited\t-%s\n", t.Plan, mark)
				continue
			}
			fmt.Fprintf(tw, "  %s\t%d of %d\t%s%s\n", t.Plan, c.Requests, t.Quota, formatShare(t.Share), mark)
		}
		tw.Flush()
	}
	for _, c := range p.OverShare(maxShare) {
		fmt.Fprintf(w, "guard: against a real API this run spends %s of %s's quota, more than %s: run asks first on a terminal and refuses without one unless --yes (--lean spends less)\n",
			formatShare(c.Share), c.Limit, formatShare(maxShare))
	}
}

// formatShare prints a share as a percentage: 24.5%, 0.04%.
func formatShare(s float64) string {
	if s > 0 && s < 0.01 {
		return fmt.Sprintf("%.2f%%", 100*s)
	}
	return fmt.Sprintf("%.1f%%", 100*s)
}
