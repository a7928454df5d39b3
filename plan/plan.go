package plan

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/ratecheck/ratecheck/scenarios"
)

// shortWindow is the longest window the planner exceeds at twice its rate; longer
// windows are exhausted by a quick burst instead, or the run would take hours.
const shortWindow = 10 * time.Second

// New computes what a run of sc will send, before anything is sent. It is
// pure and deterministic. Explicit phases are used as written; otherwise the
// phases are derived from the tested limit (TestLimit), by default the finite
// limit that stops traffic first: the shortest window, then the fewest
// requests (the first on a tie):
//
//	short window (W ≤ 10s), R = N/W:
//	  under      0.5·R for max(2W, 2s)
//	  over-burst 2·R   for max(2W, 2s), in bursts of B
//	  over       2·R   for max(3W, 3s) (its middle to a second endpoint the
//	             limit counts, when there is one: see overBothEndpoints)
//	  probe      min(100/s, 250 requests) for 2.5·Recovery, when faster than 2·R
//	  pause      Recovery
//	  recovery   0.5·R for max(2W, 2s)
//	long window (W > 10s):
//	  under      max(0.5·R, 0.5/s) for 10s (at most N/2 requests)
//	  over       M requests in T = min(W/2, 20s), in bursts of B:
//	             max(⌈1.5·N⌉, N+10), or up to 2N+1 where a window boundary
//	             could split them (see overRequests)
//	  pause      Recovery
//	  recovery   min(5, N) requests at 1/s
//
// Bursts (Phase.Burst) send B = OverBurst(Run.Connections, N) requests at
// once, so that a limiter whose check and increment race over-admits. A short
// window gets them in a phase of their own (over-burst, of kind over) and keeps
// its paced over phase, whose requests are never in flight together: the exact
// checks (an extra admission at a window boundary, the Remaining count-down of
// consecutive responses) need that. A long window has one window to exceed, so
// its over phase bursts.
//
// The probe polls while the limit still rejects, to time when it lifts. When
// the phases outlast Run.MaxDuration the probe, pause and recovery are dropped
// with a warning. Charges say what the run costs every limit's budget.
//
// With Lean, a derived plan spends as little as still judges every check;
// see leanSteps. With ExhaustQuotas, it ends with a quota test per quota
// (see quota.go).
func New(sc *scenarios.Scenario, opts ...Option) *Plan {
	p := &Plan{Scenario: sc, Tested: -1, Sources: 1}
	for _, o := range opts {
		o(p)
	}
	if sc == nil {
		p.Warnings = append(p.Warnings, "no scenario: nothing to plan")
		return p
	}
	p.Tested = testedLimit(sc.Limits)
	if p.testLimit != "" {
		p.Tested = p.chosenLimit(sc)
	}
	switch {
	case len(sc.Phases) > 0:
		p.explicitPhases()
	case p.Tested < 0 && p.testLimit != "":
		// chosenLimit said why
	case p.Tested < 0:
		p.warnf("no limit has a finite budget%s: nothing to test", onPlan(sc.Plan))
	default:
		p.derivedPhases()
		p.warnUnlayered()
	}
	if len(p.Quotas) > 0 && p.exhaustQuotas {
		p.Scenario = withQuotaKeys(sc)
	}
	p.charge()
	return p
}

// testedLimit is the index of the finite limit that stops traffic first
// (stricter), or -1.
func testedLimit(limits []scenarios.Limit) int {
	return strictest(limits, func(scenarios.Limit) bool { return true })
}

// strictest is the index of the stricter of the finite limits keep selects,
// the first on a tie, or -1.
func strictest(limits []scenarios.Limit, keep func(scenarios.Limit) bool) int {
	best := -1
	for i, l := range limits {
		if l.Finite() && keep(l) && (best < 0 || stricter(l, limits[best])) {
			best = i
		}
	}
	return best
}

// stricter says whether a stops a client's traffic before b: a shorter
// window, or as long a window with fewer requests (on a tie, the first
// listed is taken).
func stricter(a, b scenarios.Limit) bool {
	return a.Window < b.Window || a.Window == b.Window && a.Requests < b.Requests
}

// binding is the index of the limit that stops traffic to endpoint first:
// the stricter finite limit counting it, or -1 when none counts it.
func binding(sc *scenarios.Scenario, endpoint string) int {
	return strictest(sc.Limits, func(l scenarios.Limit) bool { return l.Counts(endpoint) })
}

// TestableLimits names the limits of sc a derived plan can test, in
// scenario order: each is the binding limit of some endpoint (the one that
// stops that endpoint's traffic first), so a run that drives that endpoint
// reaches it before any other. A scenario with one limit per endpoint group
// (reads 10 per second, writes 3 per second) has one testable limit per
// group; per-second and per-day limits on the same endpoints have one, the
// per-second. A quota (a window of an hour or more) is testable only as the
// default, when no shorter limit exists: a run of its own would spend it.
// The default limit (the one New tests without TestLimit) comes first, the
// others in scenario order; `ratecheck run` runs one per name, in that
// order.
// A scenario with explicit phases has none: its phases say what is driven.
func TestableLimits(sc *scenarios.Scenario) []string {
	if sc == nil || len(sc.Phases) > 0 {
		return nil
	}
	bound := make([]bool, len(sc.Limits))
	for _, e := range sc.Endpoints {
		if i := binding(sc, e.Name); i >= 0 && !sc.Limits[i].IsQuota() {
			bound[i] = true
		}
	}
	def := testedLimit(sc.Limits)
	if def < 0 {
		return nil
	}
	names := []string{sc.Limits[def].Name}
	for i, l := range sc.Limits {
		if i == def {
			continue
		}
		if _, _, layered := layering(sc, i, defaultEndpoint(sc, i)); bound[i] || layered {
			names = append(names, l.Name)
		}
	}
	return names
}

