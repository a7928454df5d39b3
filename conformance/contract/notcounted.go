package contract

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// notCountedChecker judges auth.not-counted from the plan's attempts
// (scenarios.notCountedSteps): counted requests of key A, requests refused
// for their key (none, or a wrong one), then more counted requests of A. On
// a fresh budget the counted requests fill it exactly, so a limit that
// charged the refused requests to A rejects some of the last ones; an exact
// Remaining header shows the charge on any budget with room left: it falls
// by more than the one counted request in between.
//
// It sees every phase (checks marks it all), to time when the requests
// before an attempt were answered: a budget is fresh only when the last of
// them was answered plan.FreshAfter before the attempt's first request
// was sent, and Remaining means something only when none was still in
// flight. On a loaded machine, answers hundreds of milliseconds late would
// otherwise charge an attempt with earlier requests.
type notCountedChecker struct {
	contractObs
	answered map[int]time.Time   // per phase: when its last answer arrived
	began    map[int]time.Time   // per phase: when its first request was sent
	blamed   func() check.Blames // the model checks' blames (see blamer)
}

// DeferTo takes the model checks' blames: a limit that rejects early
// rejects within the budget whatever the refused requests did.
func (c *notCountedChecker) DeferTo(b func() check.Blames) { c.blamed = b }

// rejectsEarly reports whether the model checks blame an early rejection of
// the tested limit (limit.no-early-reject fails), and, when they do not,
// whether they could not decide if it rejects early (limit.no-early-reject
// undecided, as far away, where the link's jitter hides a request or two).
func (c *notCountedChecker) rejectsEarly() (blamed, undecided bool) {
	if c.blamed == nil {
		return false, false
	}
	b := c.blamed()
	return b.Blames(check.LimitNoEarlyReject), b.Undecided(check.LimitNoEarlyReject)
}

// NewNotCountedChecker returns the checker of auth.not-counted.
func NewNotCountedChecker(p *plan.Plan, _ *records.Collector) check.Checker {
	return &notCountedChecker{contractObs: newContractObs(p), answered: map[int]time.Time{}, began: map[int]time.Time{}}
}

// Observe times every answer and keeps the observations of the attempts'
// phases.
func (c *notCountedChecker) Observe(o results.Observation) {
	if c.plan == nil || o.Phase < 0 || o.Phase >= len(c.plan.Phases) {
		return
	}
	if r := o.Received(); r.After(c.answered[o.Phase]) {
		c.answered[o.Phase] = r
	}
	if b, ok := c.began[o.Phase]; !ok || o.Sent.Before(b) {
		c.began[o.Phase] = o.Sent
	}
	switch c.plan.Phases[o.Phase].Kind {
	case scenarios.PhaseCounted, scenarios.PhaseNoKey, scenarios.PhaseBadKey:
		c.keep(o)
	}
}

// ncAttempt is one attempt as planned: the counted phase before (-1 when
// the budget is filled by the last phase alone), the refused phases, the
// counted phase after, and whether it started on a fresh budget.
type ncAttempt struct {
	before  int
	refused []int
	after   int
	fresh   bool
}

// attempts finds the attempts in the plan: one or more no-key and bad-key
// phases followed by a counted phase, after a counted phase or a pause.
func (c *notCountedChecker) attempts() []ncAttempt {
	ph := c.plan.Phases
	var out []ncAttempt
	for i := 0; i < len(ph); i++ {
		if !refusedKind(ph[i].Kind) || i > 0 && refusedKind(ph[i-1].Kind) {
			continue
		}
		j := i
		for j < len(ph) && refusedKind(ph[j].Kind) {
			j++
		}
		if j == len(ph) || ph[j].Kind != scenarios.PhaseCounted || i == 0 {
			continue
		}
		t := ncAttempt{before: -1, after: j}
		for k := i; k < j; k++ {
			t.refused = append(t.refused, k)
		}
		switch prev := ph[i-1].Kind; {
		case prev == scenarios.PhasePause:
			t.fresh = true
		case prev == scenarios.PhaseCounted:
			t.before = i - 1
			t.fresh = i >= 2 && ph[i-2].Kind == scenarios.PhasePause
		default:
			continue
		}
		out = append(out, t)
	}
	return out
}

func refusedKind(k scenarios.PhaseKind) bool {
	return k == scenarios.PhaseNoKey || k == scenarios.PhaseBadKey
}

