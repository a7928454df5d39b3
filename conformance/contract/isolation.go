package contract

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// isolationChecker judges limit.per-key or limit.per-ip from the plan's
// isolation attempts (scenarios.contractSteps): client A is driven past the
// tested limit (exhaust), a second client B sends a few requests (other-key
// or other-source), and A sends again (confirm). An attempt is conclusive
// when A was rejected right before B's first request was sent and again
// after B's last answer arrived: a shared budget that ran out both times
// could not have admitted all of B's requests in between (a window that
// ended in between would have admitted every confirm request after B's;
// a bucket regains too little in the few milliseconds).
//
// A limit that separates clients must admit every request of B, whose own
// budget is fresh and far from spent (a 429 to B is a failure outright); a
// global limit, tested with two keys, must not admit all of B's requests in
// a conclusive attempt.
type isolationChecker struct {
	contractObs
	id     check.ID
	other  scenarios.PhaseKind // PhaseOtherKey or PhaseOtherSource
	word   string              // "key" or "source address"
	blamed func() check.Blames // the model checks' blames (check.Blamer)
}

var _ check.Blamer = (*isolationChecker)(nil)

// DeferTo takes the model checks' blames: a limit that rejects early
// rejects the other client's requests within its own budget whatever
// client A did (a smoothing limiter refusing the tail of its burst).
func (c *isolationChecker) DeferTo(b func() check.Blames) { c.blamed = b }

// NewPerKeyChecker returns the checker of limit.per-key.
func NewPerKeyChecker(p *plan.Plan, _ *records.Collector) check.Checker {
	return &isolationChecker{contractObs: newContractObs(p), id: check.LimitPerKey, other: scenarios.PhaseOtherKey, word: "key"}
}

// NewPerIPChecker returns the checker of limit.per-ip.
func NewPerIPChecker(p *plan.Plan, _ *records.Collector) check.Checker {
	return &isolationChecker{contractObs: newContractObs(p), id: check.LimitPerIP, other: scenarios.PhaseOtherSource, word: "source address"}
}

// Observe keeps the observations of the isolation phases.
func (c *isolationChecker) Observe(o results.Observation) {
	if c.plan == nil || o.Phase < 0 || o.Phase >= len(c.plan.Phases) {
		return
	}
	switch c.plan.Phases[o.Phase].Kind {
	case scenarios.PhaseExhaust, scenarios.PhaseConfirm, c.other:
		c.keep(o)
	}
}

// isoAttempt is one exhaust, other, confirm triple as observed.
type isoAttempt struct {
	before, after *results.Observation // A's answers around B's requests
	other         []results.Observation
}

func (t isoAttempt) conclusive() bool {
	return t.before != nil && t.after != nil && t.before.Limited() && t.after.Limited()
}

func (t isoAttempt) count() (admitted, limited int) {
	for _, o := range t.other {
		switch {
		case o.Admitted():
			admitted++
		case o.Limited():
			limited++
		}
	}
	return admitted, limited
}

// attempts gathers the observed attempts, in plan order.
func (c *isolationChecker) attempts() []isoAttempt {
	var out []isoAttempt
	for _, tr := range c.triples(scenarios.PhaseExhaust, c.other, scenarios.PhaseConfirm) {
		other := sortedBySend(c.byPh[tr[1]])
		if len(other) == 0 {
			continue
		}
		t := isoAttempt{other: other}
		first, last := other[0].Sent, latestAnswer(other)
		// Before: the last-sent rejection of A answered before B's first
		// request. Not the last-sent request of the exhaust burst: a burst
		// sent at once is decided in arrival order, and its last-sent
		// request may be among those admitted.
		for i, o := range c.byPh[tr[0]] {
			if o.Limited() && !o.Received().After(first) && (t.before == nil || o.Sent.After(t.before.Sent)) {
				t.before = &c.byPh[tr[0]][i]
			}
		}
		for i, o := range c.byPh[tr[2]] {
			if o.Limited() && !o.Sent.Before(last) && (t.after == nil || o.Sent.Before(t.after.Sent)) {
				t.after = &c.byPh[tr[2]][i]
			}
		}
		out = append(out, t)
	}
	return out
}

