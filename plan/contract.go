package plan

import (
	"math"
	"time"

	"github.com/ratecheck/ratecheck/scenarios"
)

// The contract segment follows a derived plan's phases and tests what the
// tested limit promises besides its rate: that it counts per key or per
// source address (isolation), and that it leaves its excluded endpoints
// uncounted. Its phases are bursts: all of a phase's requests sent at one
// instant, burstGap apart, so that nothing (a window boundary, a refill)
// can change the limiter's state in between except by bad luck, which a
// second attempt, half a window later, rules out. The auth phases
// (auth.go) join the segment when the API has keys.
//
//	excluded (short window, an endpoint the limit excludes), twice:
//	  pause     the limit's recovery (a fresh budget for key A)
//	  counted   C−c requests of key A at once (C: the budget, c = min(10, C/4))
//	  excluded  c+1 calls to the excluded endpoint (more if it refills fast)
//	  counted   c requests of key A: a limit that counted the excluded calls rejects them
//	isolation (two keys, or two source addresses for a per-IP limit), twice for a short window:
//	  exhaust   C+2 requests of key A at once: A is over its budget
//	  other-key m = min(10, C/4) requests of key B (other-source: from the second address)
//	  confirm   a few requests of key A: still over its budget after B's
//
// A per-key (per-IP) limit admits all of B's requests, however exhausted A
// is; a global one shares A's budget and rejects them.
const burstGap = 50 * time.Millisecond

// withContract appends the contract segment to steps when it fits in
// run.max_duration.
func (p *Plan) withContract(steps []step, l scenarios.Limit, ep, key string) []step {
	seg := p.contractSteps(l, ep, key)
	if len(seg) == 0 {
		return steps
	}
	if limit := p.Scenario.Run.MaxDuration; limit > 0 && totalDuration(steps)+totalDuration(seg) > limit {
		p.warnf("the isolation, excluded-endpoint and auth phases would make the run %s, longer than run.max_duration %s: they are left out; raise run.max_duration",
			formatDuration(totalDuration(steps)+totalDuration(seg)), formatDuration(limit))
		return steps
	}
	return append(steps, seg...)
}

// contractSteps plans the contract segment for the tested limit l.
func (p *Plan) contractSteps(l scenarios.Limit, ep, key string) []step {
	capacity := l.Requests
	if l.Burst > 0 {
		capacity = l.Burst
	}
	if capacity < 1 || l.Window <= 0 {
		return nil
	}
	out := p.excludedSteps(l, capacity, ep, key)
	out = append(out, p.notCountedSteps(l, ep, key)...)
	out = append(out, p.isolationSteps(l, capacity, ep, key)...)
	return append(out, p.authTail(l, ep)...)
}

// excludedSteps plans the two excluded-endpoint attempts, for a short window
// whose limit l, of the given capacity, excludes an endpoint.
func (p *Plan) excludedSteps(l scenarios.Limit, capacity int64, ep, key string) []step {
	ex, ok := ExcludedEndpoint(p.Scenario, l)
	if !ok || l.Window > shortWindow {
		return nil
	}
	c := min(10, max(1, capacity/4))
	// The calls a refilling budget regains within the attempt must not
	// hide the excluded calls a faulty limit counts.
	x := c + 1 + int64(math.Ceil(l.Rate()*(3*burstGap).Seconds()))
	var out []step
	for range 2 {
		out = append(out, step{name: "pause", kind: scenarios.PhasePause, duration: freshAfter(l)})
		if capacity > c {
			out = append(out, burstStep("counted", scenarios.PhaseCounted, capacity-c, ep, key, 0))
		}
		out = append(out,
			burstStep("excluded", scenarios.PhaseExcluded, x, ex, key, 0),
			burstStep("counted", scenarios.PhaseCounted, c, ep, key, 0))
	}
	return out
}

// isolationSteps plans the isolation attempts of limit l, of the given
// capacity: twice for a short window with room for two, else once, and none
// without a second client (otherClient).
func (p *Plan) isolationSteps(l scenarios.Limit, capacity int64, ep, key string) []step {
	other, ok := p.otherClient(l)
	if !ok {
		return nil
	}
	attempts := 1
	m := min(10, max(1, capacity/4))
	if l.Window <= shortWindow && 2*m <= capacity {
		attempts = 2
	}
	// A budget that refills regains some of A's requests before confirm
	// ends, so confirm sends enough to see A rejected again; never as many
	// as a window that ended in between would admit after B's.
	gap := isolationGap(l)
	k := min(2+int64(math.Ceil(l.Rate()*(3*gap).Seconds())), max(1, capacity-m-1))
	// A limit that counts both clients together (a global one above a
	// per-key one) must start each attempt fresh, or the requests before
	// it leave B's to that limit's 429s (see sharedFresh).
	fresh := p.sharedFresh(l, ep, other)
	var out []step
	if fresh > 0 {
		out = append(out, step{name: "pause", kind: scenarios.PhasePause, duration: fresh})
	}
	for a := range attempts {
		if a > 0 {
			out = append(out, step{name: "pause", kind: scenarios.PhasePause, duration: fresh + l.Window/2})
		}
		o := burstStep(string(other.kind), other.kind, m, ep, key, 0)
		o.key, o.source = other.key, other.source
		out = append(out,
			withGap(burstStep("exhaust", scenarios.PhaseExhaust, capacity+2, ep, key, 0), gap),
			withGap(o, gap),
			burstStep("confirm", scenarios.PhaseConfirm, k, ep, key, 0))
	}
	return out
}

