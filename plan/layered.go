package plan

import (
	"math"
	"time"

	"github.com/ratecheck/ratecheck/scenarios"
)

// A global or per-IP limit above a per-key one ("10 per second per key, 15
// per second in all") is never reached by one key: the per-key limit stops
// that key first. Its run sends from several keys at once, each at most
// keyHeadroom of its per-key rate, together beyond the limit: every paced
// phase (under, over, probe, recovery) is one phase per key, at an equal
// share of the rate, their requests interleaved (place). Bursts would let a
// per-key bucket refuse a burst's tail, which the run would blame on the
// limit under test, so the layered run has none; nor the contract segment,
// which exhausts the limit from one key (the per-key run has it).

// keyHeadroom is the most of its per-key rate each key of a layered run
// sends at.
const keyHeadroom = 0.8

// layeredOver is the least, in multiples of the limit's rate, the keys of a
// layered run must be able to send together for the run to exceed it.
const layeredOver = 1.25

// keyed is how a layered run of a limit sends: from keys at once, at most
// most requests a second in all.
type keyed struct {
	keys []string
	most float64
}

// layering reports how a run of limit i, driving endpoint ep, sends from
// several keys: ok when i is a short-window limit counting ep that is not
// per key, a per-key limit stops ep's traffic first (binding), and the keys
// that may call ep can exceed i together, each at keyHeadroom of its
// per-key limits. need is how many keys that takes (0 when i is not
// layered over a per-key limit at all).
func layering(sc *scenarios.Scenario, i int, ep string) (k keyed, need int, ok bool) {
	l := sc.Limits[i]
	b := binding(sc, ep)
	if b < 0 || b == i || sc.Limits[b].Scope != scenarios.ScopeKey || l.Scope == scenarios.ScopeKey ||
		!l.Finite() || l.IsQuota() || l.Window > shortWindow || !l.Counts(ep) || sc.Auth.Header == "" {
		return keyed{}, 0, false
	}
	perKey := math.Inf(1) // the least sustained rate a per-key limit allows
	for _, o := range sc.Limits {
		if o.Scope == scenarios.ScopeKey && o.Finite() && !o.IsQuota() && o.Counts(ep) {
			perKey = min(perKey, o.Rate())
		}
	}
	var scopes []string
	for _, e := range sc.Endpoints {
		if e.Name == ep {
			scopes = e.Scopes
		}
	}
	for _, key := range sc.Auth.Keys {
		if key.Allows(scopes) {
			k.keys = append(k.keys, key.ID)
		}
	}
	k.most = keyHeadroom * float64(len(k.keys)) * perKey
	need = int(math.Ceil(layeredOver * l.Rate() / (keyHeadroom * perKey)))
	return k, need, len(k.keys) >= 2 && len(k.keys) >= need
}

// fromKeys makes the paced steps of a layered run send from every key of k,
// at most k.most a second in all and without bursts.
func fromKeys(steps []step, k keyed) []step {
	for i := range steps {
		switch steps[i].kind {
		case scenarios.PhaseUnder, scenarios.PhaseAt, scenarios.PhaseOver, scenarios.PhaseProbe, scenarios.PhaseRecovery:
			steps[i].keys = k.keys
			steps[i].rate = min(steps[i].rate, k.most)
			steps[i].burst = 0
		}
	}
	return steps
}

// keyPhases places a step that sends from several keys: a phase per key,
// each at an equal share of the step's rate, key j's first request 1/rate
// after key j−1's, so that the keys take turns; all end with the step.
func keyPhases(s step, start time.Duration) []Phase {
	n := len(s.keys)
	out := make([]Phase, 0, n)
	for j, key := range s.keys {
		lag := time.Duration(float64(j) / s.rate * float64(time.Second)).Round(time.Millisecond)
		ph := Phase{Name: s.name, Kind: s.kind, Start: start + lag, Duration: s.duration - lag,
			Rate: s.rate / float64(n), Endpoint: s.endpoint, Key: key, Source: s.source}
		ph.Requests = requests(ph.Rate, ph.Duration)
		out = append(out, ph)
	}
	return out
}

// warnUnlayered warns of the limits above a per-key one that the
// scenario's keys cannot exceed together (layering): no run tests them.
func (p *Plan) warnUnlayered() {
	sc := p.Scenario
	for i, l := range sc.Limits {
		k, need, ok := layering(sc, i, defaultEndpoint(sc, i))
		if ok || need == 0 {
			continue
		}
		b := sc.Limits[binding(sc, defaultEndpoint(sc, i))]
		what := "is not tested"
		if i == p.Tested {
			what = "cannot be driven past by this run"
		}
		p.warnf("limit %s (%d per %s) %s: limit %s stops each key first, and it takes %d keys sending together, each at %.0f%% of its per-key limits, to exceed it; the scenario has %d that may call %s (auth.keys)",
			l.Name, l.Requests, formatDuration(l.Window), what, b.Name, need, 100*keyHeadroom, len(k.keys), defaultEndpoint(sc, i))
	}
}
