package conformance

import (
	"fmt"
	"time"

	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// remainingChecker judges headers.remaining: the Remaining value is present
// where promised, within [0, Limit], and consistent with what happened: it
// falls by the requests admitted (exactly, within a window the reset claims
// prove unchanged), and a 429 never follows a value that said quota was left.
// An approximate Remaining only has to stay within bounds and be no staler than
// the declared staleness.
type remainingChecker struct {
	pr promise
	respTally
	cache  resultCache
	total  int // responses that should carry the header
	judged int // responses whose value was read
	ss     respSet
	missing, unreadable, above respProblem
}

var _ Checker = (*remainingChecker)(nil)

func newRemainingChecker(p *scenarios.Plan) Checker { return &remainingChecker{pr: newPromise(p)} }

// name is how messages call the header.
func (c *remainingChecker) name() string {
	if c.pr.conv == scenarios.ConventionStructured {
		return "RateLimit remaining (r)"
	}
	return c.pr.remaining
}

// bound is the largest Remaining a response may state when it states no
// Limit: the described limit's capacity; -1 when it has none.
func (c *remainingChecker) bound() int64 {
	l := c.pr.described
	if l.Unlimited {
		return -1
	}
	return max(l.Requests, l.Burst)
}

// Observe checks o's Remaining against the bounds and keeps what the
// countdown needs.
func (c *remainingChecker) Observe(o results.Observation) {
	c.note(o)
	if c.pr.noHeaders(c.pr.remaining, "Remaining") != "" || !c.pr.counted(o) || !keptResp(o) {
		return
	}
	claim, errs := c.pr.read(o)
	r := newRec(o)
	r.sole = o.Limited() && c.pr.sole(o.Endpoint)
	r = withReset(r, claim, rawOf(o, c.pr.reset))
	if claim.HasRemaining {
		r.hasRem, r.rem, r.raw = true, claim.Remaining, rawOf(o, c.pr.remaining)
		c.judged++
	}
	c.ss.add(c.pr.keyOf(o), r)
	if !c.pr.shouldCarry(o) {
		return
	}
	c.total++
	switch {
	case !hasHeader(o, c.pr.remaining):
		c.missing.found.add(offenseOf(o, claim.Raw, "no "+c.name()))
	case fieldError(errs, c.pr.remaining) != nil:
		c.unreadable.found.add(offenseOf(o, claim.Raw, fieldError(errs, c.pr.remaining).Error()))
	case !claim.HasRemaining:
		c.missing.found.add(offenseOf(o, claim.Raw, "no "+c.name()))
	case claim.HasLimit && claim.Remaining > claim.Limit:
		c.above.found.add(offenseOf(o, claim.Raw, fmt.Sprintf("%d remaining is above the stated limit %d", claim.Remaining, claim.Limit)))
	case !claim.HasLimit && c.bound() >= 0 && claim.Remaining > c.bound():
		c.above.found.add(offenseOf(o, claim.Raw, fmt.Sprintf("%d remaining is above the limit %d", claim.Remaining, c.bound())))
	}
}

// Result judges the responses seen so far.
func (c *remainingChecker) Result() CheckResult { return c.cache.get(c.seen, c.judge) }

func (c *remainingChecker) judge() CheckResult {
	res := CheckResult{ID: HeadersRemaining, Limit: c.pr.limitName(), Status: Skip}
	if why := c.pr.noHeaders(c.pr.remaining, "Remaining"); why != "" {
		res.Message = why
		return res
	}
	if c.total == 0 {
		res.Message = fmt.Sprintf("no response should have carried %s: none of an endpoint limit %q counts was admitted or limited",
			c.name(), c.pr.described.Name)
		return res
	}
	cd := newCountdown(&c.pr, c.name())
	for _, s := range c.ss.each() {
		cd.judge(s)
	}
	name := c.name()
	c.missing.summary = fmt.Sprintf("%s missing on %s", name, ofResponses(c.missing.found.n, c.total))
	c.unreadable.summary = fmt.Sprintf("%s unreadable on %s (first: %s)", name, ofResponses(c.unreadable.found.n, c.total), c.unreadable.found.firstNote())
	c.above.summary = fmt.Sprintf("%s above the limit on %s (first: %s)", name, ofResponses(c.above.found.n, c.total), c.above.found.firstNote())
	problems := append([]*respProblem{&c.missing, &c.unreadable, &c.above}, cd.problems()...)
	if anyFailed(problems) {
		return respFailure(res, &c.pr, c.first, cd.expected(), problems)
	}
	res.Status, res.Message = Pass, cd.passMessage(c.judged)
	return res
}

// claim writes r as evidence: its Remaining and reset as received.
func (cd *countdown) claim(r *respRec, note string) offense {
	var h map[string]string
	if r.hasRem || r.hasTime {
		h = map[string]string{}
	}
	if r.hasRem {
		h[cd.pr.remaining] = r.raw
	}
	if r.hasTime {
		h[cd.pr.reset] = r.rawTime
	}
	return recOffense(r, h, note)
}

// said writes r as the response that made a claim.
func (cd *countdown) said(r *respRec) offense {
	return cd.claim(r, fmt.Sprintf("said %d remaining", r.rem))
}

// problems summarises what the countdown found, in the order of the rules.
func (cd *countdown) problems() []*respProblem {
	n := cd.name
	cd.fell.summary = fmt.Sprintf("%s fell faster than requests were admitted %s (first: %s)", n, times(cd.fell.found.n), cd.fell.found.firstNote())
	cd.rose.summary = fmt.Sprintf("%s did not count down within a window %s (first: %s)", n, times(cd.rose.found.n), cd.rose.found.firstNote())
	if g := cd.lied.found.list; len(g) > 0 {
		cd.lied.summary = fmt.Sprintf("%s %s, next request got 429 (%s)", n, g[0][0].note, times(cd.lied.found.n))
	}
	cd.zero.summary = fmt.Sprintf("%s said 0 remaining, next request was admitted before the reset (%s)", n, plural(cd.zero.found.n, "time", "times"))
	cd.stuck.summary = fmt.Sprintf("%s was older than the declared staleness of %s %s (first: %s)", n, fmtWindow(time.Duration(cd.stale)),
		times(cd.stuck.found.n), cd.stuck.found.firstNote())
	return []*respProblem{&cd.lied, &cd.fell, &cd.rose, &cd.zero, &cd.stuck}
}

// times writes "once" or "12 times".
func times(n int) string {
	if n == 1 {
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}

// expected says what the rules expect, for evidence.
func (cd *countdown) expected() string {
	if cd.approx {
		return fmt.Sprintf("%s present where promised, between 0 and the limit, and never older than %s", cd.name, fmtWindow(time.Duration(cd.stale)))
	}
	return fmt.Sprintf("%s present where promised, between 0 and the limit, falling by exactly the requests admitted, and 0 before a 429 of limit %q",
		cd.name, cd.pr.described.Name)
}

// passMessage says what was proven.
func (cd *countdown) passMessage(values int) string {
	if cd.approx {
		msg := fmt.Sprintf("%s stayed within bounds on %s", cd.name, plural(values, "response", "responses"))
		if cd.stale > 0 {
			msg += fmt.Sprintf(" and was never older than %s", fmtWindow(time.Duration(cd.stale)))
		}
		return msg + " (approximate: the exact countdown is not judged)"
	}
	msg := fmt.Sprintf("%s agreed with the admissions on %s (%s compared)", cd.name,
		plural(values, "response", "responses"), plural(cd.pairs, "consecutive pair", "consecutive pairs"))
	if cd.ambiguous > 0 {
		msg += fmt.Sprintf("; %s overlapped in flight, not compared", plural(cd.ambiguous, "pair", "pairs"))
	}
	return msg
}
