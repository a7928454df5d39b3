package response

import (
	"fmt"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// RetryAfterChecker judges headers.retry-after when the scenario promises
// Retry-After (a Retry-After it does not promise is recorded and shown, never
// judged): every 429
// carries Retry-After; every value present is delay-seconds or an HTTP-date,
// is not shorter than the real wait (the first request sent at the 429's
// receipt + Retry-After + 1 s, with nothing admitted in between, must not be
// rejected again), and is not absurdly long (more than ten times the longest
// window of the limits counting the endpoint and ten times the measured wait).
//
// The wait comparison reads the requests of the grouping limit around each
// 429. It keeps only the 429s that carried a readable Retry-After, and reads
// the requests around them from a collector (see claimStore).
type RetryAfterChecker struct {
	pr       Promise
	limit    *scenarios.Limit // groups the waits: the tested limit, else the described one
	promised bool
	respTally
	cache               resultCache
	limited             int // 429 responses
	carried             int // of them, with a readable Retry-After
	shortest, longest   time.Duration
	Store               ClaimStore // the 429s with a readable Retry-After
	missing, unreadable respProblem
	wrongForm           respProblem // readable, but not in the promised form
	lenient             lenience
	unpromised          int    // 429s with a Retry-After the scenario does not promise
	unpromisedFirst     string // the first such value (the lowest seq: observations may come in any order)
	unpromisedFirstSeq  uint64
	blamed              func() check.Blames
}

var (
	_ check.Checker = (*RetryAfterChecker)(nil)
	_ check.Blamer  = (*RetryAfterChecker)(nil)
)

// DeferTo leaves to the model checks a wait contradicted by a rejection
// they blame.
func (c *RetryAfterChecker) DeferTo(blamed func() check.Blames) { c.blamed = blamed }

// NewRetryAfterChecker returns the checker of headers.retry-after; it reads
// the requests around the 429s from shared, the model checks' collector, when
// it can. model is the family of the limit it judges (the tested one; nil
// when open).
func NewRetryAfterChecker(p *plan.Plan, shared *records.Collector, model Model) check.Checker {
	c := &RetryAfterChecker{pr: NewPromise(p)}
	if c.pr.Scenario != nil {
		c.promised = c.pr.Scenario.Headers.RetryAfter
		c.limit = p.TestedLimit()
	}
	if c.limit == nil {
		c.limit = c.pr.Described
	}
	if c.pr.Scenario != nil {
		c.Store = newClaimStore(p, c.limit, shared, model)
	}
	return c
}

// Absurd waits are longer than absurdFactor times both the longest window and
// the measured wait.
const absurdFactor = 10

// Observe reads o's Retry-After if it is a 429, and keeps what the wait
// comparison needs.
func (c *RetryAfterChecker) Observe(o results.Observation) {
	c.note(o)
	if c.pr.Scenario == nil {
		return
	}
	if !o.Limited() {
		c.Store.observe(o)
		return
	}
	if !c.promised {
		c.limited++
		if raw, ok := o.Header(fieldRetry); ok {
			if c.unpromised == 0 || o.Seq < c.unpromisedFirstSeq {
				c.unpromisedFirst, c.unpromisedFirstSeq = raw, o.Seq
			}
			c.unpromised++
		}
		return
	}
	c.Store.observe(o)
	if r := c.observe429(o, c.Store.rec(o)); r.hasTime && c.Store.counts(o) {
		c.Store.add(o, r)
	}
}

// observe429 checks a 429's Retry-After and adds its claimed time to r.
func (c *RetryAfterChecker) observe429(o results.Observation, r respRec) respRec {
	c.limited++
	raw, ok := o.Header(fieldRetry)
	if !ok {
		c.missing.found.add(offenseOf(o, nil, "429 without Retry-After"))
		return r
	}
	h := map[string]string{fieldRetry: raw}
	wait, warning, err := headers.ParseRetryAfter(raw, o.Received())
	if err != nil {
		c.unreadable.found.add(offenseOf(o, h, fieldRetry+": "+err.Error()))
		return r
	}
	if warning != nil {
		warning.Header = fieldRetry
		c.lenient.add(warning)
	}
	if stray := c.pr.Scenario.Headers.RetryAfterFormat.Stray(raw); stray != "" {
		c.wrongForm.found.add(offenseOf(o, h, fmt.Sprintf("%s: %q %s", fieldRetry, raw, stray)))
	}
	if c.carried == 0 || wait < c.shortest {
		c.shortest = wait
	}
	c.longest = max(c.longest, wait)
	c.carried++
	r.hasTime, r.rawTime = true, c.Store.texts.id(raw)
	r.at = r.recv + int64(wait)
	r.lo, r.hi = r.at-int64(time.Second), r.at+int64(time.Second)
	r.long = wait > absurdFactor*c.longestWindow(o.Endpoint)
	return r
}

// longestWindow is the longest window of the finite limits counting endpoint.
func (c *RetryAfterChecker) longestWindow(endpoint string) time.Duration {
	var w time.Duration
	for _, l := range c.pr.Scenario.Limits {
		if !l.Unlimited && l.Counts(endpoint) {
			w = max(w, l.Window)
		}
	}
	if w == 0 {
		return time.Duration(1<<63-1) / absurdFactor
	}
	return w
}

// Result judges the responses seen so far.
func (c *RetryAfterChecker) Result() check.Result { return c.cache.get(c.seen, c.judge) }

func (c *RetryAfterChecker) judge() check.Result {
	res := check.Result{ID: check.HeadersRetryAfter, Limit: c.pr.LimitName(), Status: check.Skip}
	switch {
	case c.pr.Scenario == nil:
		res.Message = "there is no plan to judge the run against"
		return res
	case !c.promised:
		res.Message = c.notPromised()
		return res
	case c.limited == 0:
		res.Message = "no response was a 429, so Retry-After was not exercised"
		return res
	}
	rc, long := c.waits()
	c.missing.summary = fmt.Sprintf("Retry-After missing on %d of %s", c.missing.found.n, check.Plural(c.limited, "429", "429s"))
	c.unreadable.summary = fmt.Sprintf("Retry-After unreadable on %d of %s (first: %s)", c.unreadable.found.n,
		check.Plural(c.limited, "429", "429s"), c.unreadable.found.firstNote())
	rc.early.summary = fmt.Sprintf("Retry-After shorter than the real wait %s (first: %s)%s", times(rc.early.found.n),
		rc.early.found.firstNote(), rc.measured())
	long.summary = fmt.Sprintf("Retry-After absurdly long %s (first: %s)", times(long.found.n), long.found.firstNote())
	c.wrongForm.summary = fmt.Sprintf("Retry-After not in the promised form (%s) on %d of %s (first: %s)", c.pr.Scenario.Headers.RetryAfterFormat,
		c.wrongForm.found.n, check.Plural(c.limited, "429", "429s"), c.wrongForm.found.firstNote())
	problems := []*respProblem{&c.missing, &c.unreadable, &c.wrongForm, &rc.early, &long}
	if anyFailed(problems) {
		form := map[headers.RetryAfterFormat]string{headers.RetryAfterSeconds: "delay-seconds", headers.RetryAfterHTTPDate: "an HTTP-date"}[c.pr.Scenario.Headers.RetryAfterFormat]
		if form == "" {
			form = "delay-seconds or an HTTP-date"
		}
		want := "every 429 carries a Retry-After (" + form + ") no shorter than the real wait"
		return c.lenient.apply(respFailure(res, &c.pr, c.first, want, problems))
	}
	if left, ok := rc.left.resultFor(res, "Retry-After shorter than the real wait"); ok {
		return c.lenient.apply(left)
	}
	res.Status = check.Pass
	span := check.FormatSeconds(int64(c.shortest))
	if c.longest != c.shortest {
		span += " to " + check.FormatSeconds(int64(c.longest))
	}
	res.Message = fmt.Sprintf("Retry-After on %d of %s (%s)", c.carried, check.Plural(c.limited, "429", "429s"), span)
	if c.carried == c.limited {
		res.Message = fmt.Sprintf("Retry-After on all %s (%s)", check.Plural(c.limited, "429", "429s"), span)
	}
	if rc.checked > 0 {
		res.Message += fmt.Sprintf("; no request after the wait of %s was rejected", check.Plural(rc.checked, "429", "429s"))
	}
	res.Message += rc.measured()
	return c.lenient.apply(res)
}

// notPromised is the reason to skip when the scenario promises no
// Retry-After, with what the 429s carried all the same.
func (c *RetryAfterChecker) notPromised() string {
	const why = "Retry-After is not promised"
	if c.unpromised == 0 {
		return why
	}
	return fmt.Sprintf("%s, so not judged; %d of %s carried one all the same (first: %s: %q), recorded in the observations",
		why, c.unpromised, check.Plural(c.limited, "429", "429s"), fieldRetry, c.unpromisedFirst)
}

// waits compares each Retry-After with the requests after its 429: the first
// one sent after the wait (+1 s) must not be rejected again, and the wait may
// not be absurdly longer than the measured one.
func (c *RetryAfterChecker) waits() (*recoveryCheck, respProblem) {
	rc := newRecoveryCheck()
	var long respProblem
	any429 := func(*respRec) bool { return true }
	for _, s := range c.Store.series() {
		flagged := -1
		for i := range s.Recs {
			a := &s.Recs[i]
			if !a.limited() || !a.hasTime {
				continue
			}
			if k := s.firstAdmitted(i); k >= 0 {
				first := &s.Recs[k]
				rc.errs = append(rc.errs, a.at-first.sent)
				if wait := first.recv - a.sent; a.long && a.at-a.recv > absurdFactor*wait {
					long.found.add(recOffense(a, c.header(a), "429 asking to wait"), recOffense(first, nil,
						fmt.Sprintf("admitted %s after the 429, where Retry-After asked for %s", check.FormatSeconds(wait), check.FormatSeconds(a.at-a.recv))))
				}
			}
			j, early := s.rejectedAgain(i, a.hi+c.Store.lag, any429)
			if j >= 0 {
				rc.checked++
			}
			if !early || j == flagged {
				continue
			}
			flagged = j
			if laterRejection(c.blamed, s, i, j, int64(c.limit.Window), rc.left) {
				continue
			}
			b := &s.Recs[j]
			rc.early.found.add(recOffense(a, c.header(a), "429 asking to wait"), recOffense(b, c.header(b),
				fmt.Sprintf("still limited %s after a 429 asking to wait %s, with nothing admitted in between",
					check.FormatSeconds(b.sent-a.sent), check.FormatSeconds(a.at-a.recv))))
		}
	}
	return rc, long
}

// header returns r's Retry-After as received, for evidence; nil without one.
func (c *RetryAfterChecker) header(r *respRec) map[string]string {
	if !r.hasTime {
		return nil
	}
	return map[string]string{fieldRetry: c.Store.texts.get(r.rawTime)}
}