// client names the second client of an isolation test.
type client struct {
	kind   scenarios.PhaseKind // PhaseOtherKey or PhaseOtherSource
	key    string
	source int
}

// otherClient is the second client that tests l's isolation: another key for
// a per-key or global limit (a global one must share), another source
// address for a per-IP one. ok is false when there is none.
func (p *Plan) otherClient(l scenarios.Limit) (client, bool) {
	sc := p.Scenario
	switch l.Scope {
	case scenarios.ScopeIP:
		if p.Sources < 2 {
			return client{}, false
		}
		return client{kind: scenarios.PhaseOtherSource, key: defaultKey(sc), source: 1}, true
	default:
		if sc.Auth.Header == "" || len(sc.Auth.Keys) < 2 {
			return client{}, false
		}
		return client{kind: scenarios.PhaseOtherKey, key: sc.Auth.Keys[1].ID}, true
	}
}

// CountsBothClients reports whether limit o counts the requests of both
// clients of an isolation attempt together, second being the second
// client's phase kind: a global limit always, a per-IP one when the second
// client is another key sent from the first's address (PhaseOtherKey).
func CountsBothClients(o scenarios.Limit, second scenarios.PhaseKind) bool {
	return o.Scope == scenarios.ScopeGlobal || o.Scope == scenarios.ScopeIP && second == scenarios.PhaseOtherKey
}

// sharedFresh is how long the other short-window limits that count ep's
// requests of both clients of an isolation attempt together (global ones;
// per-IP ones, when the second client is a key sending from the same
// address) take to forget the traffic before it; 0 when there is none.
func (p *Plan) sharedFresh(l scenarios.Limit, ep string, other client) time.Duration {
	var d time.Duration
	for _, o := range p.Scenario.Limits {
		if o.Name != l.Name && CountsBothClients(o, other.kind) && o.Finite() && o.Window <= shortWindow && o.Counts(ep) {
			d = max(d, freshAfter(o))
		}
	}
	return d
}

// freshAfter is how long the tested limit takes to forget a client's
// traffic: its recovery or window, or a bucket's refill time if longer; two
// windows where it may be a sliding-window counter, whose estimate weighs
// the previous window's count until the current one ends.
func freshAfter(l scenarios.Limit) time.Duration {
	d := max(l.Recovery, l.Window)
	if mayBeCounter(l) {
		d = max(d, 2*l.Window)
	}
	if r := l.Rate(); r > 0 && l.Burst > 0 {
		d = max(d, time.Duration(float64(l.Burst)/r*float64(time.Second)))
	}
	return d
}

// mayBeCounter reports whether l's algorithm admits a sliding-window
// counter: declared sliding-window, or left open.
func mayBeCounter(l scenarios.Limit) bool {
	switch l.Algorithm {
	case scenarios.AlgoSlidingWindow, scenarios.AlgoAny, "":
		return !l.IsBucket()
	}
	return false
}

// isolationGap is the time an isolation burst leaves before the next one:
// A's answers must be in before B sends, and B's before A confirms, which
// on a loaded machine or a far link takes longer than burstGap. A longer
// gap costs nothing where a window is long (a hundredth of it, at most
// 500 ms); in a short one a window might end in between.
func isolationGap(l scenarios.Limit) time.Duration {
	return min(max(burstGap, l.Window/100), 500*time.Millisecond)
}

// withGap stretches burst step s to last at least gap, at the same count.
func withGap(s step, gap time.Duration) step {
	if s.duration < gap {
		s.duration = gap
		s.rate = float64(s.burst) / gap.Seconds()
	}
	return s
}

// burstStep is n requests sent at one instant, followed by burstGap (longer
// for big bursts, which take a while to send).
func burstStep(name string, kind scenarios.PhaseKind, n int64, ep, key string, source int) step {
	d := max(burstGap, time.Duration(n)*time.Millisecond/2)
	return step{
		name: name, kind: kind, endpoint: ep, key: key, source: source,
		rate: float64(n) / d.Seconds(), duration: d, burst: int(n),
	}
}

// ExcludedEndpoint is the endpoint the limit l does not count that an
// excluded-endpoint test calls: the first that sends the key, else the first.
func ExcludedEndpoint(sc *scenarios.Scenario, l scenarios.Limit) (string, bool) {
	name, found := "", false
	for _, e := range sc.Endpoints {
		if l.Counts(e.Name) {
			continue
		}
		if !e.NoAuth || sc.Auth.Header == "" {
			return e.Name, true
		}
		if !found {
			name, found = e.Name, true
		}
	}
	return name, found
}
