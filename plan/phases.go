package plan

import (
	"math"
	"slices"
	"time"

	"github.com/ratecheck/ratecheck/scenarios"
)

// derivedPhases plans under, over, pause and recovery for the tested limit.
func (p *Plan) derivedPhases() {
	sc := p.Scenario
	l := sc.Limits[p.Tested]
	var steps []step
	b := OverBurst(sc.Run.Connections, l.Requests)
	ep, key := defaultEndpoint(sc, p.Tested), defaultKey(sc)
	keys, _, layered := layering(sc, p.Tested, ep)
	if layered {
		b = 1
	}
	switch {
	case p.Lean:
		steps = leanSteps(l, sc.Run.MaxDuration)
	case l.Window <= shortWindow:
		steps = shortWindowSteps(l, b)
	default:
		steps = longWindowSteps(l, b)
	}
	steps = p.fit(steps, l)
	for i := range steps {
		if steps[i].name == "" {
			steps[i].name = string(steps[i].kind)
		}
		steps[i].endpoint, steps[i].key = ep, key
	}
	if other := sharingEndpoint(sc, p.Tested, ep); other != "" && !p.Lean {
		steps = overBothEndpoints(steps, other)
	}
	switch {
	case layered:
		steps = fromKeys(steps, keys)
		p.Layered = keys.keys
	case p.Lean:
		steps = append(steps, p.leanAuthSteps(ep)...)
	default:
		steps = p.withContract(steps, l, ep, key)
	}
	steps, p.Quotas = p.withQuotas(steps)
	p.place(steps)
}

// sharingEndpoint is a second endpoint the tested limit counts with ep and
// binds first, read-only (GET or HEAD: the plan sends it many requests) and
// keyed as ep is; "" when there is none.
func sharingEndpoint(sc *scenarios.Scenario, tested int, ep string) string {
	var first scenarios.Endpoint
	for _, e := range sc.Endpoints {
		if e.Name == ep {
			first = e
		}
	}
	for _, e := range sc.Endpoints {
		safe := e.Method == "" || e.Method == "GET" || e.Method == "HEAD"
		if e.Name != ep && safe && e.NoAuth == first.NoAuth && binding(sc, e.Name) == tested {
			return e.Name
		}
	}
	return ""
}

// overBothEndpoints sends the middle of the paced over phase to other, a
// second endpoint the limit counts: in thirds of 30, 35 and 35 percent, so
// that its two switches of endpoint lie 1.05 phase-thirds apart and at most
// one of them can fall on a window boundary. A limiter that counts each
// endpoint apart (keyed by path, as tollbooth and an nginx zone on $uri are)
// admits other's requests from a budget of their own, beyond the limit the
// two share, which limit.enforced sees; one that shares it decides as if one
// endpoint had been sent throughout.
func overBothEndpoints(steps []step, other string) []step {
	for i, st := range steps {
		if st.kind != scenarios.PhaseOver || st.burst > 1 || st.name != string(scenarios.PhaseOver) {
			continue
		}
		first, second := st, st
		first.duration = st.duration * 30 / 100
		second.duration = st.duration * 35 / 100
		second.name, second.endpoint = "over-"+other, other
		third := first
		third.duration = st.duration - first.duration - second.duration
		out := append(slices.Clone(steps[:i]), first, second, third)
		return append(out, steps[i+1:]...)
	}
	return steps
}

// OverBurstPhase is the name of the derived phase that exceeds a short window
// in bursts.
const OverBurstPhase = "over-burst"