// Result judges the attempts.
func (c *notCountedChecker) Result() check.Result {
	res, ok := c.result(check.AuthNotCounted, c.untestable())
	if !ok {
		return res
	}
	var judged, refused int
	var byRemaining string
	var whys []string // why each attempt proved nothing
	for k, t := range c.attempts() {
		p := c.judgeAttempt(res, t)
		switch {
		case p.failed != nil:
			return *p.failed
		case p.nothing != "":
			whys = append(whys, fmt.Sprintf("attempt %d: %s", k+1, p.nothing))
			continue
		}
		judged++
		refused += p.refused
		if p.byRemaining != "" {
			byRemaining = p.byRemaining
		}
	}
	if judged == 0 {
		// The plan tried and the run could not show it: undecided, so that
		// the run is no pass on a check it meant to judge.
		res.Status, res.Undecided = check.Skip, true
		res.Message = "no attempt proved anything: " + strings.Join(whys, "; ")
		return res
	}
	res.Status = check.Pass
	res.Message = fmt.Sprintf("%d requests refused for their key, between counted requests of a valid key, changed no admission of limit %q%s",
		refused, c.limit.Name, byRemaining)
	return res
}

// proof is what one attempt proved: a failure, nothing (and why), or that
// its refused requests were not charged (by admissions, or by Remaining).
type proof struct {
	failed      *check.Result
	nothing     string
	refused     int
	byRemaining string // ", and Remaining went on from 7 to 6" when Remaining proved it
}

// judgeAttempt judges attempt t; res is the result a failure builds on.
func (c *notCountedChecker) judgeAttempt(res check.Result, t ncAttempt) proof {
	before, after := c.obs(t.before), c.byPh[t.after]
	var calls []results.Observation
	for _, i := range t.refused {
		calls = append(calls, c.byPh[i]...)
	}
	if len(after) == 0 || len(calls) == 0 {
		return proof{nothing: "not answered"}
	}
	if c.overtaken(t) {
		return proof{nothing: "its last counted requests were answered after a later phase had begun sending (a loaded machine sends late), so what rejected them is not known"}
	}
	if n := admittedCount(calls); n > 0 {
		return proof{nothing: fmt.Sprintf("%d of its %d requests without a valid key were served (see auth.missing-key and auth.invalid-key), so charging them was no fault", n, len(calls))}
	}
	gap, quiet := c.gapBefore(t)
	fresh := t.fresh && gap >= plan.FreshAfter(*c.limit)
	if fresh && allAdmitted(before) {
		for _, o := range after {
			if o.Limited() {
				failed := c.fail(res, fmt.Sprintf("after %d counted requests of key %s and %d requests refused for their key (%s), a counted request was rejected (429) although the counted ones fit limit %q's budget of %d: the refused requests were charged",
					len(before), o.KeyID, len(calls), statusTally(calls), c.limit.Name, c.capacity()), o)
				return proof{failed: &failed}
			}
		}
	}
	if a, b, ok := c.remainingAround(before, after); ok && quiet {
		ra, _ := c.remaining(*a)
		rb, _ := c.remaining(*b)
		if rb < ra-1 {
			res.Status = check.Fail
			res.Message = fmt.Sprintf("Remaining fell from %d to %d across %d requests refused for their key (%s) and one counted request: the refused requests were charged",
				ra, rb, len(calls), statusTally(calls))
			res.Evidence = &check.Evidence{Expected: fmt.Sprintf("Remaining %d (one counted request after %d)", ra-1, ra),
				Requests: []check.RequestEvidence{c.evidence(*a, "last counted before"), c.evidence(*b, "first counted after")}}
			return proof{failed: &res}
		}
		return proof{refused: len(calls), byRemaining: fmt.Sprintf(", and Remaining went on from %d to %d", ra, rb)}
	}
	if fresh && allAdmitted(before) && allAdmitted(after) {
		return proof{refused: len(calls)}
	}
	switch {
	case t.fresh && !fresh && gap == -time.Duration(math.MaxInt64):
		return proof{nothing: "the run holds no answer to some requests sent before it, so their charge may not have passed"}
	case t.fresh && !fresh:
		return proof{nothing: fmt.Sprintf("the last answer before it came %s, within the %s limit %q takes to forget a request (a loaded machine answers late), and Remaining could not be compared: %s",
			fmtGap(gap), plan.FreshAfter(*c.limit), c.limit.Name, c.noRemaining())}
	}
	return proof{nothing: "it did not start on a fresh budget with every counted request admitted, and Remaining could not be compared: " + c.noRemaining()}
}

// gapBefore is the time from the last answer to a request before attempt
// t to the attempt's first request; quiet is false when a request before it
// was still in flight then, or may have been (a phase that sent has no
// answer recorded).
func (c *notCountedChecker) gapBefore(t ncAttempt) (gap time.Duration, quiet bool) {
	first := t.before
	if first < 0 {
		first = t.refused[0]
	}
	return gapBefore(c.plan, c.answered, first, c.byPh[first])
}

