package contract

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// authChecker judges auth.missing-key, auth.invalid-key or auth.scope from
// the plan's requests of one auth phase kind (see scenarios.PhaseKind.Auth):
// each must be refused with the status the scenario declares for it (refusal).
// A request to an `auth: none` endpoint carries no key and must be served
// all the same: refused 401 or 403, it says the endpoint wants a key. The
// bodies of the refusals are body.error-format's to judge.
type authChecker struct {
	contractObs
	id   check.ID
	kind scenarios.PhaseKind
	what string // "without a key", …
}

// NewMissingKeyChecker returns the checker of auth.missing-key.
func NewMissingKeyChecker(p *plan.Plan, _ *records.Collector) check.Checker {
	return &authChecker{contractObs: newContractObs(p), id: check.AuthMissingKey, kind: scenarios.PhaseNoKey, what: "without a key"}
}

// NewInvalidKeyChecker returns the checker of auth.invalid-key.
func NewInvalidKeyChecker(p *plan.Plan, _ *records.Collector) check.Checker {
	return &authChecker{contractObs: newContractObs(p), id: check.AuthInvalidKey, kind: scenarios.PhaseBadKey, what: "with a wrong key"}
}

// NewScopeChecker returns the checker of auth.scope.
func NewScopeChecker(p *plan.Plan, _ *records.Collector) check.Checker {
	return &authChecker{contractObs: newContractObs(p), id: check.AuthScope, kind: scenarios.PhaseNoScope, what: "with a key lacking the endpoint's scope"}
}

// Observe keeps the requests of the checker's phase kind.
func (c *authChecker) Observe(o results.Observation) {
	if c.plan != nil && o.Phase >= 0 && o.Phase < len(c.plan.Phases) && c.plan.Phases[o.Phase].Kind == c.kind {
		c.keep(o)
	}
}

// authVerdict is how one answer is judged.
type authVerdict int

const (
	authUnjudged authVerdict = iota // no answer, or one that says nothing of the key (429, 5xx, …)
	authRight
	authWrong
)

// Result judges the requests kept.
func (c *authChecker) Result() check.Result {
	res, ok := c.result(c.id, c.untestable())
	if !ok {
		return res
	}
	want := refusal(c.plan.Scenario, c.kind)
	var right, unjudged, wrong []results.Observation
	for _, i := range c.phases() {
		for _, o := range sortedBySend(c.byPh[i]) {
			switch c.judge(o, want) {
			case authRight:
				right = append(right, o)
			case authWrong:
				wrong = append(wrong, o)
			default:
				unjudged = append(unjudged, o)
			}
		}
	}
	if len(wrong) > 0 {
		return c.fail(res, want, wrong, len(right)+len(wrong))
	}
	if len(right) == 0 {
		res.Status = check.Skip
		if len(unjudged) == 0 {
			res.Message = fmt.Sprintf("no request %s was answered", c.what)
			return res
		}
		res.Message = fmt.Sprintf("none of the %d requests %s got an answer about its key (%s): the limit or the server answered first",
			len(unjudged), c.what, statusTally(unjudged))
		return res
	}
	res.Status = check.Pass
	res.Message = c.passed(want, right, unjudged)
	return res
}

// phases lists the plan's phases of the checker's kind.
func (c *authChecker) phases() []int {
	var out []int
	for i, ph := range c.plan.Phases {
		if ph.Kind == c.kind {
			out = append(out, i)
		}
	}
	return out
}

// judge tells whether o got the answer its key calls for.
func (c *authChecker) judge(o results.Observation, want []int) authVerdict {
	ep := c.plan.Scenario.Endpoint(o.Endpoint)
	if o.Status == 0 {
		return authUnjudged
	}
	if ep != nil && ep.NoAuth {
		switch {
		case o.Status == 401 || o.Status == 403:
			return authWrong
		case o.Admitted():
			return authRight
		}
		return authUnjudged
	}
	switch {
	case slices.Contains(want, o.Status):
		return authRight
	case o.Admitted():
		return authWrong
	case o.Limited() || o.Status >= 500:
		return authUnjudged
	case len(want) > 1:
		return authUnjudged // the scenario declares no status for it: only a refusal or a served request says something
	}
	return authWrong
}

// refusal is the statuses that refuse a request of an auth phase of kind k,
// from the statuses the scenario declares (errors:): 401 for a missing or
// wrong key when it declares 401, else 401 or 403; 403 for a key lacking a
// scope, or 401 or 403 when it declares 401 but not 403.
func refusal(sc *scenarios.Scenario, k scenarios.PhaseKind) []int {
	has401, has403 := sc.ErrorShape(401) != nil, sc.ErrorShape(403) != nil
	if k == scenarios.PhaseNoScope {
		if !has403 && has401 {
			return []int{401, 403}
		}
		return []int{403}
	}
	if has401 {
		return []int{401}
	}
	return []int{401, 403}
}