// shortWindowSteps exceeds a short window at twice its rate R = N/W, first in
// bursts of b, then one request at a time.
//
// The bursts follow the under phase, which leaves a window at most half full,
// so some window reaches its limit in bursts within 1.5W: the window open when
// the phase starts, x·W into it, holds at most x·N/2 and fills in
// (1 − x/2)·W/2, before it ends when x ≤ 2/3; otherwise the next one opens
// within W/3 and fills within W/2 and one gap between bursts (b/2R ≤ W/8).
// The phase lasts 2W so that, however it is aligned with the windows, one
// window also opens empty inside it and fills in bursts (within W/2 plus a
// gap of it opening, W + W/2 + W/8 < 2W): a burst then lands on a count just
// under the limit in the middle of that window, where a racing limiter's
// over-admission is no boundary case.
func shortWindowSteps(l scenarios.Limit, b int) []step {
	r := l.Rate()
	steps := []step{
		{kind: scenarios.PhaseUnder, rate: 0.5 * r, duration: max(2*l.Window, 2*time.Second)},
		{name: OverBurstPhase, kind: scenarios.PhaseOver, rate: 2 * r, duration: max(2*l.Window, 2*time.Second), burst: b},
		{kind: scenarios.PhaseOver, rate: 2 * r, duration: max(3*l.Window, 3*time.Second)},
	}
	if probe, ok := probeStep(l); ok {
		steps = append(steps, probe)
	}
	return append(steps,
		step{kind: scenarios.PhasePause, duration: l.Recovery},
		step{kind: scenarios.PhaseRecovery, rate: 0.5 * r, duration: max(2*l.Window, 2*time.Second)},
	)
}

// The probe polls every probeSpacing, so that the instant a limit lifts is
// known to within about half of it (±5 ms, plus half the requests' latency, on
// loopback). It sends at most maxProbes requests: a longer recovery is polled
// more coarsely.
const (
	probeSpacing = 10 * time.Millisecond
	maxProbes    = 250
)

// probeStep plans the probe that follows the over phase: while the limit is
// still rejecting, it polls for 2.5 times the promised recovery, so that it
// sees the limit lift even when that comes late (a penalty box of twice the
// promise still ends inside it). It is left out when it would not poll more
// often than the over phase, whose lifts are then timed as finely.
func probeStep(l scenarios.Limit) (step, bool) {
	d := l.Recovery*2 + l.Recovery/2
	if d <= 0 {
		return step{}, false
	}
	rate := min(float64(time.Second/probeSpacing), maxProbes/d.Seconds())
	if rate <= 2*l.Rate() {
		return step{}, false
	}
	return step{kind: scenarios.PhaseProbe, rate: rate, duration: d}, true
}

// longWindowSteps exhausts a long window's budget N quickly: 2·R would take
// hours to run out a daily budget, so the over phase sends M requests within
// T = min(W/2, 20s), in bursts of b (see overRequests).
func longWindowSteps(l scenarios.Limit, b int) []step {
	n := float64(l.Requests)
	var steps []step
	// under: max(0.5·R, 0.5/s) for 10 s, but never more than N/2 requests,
	// so that tiny budgets (N < 10) are not exceeded while "under".
	underRate := max(0.5*l.Rate(), 0.5)
	underDur := 10 * time.Second
	if half := math.Floor(n / 2); underRate*underDur.Seconds() > half {
		underDur = time.Duration(half / underRate * float64(time.Second))
	}
	if underDur > 0 {
		steps = append(steps, step{kind: scenarios.PhaseUnder, rate: underRate, duration: underDur})
	}
	t := min(l.Window/2, 20*time.Second)
	over := overRequests(n, l.Window, t)
	steps = append(steps, step{kind: scenarios.PhaseOver, rate: over / t.Seconds(), duration: t, burst: b})
	steps = append(steps, step{kind: scenarios.PhasePause, duration: l.Recovery})
	// recovery: min(5, N) requests at 1/s.
	k := min(5, l.Requests)
	steps = append(steps, step{kind: scenarios.PhaseRecovery, rate: 1, duration: time.Duration(k) * time.Second})
	return steps
}

// missAtMost is the largest chance overRequests leaves that the long
// window's over phase drives no window past its limit.
const missAtMost = 0.01