// Result judges the attempts.
func (c *isolationChecker) Result() check.Result {
	res, ok := c.result(c.id, c.untestable())
	if !ok {
		return res
	}
	ts := c.attempts()
	if len(ts) == 0 {
		res.Status, res.Message = check.Skip, fmt.Sprintf("no request of the plan's %s phases was answered", c.other)
		return res
	}
	if c.shared() {
		return c.judgeShared(res, ts)
	}
	return c.judgeSeparate(res, ts)
}

// shared reports whether the tested limit promises one budget for all keys.
func (c *isolationChecker) shared() bool {
	return c.id == check.LimitPerKey && c.limit.Scope == scenarios.ScopeGlobal
}

// untestable says why the run cannot test the promise, or "".
func (c *isolationChecker) untestable() string {
	p, l := c.plan, c.limit
	switch {
	case p == nil:
		return "there is no plan to judge the run against"
	case l == nil:
		return "the plan tests no limit"
	case c.id == check.LimitPerIP && l.Scope != scenarios.ScopeIP:
		return fmt.Sprintf("limit %q is not per IP (scope %s): nothing promises that source addresses are counted apart", l.Name, scopeName(l.Scope))
	case c.id == check.LimitPerKey && l.Scope == scenarios.ScopeIP:
		return fmt.Sprintf("limit %q counts per source address, not per key (see limit.per-ip)", l.Name)
	case c.id == check.LimitPerKey && p.Scenario.Auth.Header == "":
		return "the API has no keys"
	case c.id == check.LimitPerKey && len(p.Scenario.Auth.Keys) < 2:
		return fmt.Sprintf("only one key (%q) is configured: a second key in auth.keys lets the run show whether exhausting one leaves the other untouched (with --target builtin the run supplies one itself)", p.Scenario.Auth.Keys[0].ID) +
			setToTest(p.Scenario, func(scenarios.Key) bool { return true })
	case c.id == check.LimitPerIP && p.Sources < 2:
		return "only one source address is available: a per-IP limit needs a second client (a loopback target gets 127.0.0.2 by itself; otherwise give --source-addr twice, with two addresses of this machine)"
	case p.Lean:
		return "the lean plan (--lean) sends no isolation phases"
	case len(p.Layered) > 0:
		return fmt.Sprintf("the run sends from %d keys at once (%s), each below its per-key limits: limit.enforced judges their requests against the one budget limit %q promises them",
			len(p.Layered), strings.Join(p.Layered, ", "), l.Name)
	}
	if len(c.triples(scenarios.PhaseExhaust, c.other, scenarios.PhaseConfirm)) == 0 {
		return fmt.Sprintf("the plan has no %s phase between an exhaust and a confirm phase (scenario phases, or a run.max_duration too short for them)", c.other)
	}
	return ""
}

