package response

import (
	"fmt"
	"slices"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
)

// RemainingChecker judges headers.remaining: the Remaining value is present
// where promised, within [0, Limit], and consistent with what happened: it
// falls by the requests admitted (exactly, within a window the reset claims
// prove unchanged), and a 429 never follows a value that said quota was left.
// An approximate Remaining only has to stay within bounds and be no staler than
// the declared staleness.
type RemainingChecker struct {
	pr Promise
	respTally
	cache                            resultCache
	total                            int // responses that should carry the header
	judged                           int // responses whose value was read
	judged503                        int // of them, 503s
	Set                              respSet
	missing, unreadable, above, full respProblem
	unpromised                       sighting // rate-limit headers sent though none are promised
	blamed                           func() check.Blames
	model                            Model // see newCountdown
	// others are the requests the series do not keep, for the budget
	// rule; nil once there were more than maxOthers. stated is the
	// smallest Limit a response stated, 0 if none did.
	others  []flight
	tooMany bool
	stated  int64
}

var (
	_ check.Checker = (*RemainingChecker)(nil)
	_ check.Blamer  = (*RemainingChecker)(nil)
)

// DeferTo lets the countdown leave to the model checks what they fail.
func (c *RemainingChecker) DeferTo(blamed func() check.Blames) { c.blamed = blamed }

// NewRemainingChecker returns the checker of headers.remaining; model is the
// described limit's family, or nil when the algorithm leaves it open (then
// the countdown allows for none of the quota a family gives back).
func NewRemainingChecker(p *plan.Plan, col *records.Collector, model Model) check.Checker {
	c := &RemainingChecker{pr: NewPromise(p), model: model}
	if col != nil {
		c.Set.newSpill = col.NewSpill // past records.SpillAfter responses, records go to disk
	}
	return c
}

// name is how messages call the header.
func (c *RemainingChecker) name() string {
	if c.pr.Conv == headers.ConventionStructured {
		return "RateLimit remaining (r)"
	}
	return c.pr.Remaining
}

// capacity is the most quota a response may say is left: the Limit it states
// (else the described limit's requests), or the bucket's burst when larger;
// -1 when there is no bound.
func (c *RemainingChecker) capacity(claimed int64, stated bool) int64 {
	l := c.pr.Described
	switch {
	case stated:
		return max(claimed, l.Burst)
	case l.Unlimited:
		return -1
	}
	return max(l.Requests, l.Burst)
}

// Observe checks o's Remaining against the bounds and keeps what the
// countdown needs.
func (c *RemainingChecker) Observe(o results.Observation) {
	c.note(o)
	if c.pr.NoHeaders(c.pr.Remaining, "Remaining") != "" {
		c.unpromised.observe(&c.pr, o)
		return
	}
	if !c.pr.counted(o) || !keptResp(o) {
		c.other(o)
		return
	}
	claim, errs := c.pr.read(o)
	if claim.HasLimit && claim.Limit > 0 && (c.stated == 0 || claim.Limit < c.stated) {
		c.stated = claim.Limit
	}
	r := newRec(o)
	r.sole = o.Limited() && c.pr.sole(o.Endpoint)
	r = withReset(r, claim, rawOf(o, c.pr.reset), &c.Set.texts)
	if claim.HasRemaining {
		r.hasRem, r.rem = true, claim.Remaining
		r.raw = c.Set.texts.remRaw(rawOf(o, c.pr.Remaining), claim.Remaining)
		if o.Status == 503 {
			c.judged503++ // judged when a server error (respSet.each)
		} else {
			c.judged++
		}
	}
	c.Set.add(c.pr.keyOf(o), r)
	if !c.pr.shouldCarry(o) {
		return
	}
	c.total++
	switch {
	case !hasHeader(o, c.pr.Remaining):
		c.missing.found.add(offenseOf(o, claim.Raw, "no "+c.name()))
	case fieldError(errs, c.pr.Remaining) != nil:
		c.unreadable.found.add(offenseOf(o, claim.Raw, fieldError(errs, c.pr.Remaining).Error()))
	case !claim.HasRemaining:
		c.missing.found.add(offenseOf(o, claim.Raw, "no "+c.name()))
	default:
		c.level(o, claim, r.resetCome(mayFreeAll(c.model)))
	}
}

// level checks a Remaining against the capacity: never above it, and below
// it right after an admission, which used a unit of it (unless approximate:
// a cached value may predate the admission; or nextWindow: the response's
// own reset had come, see respRec.resetCome).
func (c *RemainingChecker) level(o results.Observation, claim headers.Claim, nextWindow bool) {
	capacity := c.capacity(claim.Limit, claim.HasLimit)
	what := "the limit"
	if claim.HasLimit {
		what = "the stated limit"
	}
	switch {
	case capacity < 0:
	case claim.Remaining > capacity:
		c.above.found.add(offenseOf(o, claim.Raw, fmt.Sprintf("%d remaining is above %s %d", claim.Remaining, what, capacity)))
	case claim.Remaining == capacity && o.Admitted() && !c.pr.Scenario.Headers.Approximate && !nextWindow:
		c.full.found.add(offenseOf(o, claim.Raw, fmt.Sprintf("%d remaining right after an admission, the whole of %s", claim.Remaining, what)))
	}
}