// overRequests is how many requests the over phase of a long window of n
// per w sends in t: max(⌈1.5·n⌉, n+10), or more where a window boundary
// could otherwise split them so that neither side exceeds n. Sent evenly,
// m < 2n requests split by a boundary at a fraction x of t leave both sides
// within n when x lies in [1 − n/m, n/m]; a boundary falls in the phase with
// chance t/w, so no window is driven past with chance (2n/m − 1)·t/w. A
// per-minute limit sent 1.5·n in 20 s missed one run in nine, a 30-second
// window one in six; m ≥ 2n/(1 + missAtMost·w/t) keeps it under missAtMost
// (about 1.94·n a minute, 1.5·n an hour or a day).
func overRequests(n float64, w, t time.Duration) float64 {
	sure := math.Ceil(2*n/(1+missAtMost*w.Seconds()/t.Seconds())) + 1
	return max(math.Ceil(1.5*n), n+10, sure)
}

// fit drops the probe, pause and recovery when the steps outlast run.max_duration,
// with a warning that says what is lost and how to get it back.
func (p *Plan) fit(steps []step, l scenarios.Limit) []step {
	limit := p.Scenario.Run.MaxDuration
	total := totalDuration(steps)
	if limit <= 0 || total <= limit {
		return steps
	}
	switch {
	case l.Recovery > limit && l.Recovery == l.Window:
		p.warnf("window %s is longer than run.max_duration %s: recovery is not tested; raise run.max_duration",
			formatDuration(l.Window), formatDuration(limit))
	case l.Recovery > limit:
		p.warnf("recovery %s is longer than run.max_duration %s: recovery is not tested; raise run.max_duration",
			formatDuration(l.Recovery), formatDuration(limit))
	default:
		p.warnf("testing recovery makes the run %s, longer than run.max_duration %s: recovery is not tested; raise run.max_duration",
			formatDuration(total), formatDuration(limit))
	}
	var kept []step
	for _, s := range steps {
		if s.kind != scenarios.PhaseProbe && s.kind != scenarios.PhasePause && s.kind != scenarios.PhaseRecovery {
			kept = append(kept, s)
		}
	}
	if t := totalDuration(kept); t > limit {
		p.warnf("the under and over phases alone take %s, longer than run.max_duration %s", formatDuration(t), formatDuration(limit))
	}
	return kept
}

// explicitPhases resolves phases written in the file: multiples against the
// named limit or the tested one, endpoints and keys defaulted.
func (p *Plan) explicitPhases() {
	sc := p.Scenario
	ep, key := defaultEndpoint(sc, p.Tested), defaultKey(sc)
	steps := make([]step, 0, len(sc.Phases))
	for _, ps := range sc.Phases {
		s := step{name: ps.Name, kind: ps.Kind, duration: ps.Duration, endpoint: ps.Endpoint, key: ps.Key}
		if s.endpoint == "" {
			s.endpoint = ep
		}
		if s.key == "" {
			s.key = key
		}
		s.rate = p.resolveRate(ps)
		steps = append(steps, s)
	}
	if t, limit := totalDuration(steps), sc.Run.MaxDuration; limit > 0 && t > limit {
		p.warnf("the phases last %s, longer than run.max_duration %s", formatDuration(t), formatDuration(limit))
	}
	p.place(steps)
}

// resolveRate turns a written rate into requests per second.
func (p *Plan) resolveRate(ps scenarios.PhaseSpec) float64 {
	if ps.Rate.Max && ps.Kind != scenarios.PhasePause {
		return math.Inf(1)
	}
	if ps.Kind == scenarios.PhasePause || ps.Rate.Multiple <= 0 {
		return ps.Rate.PerSec
	}
	l := p.TestedLimit()
	if ps.Rate.Limit != "" {
		l = p.Scenario.Limit(ps.Rate.Limit)
	}
	if l == nil || l.Rate() == 0 {
		p.warnf("phase %s: %gx has no limit with a rate to refer to, so it sends nothing", ps.Name, ps.Rate.Multiple)
		return 0
	}
	return ps.Rate.Multiple * l.Rate()
}