// untestable says why the run cannot test the promise, or "".
func (c *authChecker) untestable() string {
	p := c.plan
	switch {
	case p == nil || p.Scenario == nil:
		return "there is no plan to judge the run against"
	case p.Scenario.Auth.Header == "":
		return "the API has no keys (the scenario declares no auth)"
	}
	if c.kind == scenarios.PhaseNoScope {
		if why := scopeUntestable(p.Scenario); why != "" {
			return why
		}
	}
	switch {
	case len(c.phases()) > 0:
		return ""
	case p.Lean:
		return "the lean plan (--lean) sends no auth phases"
	case len(p.Scenario.Phases) > 0:
		return fmt.Sprintf("the scenario's phases include no %s phase", c.kind)
	}
	return fmt.Sprintf("the plan has no %s phase (no limit to test, or run.max_duration too short for the contract phases)", c.kind)
}

// scopeUntestable says why no request can lack a scope, or "".
func scopeUntestable(sc *scenarios.Scenario) string {
	scoped := false
	for _, e := range sc.Endpoints {
		if len(e.Scopes) == 0 || e.NoAuth {
			continue
		}
		scoped = true
		if _, ok := plan.KeyLacking(sc, e.Name); ok {
			return ""
		}
	}
	if !scoped {
		return "no endpoint declares scopes (endpoints[].scopes), so no key can lack one"
	}
	lacks := func(k scenarios.Key) bool {
		for _, e := range sc.Endpoints {
			if len(e.Scopes) > 0 && !e.NoAuth && !k.Allows(e.Scopes) {
				return true
			}
		}
		return false
	}
	return "every key of the run holds a scope of every endpoint: a key declared without one (auth.keys.ID.scopes) would show whether it is refused with 403" + setToTest(sc, lacks)
}

func (c *authChecker) fail(res check.Result, want []int, wrong []results.Observation, judged int) check.Result {
	first := wrong[0]
	res.Status = check.Fail
	res.Message = fmt.Sprintf("%d of %d requests %s got the wrong answer: the first, to %s, got %d; want %s",
		len(wrong), judged, c.what, first.Endpoint, first.Status, c.wanted(first, want))
	const room = 8
	var ev []check.RequestEvidence
	for i, o := range wrong {
		if i == room {
			break
		}
		ev = append(ev, c.evidence(o, fmt.Sprintf("%s to %s: got %d, want %s", c.what, o.Endpoint, o.Status, c.wanted(o, want))))
	}
	res.Evidence = &check.Evidence{Expected: c.expected(want), Requests: ev, Omitted: max(0, len(wrong)-room)}
	return res
}

// wanted says what o should have got.
func (c *authChecker) wanted(o results.Observation, want []int) string {
	if ep := c.plan.Scenario.Endpoint(o.Endpoint); ep != nil && ep.NoAuth {
		return "an answer other than 401 or 403: the endpoint is declared auth: none"
	}
	return statusAlternatives(want)
}

// expected says what the scenario promises, for the evidence.
func (c *authChecker) expected(want []int) string {
	s := fmt.Sprintf("a request %s refused with %s", c.what, statusAlternatives(want))
	if len(want) > 1 {
		s += " (the scenario's errors declare no single status for it)"
	}
	if c.kind == scenarios.PhaseNoKey {
		s += "; an endpoint declared auth: none served without one"
	}
	return s
}

func (c *authChecker) passed(want []int, right, unjudged []results.Observation) string {
	var refused, served []string
	byEp := map[string][]results.Observation{}
	var order []string
	for _, o := range right {
		if _, ok := byEp[o.Endpoint]; !ok {
			order = append(order, o.Endpoint)
		}
		byEp[o.Endpoint] = append(byEp[o.Endpoint], o)
	}
	for _, name := range order {
		obs := byEp[name]
		if ep := c.plan.Scenario.Endpoint(name); ep != nil && ep.NoAuth {
			served = append(served, fmt.Sprintf("%s (auth: none) answered %s", name, statusTally(obs)))
			continue
		}
		refused = append(refused, fmt.Sprintf("%s %s", name, statusTally(obs)))
	}
	var parts []string
	if len(refused) > 0 {
		how := "as declared (" + statusAlternatives(want) + ")"
		if len(want) > 1 {
			how = "with " + statusAlternatives(want) + " (the scenario's errors declare no single status for it)"
		}
		parts = append(parts, fmt.Sprintf("every request %s was refused %s: %s", c.what, how, strings.Join(refused, ", ")))
	}
	if len(served) > 0 {
		parts = append(parts, "without a key, "+strings.Join(served, ", "))
	}
	msg := strings.Join(parts, "; ")
	if len(unjudged) > 0 {
		msg += fmt.Sprintf(" (%d more said nothing of the key: %s)", len(unjudged), statusTally(unjudged))
	}
	return msg
}

// statusList writes statuses as "401" or "401 or 403".
func statusAlternatives(st []int) string {
	parts := make([]string, len(st))
	for i, s := range st {
		parts[i] = strconv.Itoa(s)
	}
	return strings.Join(parts, " or ")
}

// statusTally writes how many of obs got each status: "401 ×20, 429 ×1".
func statusTally(obs []results.Observation) string {
	n := map[int]int{}
	for _, o := range obs {
		n[o.Status]++
	}
	st := make([]int, 0, len(n))
	for s := range n {
		st = append(st, s)
	}
	slices.Sort(st)
	parts := make([]string, len(st))
	for i, s := range st {
		name := strconv.Itoa(s)
		if s == 0 {
			name = "no answer"
		}
		parts[i] = fmt.Sprintf("%s ×%d", name, n[s])
	}
	return strings.Join(parts, ", ")
}