// judgeSeparate judges a limit that promises each client a budget of its own.
func (c *isolationChecker) judgeSeparate(res check.Result, ts []isoAttempt) check.Result {
	sent, capacity := 0, c.capacity()
	var rejected []results.Observation
	for _, t := range ts {
		for _, o := range t.other {
			sent++
			if o.Limited() && int64(sent) <= capacity {
				rejected = append(rejected, o)
			}
		}
	}
	if len(rejected) > 0 {
		if c.blamed != nil {
			b := c.blamed()
			early, undecided := b.Blames(check.LimitNoEarlyReject), b.Undecided(check.LimitNoEarlyReject)
			if early || undecided {
				res.Status, res.See, res.Undecided = check.Skip, check.LimitNoEarlyReject, !early
				res.Message = fmt.Sprintf("the other %s was rejected (429) on %d of its %d requests, though they all fit a budget of its own of %d; but the limit rejects under its budget elsewhere too (limit.no-early-reject %s), which explains them as well as a shared budget: not judged",
					c.word, len(rejected), sent, capacity, map[bool]string{true: "fails", false: "could not decide"}[early])
				return res
			}
		}
		if shared, ok := c.sharedOver(); ok {
			res.Status = check.Skip
			res.Message = fmt.Sprintf("the other %s was rejected (429) on %d of its %d requests, though they all fit a budget of its own of %d; but %s counts both clients' requests, and the plan sends it more than its budget within a window of it, so the 429s may be its own: the isolation of limit %q is not shown",
				c.word, len(rejected), sent, capacity, shared, c.limit.Name)
			return res
		}
		res.Status = check.Fail
		res.Message = fmt.Sprintf("the other %s was rejected (429) on %d of its %d requests, though they all fit a budget of its own of %d, while %s A was over its limit: the clients share one budget",
			c.word, len(rejected), sent, capacity, c.word)
		res.Evidence = c.otherEvidence(ts, rejected, fmt.Sprintf("every request of the other %s admitted: its own budget of %d was far from spent", c.word, capacity))
		return res
	}
	var judged *isoAttempt
	for i, t := range ts {
		if adm, _ := t.count(); t.conclusive() && adm == len(t.other) {
			judged = &ts[i]
			break
		}
	}
	if judged == nil {
		res.Status = check.Skip
		res.Message = c.inconclusive(ts)
		return res
	}
	if f, ok := c.headersTouched(ts, capacity); ok {
		res.Status, res.Message, res.Evidence = check.Fail, f.msg, f.ev
		return res
	}
	res.Status = check.Pass
	res.Message = fmt.Sprintf("the other %s's %d requests were all admitted while %s A was rejected right before (seq %d) and right after (seq %d)%s",
		c.word, len(judged.other), c.word, judged.before.Seq, judged.after.Seq, c.headersNote())
	return res
}

// judgeShared judges a global limit tested with two keys.
func (c *isolationChecker) judgeShared(res check.Result, ts []isoAttempt) check.Result {
	for _, t := range ts {
		if adm, _ := t.count(); t.conclusive() && adm == len(t.other) {
			res.Status = check.Fail
			res.Message = fmt.Sprintf("limit %q is global, but key B's %d requests were all admitted between two rejections of key A (seq %d and %d): each key has a budget of its own",
				c.limit.Name, adm, t.before.Seq, t.after.Seq)
			ev := []check.RequestEvidence{c.evidence(*t.before, "key A rejected")}
			for _, o := range t.other {
				ev = append(ev, c.evidence(o, "key B admitted"))
			}
			ev = append(ev, c.evidence(*t.after, "key A rejected"))
			res.Evidence = &check.Evidence{Expected: "key B rejected like key A: one budget for both", Requests: ev}
			return res
		}
	}
	for _, t := range ts {
		if _, lim := t.count(); t.before != nil && t.before.Limited() && lim > 0 {
			res.Status = check.Pass
			res.Message = fmt.Sprintf("key B was rejected on %d of its %d requests right after key A was (seq %d): the keys share the budget", lim, len(t.other), t.before.Seq)
			return res
		}
	}
	res.Status = check.Skip
	res.Message = c.inconclusive(ts)
	return res
}

// sharedOver names another limit of the scenario that counts the other
// client's requests together with A's (a global one; or a per-IP one when
// the other client is a key sending from A's address) and that the plan
// charges more than its budget within its window before an attempt's
// other-client phase ends: a 429 to the other client may be that limit's.
func (c *isolationChecker) sharedOver() (string, bool) {
	p := c.plan
	for _, tr := range c.triples(scenarios.PhaseExhaust, c.other, scenarios.PhaseConfirm) {
		b := p.Phases[tr[1]]
		for i, o := range p.Scenario.Limits {
			if i == p.Tested || !plan.CountsBothClients(o, c.other) || !o.Finite() || !o.Counts(b.Endpoint) {
				continue
			}
			budget := o.Requests
			if o.Burst > 0 {
				budget = o.Burst
			}
			from, to := b.Start-o.Window, b.End()
			var charged int64
			for _, ph := range p.Phases {
				if ph.Kind.Auth() || !o.Counts(ph.Endpoint) || ph.End() <= from || ph.Start >= to ||
					o.Scope == scenarios.ScopeIP && ph.Source != b.Source {
					continue
				}
				charged += ph.Requests
			}
			if charged > budget {
				return fmt.Sprintf("limit %q (%d per %s, %s)", o.Name, o.Requests, o.Window, scopeName(o.Scope)), true
			}
		}
	}
	return "", false
}

