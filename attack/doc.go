// Package attack turns a plan into traffic with vegeta: one pacer per phase, auth
// headers, per-key targets, and a stream of results.Observation in which every
// request appears once, with its real send time.
//
// Each phase runs as its own vegeta attack, started at the phase's planned offset
// from the start of the run: a stopped vegeta Attacker cannot be reused, and a slow
// request still in flight at the end of one phase must not delay the next.
//
// attack imports scenarios, results and vegeta. It never imports conformance or
// report: it sends and observes, it does not judge.
package attack
