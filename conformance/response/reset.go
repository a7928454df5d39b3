package response

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
)

// ResetChecker judges headers.reset: the reset header is present where
// promised, readable in the declared format, plausible (not in the past, not
// absurdly far ahead, not always 0), and never earlier than the real recovery:
// the first request sent after a 429's reset (plus the resolution of the
// format and the 429's latency), with nothing admitted in between, must not be
// rejected again by the same limit.
type ResetChecker struct {
	pr Promise
	respTally
	cache                                  resultCache
	total                                  int             // responses that should carry the header
	judged                                 int             // responses whose reset was read
	zeros                                  int             // of them, a delta of 0
	formats                                map[string]bool // formats the resets were read in
	Store                                  ClaimStore      // the 429s, with their resets
	missing, unreadable, implausible, zero respProblem
	lenient                                lenience // resets read leniently
	unpromised                             sighting // rate-limit headers sent though none are promised
	blamed                                 func() check.Blames
}

var (
	_ check.Checker = (*ResetChecker)(nil)
	_ check.Blamer  = (*ResetChecker)(nil)
)

// DeferTo leaves to the model checks a reset contradicted by a rejection
// they blame.
func (c *ResetChecker) DeferTo(blamed func() check.Blames) { c.blamed = blamed }

// NewResetChecker returns the checker of headers.reset; it reads the requests
// around the 429s from shared, the model checks' collector, when it can.
// model is the described limit's family (nil when open).
func NewResetChecker(p *plan.Plan, shared *records.Collector, model Model) check.Checker {
	c := &ResetChecker{pr: NewPromise(p)}
	if c.pr.NoHeaders(c.pr.reset, "Reset") == "" {
		c.Store = newClaimStore(p, c.pr.Described, shared, model)
	}
	return c
}

// name is how messages call the header.
func (c *ResetChecker) name() string {
	if c.pr.Conv == headers.ConventionStructured {
		return "RateLimit reset (t)"
	}
	return c.pr.reset
}

// maxAhead is the furthest ahead a reset may point: ten windows of the
// described limit, and never more than ten years.
func (c *ResetChecker) maxAhead() time.Duration {
	const decade = 10 * 365 * 24 * time.Hour
	if w := c.pr.Described.Window; w > 0 && w < decade/10 {
		return 10 * w
	}
	return decade
}

// Observe reads o's reset and keeps what the recovery comparison needs.
func (c *ResetChecker) Observe(o results.Observation) {
	c.note(o)
	if c.pr.NoHeaders(c.pr.reset, "Reset") != "" {
		c.unpromised.observe(&c.pr, o)
		return
	}
	c.Store.observe(o)
	if !c.pr.counted(o) || !keptResp(o) {
		return
	}
	claim, errs := c.pr.read(o)
	r := c.Store.rec(o)
	r.sole = o.Limited() && c.pr.sole(o.Endpoint)
	r = withReset(r, claim, rawOf(o, c.pr.reset), &c.Store.texts)
	implausible := ""
	if r.hasTime {
		implausible = c.plausible(r, claim.Reset)
		r.hasTime = implausible == "" // an implausible reset is not compared with the recovery
	}
	if o.Limited() {
		c.Store.add(o, r) // the recovery comparison reads the others from the collector
	}
	if !c.pr.shouldCarry(o) {
		return
	}
	c.total++
	switch {
	case !hasHeader(o, c.pr.reset):
		c.missing.found.add(offenseOf(o, claim.Raw, "no "+c.name()))
		return
	case fieldError(errs, c.pr.reset) != nil:
		c.unreadable.found.add(offenseOf(o, claim.Raw, fieldError(errs, c.pr.reset).Error()))
		return
	case !claim.HasReset:
		c.missing.found.add(offenseOf(o, claim.Raw, "no "+c.name()))
		return
	}
	c.judged++
	c.lenient.addNamed(claim.Warnings, c.pr.reset)
	if c.formats == nil {
		c.formats = map[string]bool{}
	}
	c.formats[string(claim.ResetFormat)] = true
	if !r.abs && claim.Reset.Equal(o.Received()) {
		c.zeros++
		c.zero.found.add(offenseOf(o, claim.Raw, "reset in 0 seconds"))
	}
	if implausible != "" {
		c.implausible.found.add(offenseOf(o, claim.Raw, implausible))
	}
}