// inconclusive says why no attempt settled the question.
func (c *isolationChecker) inconclusive(ts []isoAttempt) string {
	for _, t := range ts {
		adm, lim := t.count()
		if adm+lim == 0 {
			return fmt.Sprintf("the other %s's requests got no rate-limit decision (first status %d)", c.word, t.other[0].Status)
		}
	}
	return fmt.Sprintf("in none of %s %s A was seen over its limit both right before and right after the other %s's requests (a window may have ended in between), so they prove nothing",
		check.Plural(len(ts), "attempt", "attempts"), c.word, c.word)
}

// capacity is the tested limit's budget of one client.
func (c *isolationChecker) capacity() int64 {
	if c.limit.Burst > 0 {
		return c.limit.Burst
	}
	return c.limit.Requests
}

type touched struct {
	msg string
	ev  *check.Evidence
}

// headersTouched finds a response of B whose Remaining shows A's use: below
// the budget less B's own requests so far. Only for exact Remaining headers
// describing the tested limit.
func (c *isolationChecker) headersTouched(ts []isoAttempt, capacity int64) (touched, bool) {
	if c.exactRemaining("") != "" || c.pr.Described != c.limit {
		return touched{}, false
	}
	sent := int64(0)
	for _, t := range ts {
		sent += int64(len(t.other))
		for _, o := range t.other {
			r, ok := c.remaining(o)
			if !o.Admitted() || !ok || r >= capacity-sent {
				continue
			}
			return touched{
				msg: fmt.Sprintf("the other %s's Remaining read %d after at most %d of its own requests against a budget of %d: %s A's use shows in its headers",
					c.word, r, sent, capacity, c.word),
				ev: &check.Evidence{Expected: fmt.Sprintf("Remaining at least %d", capacity-sent), Requests: []check.RequestEvidence{c.evidence(o, "")}},
			}, true
		}
	}
	return touched{}, false
}

// headersNote says whether B's headers were compared too.
func (c *isolationChecker) headersNote() string {
	if why := c.exactRemaining(""); why != "" {
		return "; its headers were not compared: " + why
	}
	if c.pr.Described != c.limit {
		return "; its headers were not compared: they describe limit " + quote(c.pr.Described.Name)
	}
	return ", with Remaining counting down from its own budget"
}

// otherEvidence lists A's last rejection before each attempt and B's
// rejections.
func (c *isolationChecker) otherEvidence(ts []isoAttempt, rejected []results.Observation, expected string) *check.Evidence {
	var ev []check.RequestEvidence
	for _, t := range ts {
		if t.before != nil {
			ev = append(ev, c.evidence(*t.before, c.word+" A, just before"))
			break
		}
	}
	const room = 8
	for i, o := range rejected {
		if i == room {
			break
		}
		ev = append(ev, c.evidence(o, "other "+c.word+" rejected"))
	}
	return &check.Evidence{Expected: expected, Requests: ev, Omitted: max(0, len(rejected)-room)}
}

func sortedBySend(obs []results.Observation) []results.Observation {
	out := append([]results.Observation(nil), obs...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Sent.Before(out[j].Sent) })
	return out
}

// latestAnswer is when the last of obs was answered.
func latestAnswer(obs []results.Observation) time.Time {
	var t time.Time
	for _, o := range obs {
		if r := o.Received(); r.After(t) {
			t = r
		}
	}
	return t
}

// scopeName names a limit's scope, the default included.
func scopeName(s scenarios.Scope) string {
	if s == "" {
		return "key (the default)"
	}
	return string(s)
}