// TestLimit makes the named limit the one under test, instead of the one
// that stops traffic first; it should be one of TestableLimits. A name that
// is no finite limit of the scenario leaves nothing to test, with a warning.
func TestLimit(name string) Option { return func(p *Plan) { p.testLimit = name } }

// chosenLimit is the index of the limit TestLimit names, or -1 with a
// warning when the scenario has no finite limit by that name.
func (p *Plan) chosenLimit(sc *scenarios.Scenario) int {
	for i, l := range sc.Limits {
		if l.Name == p.testLimit && l.Finite() {
			return i
		}
	}
	p.warnf("no limit named %q with a finite budget%s: nothing to test", p.testLimit, onPlan(sc.Plan))
	return -1
}

// warnf adds a warning.
func (p *Plan) warnf(format string, args ...any) {
	p.Warnings = append(p.Warnings, fmt.Sprintf(format, args...))
}

// onPlan is " on plan NAME", or "" when the scenario has no plans.
func onPlan(plan string) string {
	if plan == "" {
		return ""
	}
	return " on plan " + plan
}

// step is a phase before it is placed in time.
type step struct {
	name     string
	kind     scenarios.PhaseKind
	rate     float64 // requests per second
	duration time.Duration
	endpoint string
	key      string
	keys     []string // several keys at once, a phase each (layered runs; see keyPhases)
	burst    int      // Phase.Burst
	source   int      // Phase.Source
}

// place lays the steps end to end and counts their requests.
func (p *Plan) place(steps []step) {
	var start time.Duration
	for _, s := range steps {
		if len(s.keys) > 1 && s.rate > 0 && s.kind != scenarios.PhasePause {
			p.Phases = append(p.Phases, keyPhases(s, start)...)
			start += s.duration
			continue
		}
		ph := Phase{
			Name: s.name, Kind: s.kind, Start: start, Duration: s.duration,
			Rate: s.rate, Endpoint: s.endpoint, Key: s.key, Burst: s.burst, Source: s.source,
		}
		if s.kind != scenarios.PhasePause {
			ph.Requests = requests(s.rate, s.duration)
		} else {
			ph.Rate = 0
		}
		p.Phases = append(p.Phases, ph)
		start += s.duration
	}
}

// requests is ⌊rate × duration⌋, with a little slack so that a rate computed
// as n/T gives back exactly n despite floating-point rounding.
func requests(rate float64, d time.Duration) int64 {
	if rate <= 0 || d <= 0 || math.IsInf(rate, 1) {
		return 0 // an unpaced phase sends as many as it can: not known in advance
	}
	// Clamp absurd products so the conversion stays in range.
	return int64(math.Min(math.Floor(rate*d.Seconds()+1e-6), 1<<62))
}

// totalDuration is the sum of the steps' durations.
func totalDuration(steps []step) time.Duration {
	var t time.Duration
	for _, s := range steps {
		t += s.duration
	}
	return t
}

// defaultEndpoint is the endpoint derived phases use: the first endpoint the
// limit counts that sends the key, else the first it counts, else the first.
func defaultEndpoint(sc *scenarios.Scenario, tested int) string {
	if tested < 0 || tested >= len(sc.Limits) {
		if len(sc.Endpoints) > 0 {
			return sc.Endpoints[0].Name
		}
		return ""
	}
	l := sc.Limits[tested]
	if ep := boundEndpoint(sc, tested); ep != "" {
		return ep
	}
	counted := ""
	for _, e := range sc.Endpoints {
		switch {
		case !l.Counts(e.Name):
		case !e.NoAuth:
			return e.Name
		case counted == "":
			counted = e.Name
		}
	}
	if counted == "" && len(sc.Endpoints) > 0 {
		counted = sc.Endpoints[0].Name
	}
	return counted
}

// boundEndpoint is the first endpoint whose binding limit is the tested one
// (one that needs a key before one that does not), so that driving it
// reaches that limit first; "" when the limit binds none.
func boundEndpoint(sc *scenarios.Scenario, tested int) string {
	open := ""
	for _, e := range sc.Endpoints {
		switch {
		case binding(sc, e.Name) != tested:
		case !e.NoAuth:
			return e.Name
		case open == "":
			open = e.Name
		}
	}
	return open
}

// defaultKey is the first key id, or "" when the API has no auth.
func defaultKey(sc *scenarios.Scenario) string {
	if len(sc.Auth.Keys) == 0 {
		return ""
	}
	return sc.Auth.Keys[0].ID
}

// formatDuration prints d like time.Duration.String without the zero tails:
// 720h rather than 720h0m0s, 1m rather than 1m0s.
func formatDuration(d time.Duration) string {
	s := d.String()
	if t, ok := strings.CutSuffix(s, "m0s"); ok {
		s = t + "m"
	}
	if t, ok := strings.CutSuffix(s, "h0m"); ok {
		s = t + "h"
	}
	return s
}
