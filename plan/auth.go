package plan

import (
	"math"
	"time"

	"github.com/ratecheck/ratecheck/scenarios"
)

// The auth phases belong to the contract segment (contract.go) of a
// scenario with API keys. They test that a request without a key, or with a
// wrong one, is refused (auth.missing-key, auth.invalid-key), that a key
// lacking an endpoint's scope is refused (auth.scope), and that refused
// requests cost a valid key nothing (auth.not-counted). The not-counted
// attempts come after the excluded-endpoint ones and before the isolation
// ones exhaust key A; the rest ends the segment, where a limit that charged
// the refused requests can confuse no other check.
//
//	not counted, short window (W ≤ 10s), twice:
//	  pause    1.25 × the limit's recovery (a fresh budget for key A)
//	  counted  C−c requests of key A at once (C: the budget, c = min(10, C/4))
//	  no-key   x requests without a key (x = c+1, more if the budget refills fast)
//	  bad-key  x requests with a wrong key, made up for the run
//	  counted  c requests of key A: a limit that charged the refused ones rejects them
//	not counted, long window, once (no fresh budget: judged by Remaining):
//	  counted 2, no-key 3, bad-key 3, counted 2
//	end of the segment:
//	  pause    (short window) a fresh budget after the isolation attempts
//	  no-key   1 request to every other endpoint, `auth: none` ones included
//	  no-scope 2 requests to each endpoint with scopes, with the first key lacking them
//
// Requests of an `auth: none` endpoint never carry the key, so it only gets
// the no-key request: it must be served, not refused. A lean plan ends with
// the refusals alone, one request each (leanAuthSteps): a correct API
// charges them nothing, so they cost a real quota nothing either.

// notCountedSteps plans the not-counted attempts, and with them the no-key
// and bad-key requests of the default endpoint ep.
func (p *Plan) notCountedSteps(l scenarios.Limit, ep, key string) []step {
	sc := p.Scenario
	e := sc.Endpoint(ep)
	if sc.Auth.Header == "" || e == nil || e.NoAuth || key == "" {
		return nil
	}
	capacity := l.Requests
	if l.Burst > 0 {
		capacity = l.Burst
	}
	if l.Window > shortWindow {
		return []step{
			burstStep("counted", scenarios.PhaseCounted, 2, ep, key, 0),
			burstStep("no-key", scenarios.PhaseNoKey, 3, ep, "", 0),
			burstStep("bad-key", scenarios.PhaseBadKey, 3, ep, "", 0),
			burstStep("counted", scenarios.PhaseCounted, 2, ep, key, 0),
		}
	}
	c := min(10, max(1, capacity/4))
	// What a refilling budget regains between the first counted burst and
	// the last must not hide the refused requests a faulty limit charges.
	x := c + 1 + int64(math.Ceil(l.Rate()*(4*burstGap).Seconds()))
	var out []step
	for range 2 {
		out = append(out, step{name: "pause", kind: scenarios.PhasePause, duration: authPause(l)})
		if capacity > c {
			out = append(out, burstStep("counted", scenarios.PhaseCounted, capacity-c, ep, key, 0))
		}
		out = append(out,
			burstStep("no-key", scenarios.PhaseNoKey, x, ep, "", 0),
			burstStep("bad-key", scenarios.PhaseBadKey, x, ep, "", 0),
			burstStep("counted", scenarios.PhaseCounted, c, ep, key, 0))
	}
	return out
}

// authPause is the pause before a not-counted attempt: the limit's
// FreshAfter and a quarter more, so that the requests before it, answered
// late on a loaded machine, still leave the budget fresh (the check times it
// from their answers).
func authPause(l scenarios.Limit) time.Duration { return freshAfter(l) + freshAfter(l)/4 }

// FreshAfter is how long the limit l takes to forget a client's traffic: its
// recovery or window, or a bucket's refill time if longer. A budget is fresh
// that long after the last request charged to it was answered.
func FreshAfter(l scenarios.Limit) time.Duration { return freshAfter(l) }

// authTail plans the no-key request of every endpoint but ep and the
// no-scope requests, after a pause that gives every key a fresh budget when
// the window is short.
func (p *Plan) authTail(l scenarios.Limit, ep string) []step {
	sc := p.Scenario
	if sc.Auth.Header == "" {
		return nil
	}
	var out []step
	covered := len(p.notCountedSteps(l, ep, defaultKey(sc))) > 0
	for _, e := range sc.Endpoints {
		if e.Name == ep && covered {
			continue
		}
		out = append(out, burstStep("no-key", scenarios.PhaseNoKey, 1, e.Name, "", 0))
	}
	for _, e := range sc.Endpoints {
		if k, ok := keyLacking(sc, e); ok {
			out = append(out, burstStep("no-scope", scenarios.PhaseNoScope, 2, e.Name, k, 0))
		}
	}
	if len(out) > 0 && l.Window <= shortWindow {
		out = append([]step{{name: "pause", kind: scenarios.PhasePause, duration: freshAfter(l)}}, out...)
	}
	return out
}

// keyLacking is the first key that may not call endpoint e, for want of its
// scopes.
func keyLacking(sc *scenarios.Scenario, e scenarios.Endpoint) (string, bool) {
	if e.NoAuth || len(e.Scopes) == 0 {
		return "", false
	}
	for _, k := range sc.Auth.Keys {
		if !k.Allows(e.Scopes) {
			return k.ID, true
		}
	}
	return "", false
}

// KeyLacking names the first key of sc that lacks the scopes of the named
// endpoint, which a derived plan's no-scope phase sends; ok is false when the
// endpoint declares no scope or every key holds one of them.
func KeyLacking(sc *scenarios.Scenario, endpoint string) (key string, ok bool) {
	if e := sc.Endpoint(endpoint); e != nil {
		return keyLacking(sc, *e)
	}
	return "", false
}

// leanAuthSteps plans the refusals of a lean plan: one request without a
// key to every endpoint, one with a wrong key to the default endpoint ep,
// one with a key lacking each scoped endpoint's scope.
func (p *Plan) leanAuthSteps(ep string) []step {
	sc := p.Scenario
	if sc.Auth.Header == "" {
		return nil
	}
	var out []step
	for _, e := range sc.Endpoints {
		out = append(out, burstStep("no-key", scenarios.PhaseNoKey, 1, e.Name, "", 0))
	}
	if e := sc.Endpoint(ep); e != nil && !e.NoAuth {
		out = append(out, burstStep("bad-key", scenarios.PhaseBadKey, 1, ep, "", 0))
	}
	for _, e := range sc.Endpoints {
		if k, ok := keyLacking(sc, e); ok {
			out = append(out, burstStep("no-scope", scenarios.PhaseNoScope, 1, e.Name, k, 0))
		}
	}
	return out
}