// ObserveContext takes a request sent just before or after the observations
// judged (the stretches beside, see conformance's stretches): the budget
// rule counts it as a request of the run, charged as may be.
func (c *RemainingChecker) ObserveContext(o results.Observation) {
	c.seen++ // the result judged before it is stale
	c.other(o)
}

// window is the described limit's window, which tells the 503s sent while
// the limiter limited from the others (records.AnswerReader).
func (c *RemainingChecker) window() int64 {
	if c.pr.Described == nil {
		return 0
	}
	return int64(c.pr.Described.Window)
}

// other keeps the flight of a request the series do not keep: the budget
// rule counts every request of the run.
func (c *RemainingChecker) other(o results.Observation) {
	if c.tooMany {
		return
	}
	if len(c.others) == maxOthers {
		c.others, c.tooMany = nil, true
		return
	}
	sent := o.Sent.UnixNano()
	c.others = append(c.others, flight{sent: sent, recv: sent + max(int64(o.Latency), 0)})
}

// Result judges the responses seen so far.
func (c *RemainingChecker) Result() check.Result { return c.cache.get(c.seen, c.judge) }

func (c *RemainingChecker) judge() check.Result {
	res := check.Result{ID: check.HeadersRemaining, Limit: c.pr.LimitName(), Status: check.Skip}
	if why := c.pr.NoHeaders(c.pr.Remaining, "Remaining"); why != "" {
		res.Message = c.unpromised.note(why)
		return res
	}
	if c.total == 0 {
		res.Message = c.pr.nothingCarried(c.name())
		return res
	}
	cd := newCountdown(&c.pr, c.name(), &c.Set.texts, c.model)
	if c.blamed != nil {
		cd.blame = c.blamed()
	}
	series, dropped, err := c.Set.each(c.window())
	if err != nil {
		res.Message = fmt.Sprintf("the responses' records could not be kept on disk and read back (%v), so the countdown was not judged", err)
		return res
	}
	judged := c.judged
	if c.Set.answers.ServerError(503) {
		judged += c.judged503
	}
	if others := append(slices.Clip(c.others), dropped...); !c.tooMany && len(others) <= maxOthers {
		cd.spent, cd.stated = newSpent(series, others), c.stated
	}
	for _, s := range series {
		cd.judge(s)
	}
	name := c.name()
	c.missing.summary = fmt.Sprintf("%s missing on %s", name, ofResponses(c.missing.found.n, c.total))
	c.unreadable.summary = fmt.Sprintf("%s unreadable on %s (first: %s)", name, ofResponses(c.unreadable.found.n, c.total), c.unreadable.found.firstNote())
	c.above.summary = fmt.Sprintf("%s above the limit on %s (first: %s)", name, ofResponses(c.above.found.n, c.total), c.above.found.firstNote())
	c.full.summary = fmt.Sprintf("%s at the full limit right after an admission on %s (first: %s)", name,
		ofResponses(c.full.found.n, c.total), c.full.found.firstNote())
	problems := append([]*respProblem{&c.missing, &c.unreadable, &c.above, &c.full}, cd.problems()...)
	if anyFailed(problems) {
		return respFailure(res, &c.pr, c.first, cd.expected(), problems)
	}
	if left, ok := cd.left.result(res, name); ok {
		return left
	}
	res.Status, res.Message = check.Pass, cd.passMessage(judged)
	return res
}

// result is res skipped for the findings left to the model checks, when
// some were: pointing at the check that blames their defect, or, where only
// a check that could not decide explains them, undecided with it.
func (d deferred) result(res check.Result, name string) (check.Result, bool) {
	return d.resultFor(res, name+" disagreed with the server's decisions")
}

// resultFor is result for findings that finding words ("X-RateLimit-Reset
// pointed before the real recovery").
func (d deferred) resultFor(res check.Result, finding string) (check.Result, bool) {
	if see, n := d.see(); n > 0 {
		res.Status, res.See = check.Skip, see
		res.Message = fmt.Sprintf("%s %s, each time at a request the limiter model blames (%s): the defect %s fails, not failed again here",
			finding, times(n), blamedFor(see), see)
		return res, true
	}
	if see, n := d.seeUndecided(); n > 0 {
		res.Status, res.See, res.Undecided = check.Skip, see, true
		res.Message = fmt.Sprintf("%s %s, where a limiter %s would explain it and %s could not decide whether this one does: not judged",
			finding, times(n), undecidedFor(see), see)
		return res, true
	}
	return res, false
}

// defects words each model check's defect: what it blames a request for,
// and what a limiter that has it does.
var defects = map[check.ID]struct{ blamed, limiter string }{
	check.LimitEnforced:       {"admitted beyond the limit", "admitting beyond its limit"},
	check.LimitNoEarlyReject:  {"rejected under the limit", "rejecting under its limit"},
	check.RecoveryAfterWindow: {"rejected after the limit should have lifted", "staying closed past its promised recovery"},
}

// blamedFor says what a model check blames a request for.
func blamedFor(id check.ID) string {
	if d, ok := defects[id]; ok {
		return d.blamed
	}
	return "blamed by " + string(id)
}

// undecidedFor names the defect a model check could not rule out.
func undecidedFor(id check.ID) string {
	if d, ok := defects[id]; ok {
		return d.limiter
	}
	return "with the defect of " + string(id)
}
