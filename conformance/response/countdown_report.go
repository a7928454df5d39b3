package response

import (
	"fmt"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
)

// This file writes what the countdown found: evidence, summaries and the
// message of a pass.

// claim writes r as evidence: its Remaining and reset as received.
func (cd *countdown) claim(r *respRec, note string) offense {
	var h map[string]string
	if r.hasRem || r.hasTime {
		h = map[string]string{}
	}
	if r.hasRem {
		h[canonical(cd.pr.Remaining)] = cd.texts.rawRem(r)
	}
	if r.hasTime {
		h[canonical(cd.pr.reset)] = cd.texts.get(r.rawTime)
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
	cd.zero.summary = fmt.Sprintf("%s said 0 remaining, next request was admitted before the reset (%s)", n, times(cd.zero.found.n))
	cd.stuck.summary = fmt.Sprintf("%s was older than the declared staleness of %s %s (first: %s)", n, check.FormatWindow(time.Duration(cd.stale)),
		times(cd.stuck.found.n), cd.stuck.found.firstNote())
	cd.low.summary = fmt.Sprintf("%s said less was left than the run can have used %s (first: %s)", n, times(cd.low.found.n), cd.low.found.firstNote())
	return []*respProblem{&cd.lied, &cd.fell, &cd.rose, &cd.zero, &cd.low, &cd.stuck}
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
		return fmt.Sprintf("%s present where promised, between 0 and the limit, and never older than %s", cd.name, check.FormatWindow(time.Duration(cd.stale)))
	}
	return fmt.Sprintf("%s present where promised, between 0 and the limit, falling by exactly the requests admitted, and 0 before a 429 of limit %q",
		cd.name, cd.pr.Described.Name)
}

// passMessage says what was proven.
func (cd *countdown) passMessage(values int) string {
	if cd.approx {
		msg := fmt.Sprintf("%s stayed within bounds on %s", cd.name, check.Plural(values, "response", "responses"))
		if cd.stale > 0 {
			msg += fmt.Sprintf(" and was never older than %s", check.FormatWindow(time.Duration(cd.stale)))
		}
		return msg + " (approximate: the exact countdown is not judged)"
	}
	msg := fmt.Sprintf("%s agreed with the admissions on %s (%s compared)", cd.name,
		check.Plural(values, "response", "responses"), check.Plural(cd.pairs, "consecutive pair", "consecutive pairs"))
	if cd.ambiguous > 0 {
		msg += fmt.Sprintf("; %s overlapped in flight, not compared", check.Plural(cd.ambiguous, "pair", "pairs"))
	}
	return msg
}