// gapBefore is how long before the first of obs (phase first's
// observations) was sent the last answer of an earlier phase arrived
// (answered: per phase, its last answer), and whether that answer came
// before it (quiet). The gap is the least int64 when a phase that sent was
// never answered (unknown), the greatest when no phase came before.
func gapBefore(p *plan.Plan, answered map[int]time.Time, first int, obs []results.Observation) (gap time.Duration, quiet bool) {
	var start, last time.Time
	for _, o := range obs {
		if start.IsZero() || o.Sent.Before(start) {
			start = o.Sent
		}
	}
	for i := 0; i < first; i++ {
		a, seen := answered[i]
		if !seen && p.Phases[i].Rate > 0 {
			return -time.Duration(math.MaxInt64), false // a phase that sent was never answered: unknown
		}
		if a.After(last) {
			last = a
		}
	}
	if last.IsZero() {
		return time.Duration(math.MaxInt64), true
	}
	return start.Sub(last), !last.After(start)
}

// fmtGap says when the last answer before an attempt came, gap before it.
// An unknown gap is never written: gapBefore's caller says so instead.
func fmtGap(gap time.Duration) string {
	if gap < 0 {
		return (-gap).Round(time.Millisecond).String() + " after it began"
	}
	return "only " + gap.Round(time.Millisecond).String() + " before it began"
}

// overtaken reports whether a later phase began sending before the last
// answer of attempt t's counted requests: its requests (an exhaust of the
// same key) may have been what rejected them, or lowered their Remaining.
func (c *notCountedChecker) overtaken(t ncAttempt) bool {
	last := latestAnswer(c.byPh[t.after])
	for i := t.after + 1; i < len(c.plan.Phases); i++ {
		if b, ok := c.began[i]; ok && b.Before(last) {
			return true
		}
	}
	return false
}

// obs is the observations of phase i, none for -1.
func (c *notCountedChecker) obs(i int) []results.Observation {
	if i < 0 {
		return nil
	}
	return c.byPh[i]
}

// untestable says why the run cannot test the promise, or "".
func (c *notCountedChecker) untestable() string {
	p, l := c.plan, c.limit
	switch {
	case p == nil || p.Scenario == nil:
		return "there is no plan to judge the run against"
	case p.Scenario.Auth.Header == "":
		return "the API has no keys (the scenario declares no auth)"
	case l == nil:
		return "the plan tests no limit"
	case len(c.attempts()) > 0:
		return ""
	case p.Lean:
		return "the lean plan (--lean) sends no refused requests between counted ones (its refusals are one request each)"
	case len(p.Scenario.Phases) > 0:
		return "the scenario's phases include no no-key or bad-key phase between counted ones"
	}
	return fmt.Sprintf("the plan has no refused requests between counted ones for limit %q (its endpoint sends no key, or run.max_duration is too short for the contract phases)", l.Name)
}

// capacity is the tested limit's budget of one client.
func (c *notCountedChecker) capacity() int64 {
	if c.limit.Burst > 0 {
		return c.limit.Burst
	}
	return c.limit.Requests
}

// noRemaining says why Remaining cannot show a charge, or "".
func (c *notCountedChecker) noRemaining() string {
	if why := c.exactRemaining(""); why != "" {
		return why
	}
	return "no counted request had budget left around the refused ones"
}

// remainingAround is the counted response with the lowest Remaining before
// the refused requests and the one with the highest after, when every one
// was admitted, Remaining is exact, and enough was left to show a charge.
func (c *notCountedChecker) remainingAround(before, after []results.Observation) (a, b *results.Observation, ok bool) {
	if c.exactRemaining("") != "" || len(before) == 0 || !allAdmitted(before) || !allAdmitted(after) {
		return nil, nil, false
	}
	if d := c.pr.Described; d == nil || !d.Counts(before[0].Endpoint) {
		return nil, nil, false
	}
	a, b, ra, _ := c.remainingSpan(before, after)
	return a, b, a != nil && b != nil && ra >= 2
}

func (c *notCountedChecker) fail(res check.Result, msg string, o results.Observation) check.Result {
	switch early, undecided := c.rejectsEarly(); {
	case early:
		res.Status, res.See = check.Skip, check.LimitNoEarlyReject
		res.Message = "a counted request was rejected within the budget after the refused requests, but the limit rejects early elsewhere too: the defect limit.no-early-reject fails, not failed again here (" + msg + ")"
		return res
	case undecided:
		res.Status, res.See, res.Undecided = check.Skip, check.LimitNoEarlyReject, true
		res.Message = "a counted request was rejected within the budget after the refused requests: charging them would explain it, and so would a limit that rejects early, which limit.no-early-reject could not decide here; not judged (" + msg + ")"
		return res
	}
	res.Status, res.Message = check.Fail, msg
	res.Evidence = &check.Evidence{Expected: "admitted: requests refused for their key leave the budget as it was", Requests: []check.RequestEvidence{c.evidence(o, "")}}
	return res
}

func admittedCount(obs []results.Observation) int {
	n := 0
	for _, o := range obs {
		if o.Admitted() {
			n++
		}
	}
	return n
}