// plausible says what is wrong with when r's reset points, or "".
func (c *ResetChecker) plausible(r respRec, at time.Time) string {
	when := at.UTC().Format(time.RFC3339)
	switch {
	case r.hi < r.sent:
		note := fmt.Sprintf("points %s before the request was sent (%s)", check.FormatSeconds(r.sent-r.hi), when)
		if at.Year() < 1980 {
			note += ": a delta sent where epoch seconds were expected?"
		}
		return note
	case r.lo-r.recv > int64(c.maxAhead()):
		note := fmt.Sprintf("points %s ahead (%s), more than %s", check.FormatSeconds(r.lo-r.recv), when, check.FormatWindow(c.maxAhead()))
		if r.lo-r.recv > int64(10*365*24*time.Hour) {
			note += ": epoch milliseconds, or an epoch where a delta was expected?"
		}
		return note
	}
	return ""
}

// Result judges the responses seen so far.
func (c *ResetChecker) Result() check.Result { return c.cache.get(c.seen, c.judge) }

func (c *ResetChecker) judge() check.Result {
	res := check.Result{ID: check.HeadersReset, Limit: c.pr.LimitName(), Status: check.Skip}
	if why := c.pr.NoHeaders(c.pr.reset, "Reset"); why != "" {
		res.Message = c.unpromised.note(why)
		return res
	}
	if c.total == 0 {
		res.Message = c.pr.nothingCarried(c.name())
		return res
	}
	rc := c.recovery()
	name := c.name()
	c.missing.summary = fmt.Sprintf("%s missing on %s", name, ofResponses(c.missing.found.n, c.total))
	c.unreadable.summary = fmt.Sprintf("%s unreadable on %s (first: %s)", name, ofResponses(c.unreadable.found.n, c.total), c.unreadable.found.firstNote())
	c.implausible.summary = fmt.Sprintf("%s implausible on %s (first: %s)", name, ofResponses(c.implausible.found.n, c.total), c.implausible.found.firstNote())
	zero := c.zero
	if c.judged < 2 || c.zeros < c.judged {
		zero.found = offenders{}
	}
	zero.summary = fmt.Sprintf("%s was 0 on all %s", name, check.Plural(c.judged, "response", "responses"))
	rc.early.summary = fmt.Sprintf("%s pointed before the real recovery %s (first: %s)%s", name, times(rc.early.found.n),
		rc.early.found.firstNote(), rc.measured())
	problems := []*respProblem{&c.missing, &c.unreadable, &zero, &c.implausible, &rc.early}
	if anyFailed(problems) {
		want := fmt.Sprintf("%s present where promised, plausible, and no earlier than the time limit %q lets requests through again",
			name, c.pr.Described.Name)
		return c.lenient.apply(respFailure(res, &c.pr, c.first, want, problems))
	}
	if left, ok := rc.left.resultFor(res, name+" pointed before the real recovery"); ok {
		return c.lenient.apply(left)
	}
	res.Status = check.Pass
	formats := slices.Sorted(maps.Keys(c.formats))
	res.Message = fmt.Sprintf("%s read on %s (%s)", name, check.Plural(c.judged, "response", "responses"), strings.Join(formats, ", "))
	if rc.checked > 0 {
		res.Message += fmt.Sprintf("; no request after the reset of %s was rejected", check.Plural(rc.checked, "429", "429s"))
	}
	res.Message += rc.measured()
	return c.lenient.apply(res)
}

// recovery compares each reset claimed by a 429 that only the described limit
// explains with the requests after it.
func (c *ResetChecker) recovery() *recoveryCheck {
	rc := newRecoveryCheck()
	sole := func(b *respRec) bool { return b.sole }
	for _, s := range c.Store.series() {
		flagged := -1
		for i := range s.Recs {
			a := &s.Recs[i]
			if !a.limited() || !a.sole || !a.hasTime {
				continue
			}
			if k := s.firstAdmitted(i); k >= 0 {
				rc.errs = append(rc.errs, a.at-s.Recs[k].sent)
			}
			j, early := s.rejectedAgain(i, a.hi+(a.recv-a.sent)+c.Store.lag, sole)
			if j >= 0 {
				rc.checked++
			}
			if !early || j == flagged {
				continue
			}
			flagged = j
			if laterRejection(c.blamed, s, i, j, int64(c.pr.Described.Window), rc.left) {
				continue
			}
			b := &s.Recs[j]
			rc.early.found.add(recOffense(a, c.resetHeader(a), "429 stating the reset"),
				recOffense(b, c.resetHeader(b), fmt.Sprintf("still limited %s after that reset, with nothing admitted in between",
					check.FormatSeconds(b.sent-a.at))))
		}
	}
	return rc
}

// resetHeader returns r's reset as received, for evidence; nil without one.
func (c *ResetChecker) resetHeader(r *respRec) map[string]string {
	if !r.hasTime {
		return nil
	}
	return map[string]string{canonical(c.pr.reset): c.Store.texts.get(r.rawTime)}
}
