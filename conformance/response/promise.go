// Package response holds the checks that judge what responses say, read from
// the observations themselves: the rate-limit headers (headers.limit in
// limit.go, headers.remaining in remaining.go and countdown.go,
// headers.reset in reset.go, headers.retry-after in retry.go) and the error
// bodies (body.error-format, body.go and shape.go). A Promise is what the
// scenario promises its responses say; attribution.go tells the 429s a
// quota caused from the tested limit's. Where a header finding is a defect
// the limiter model blames, the check points there (check.Blamer).
package response

import (
	"fmt"
	"strings"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// Promise is what a scenario promises about responses, resolved once per
// checker: which limit the headers describe, which headers it names and how to
// read them.
type Promise struct {
	plan      *plan.Plan
	Scenario  *scenarios.Scenario // nil without a plan
	Described *scenarios.Limit    // the limit the headers report; nil when none
	Conv      headers.Convention
	// Limit, Remaining and Reset name the promised headers; "" means that one is
	// not promised. With the structured convention they name the fields that
	// carry the values.
	Limit, Remaining, reset string
	Spec                    headers.Spec
	onErrors                bool // 429s carry the headers too
	PerKey                  bool // the described limit counts per key
}

// The structured fields, as observations record them.
const (
	fieldRateLimit = "Ratelimit"
	fieldPolicy    = "Ratelimit-Policy"
	fieldRetry     = "Retry-After"
)

// NewPromise resolves what p's scenario promises.
func NewPromise(p *plan.Plan) Promise {
	pr := Promise{plan: p, Conv: headers.ConventionNone}
	if p == nil || p.Scenario == nil {
		return pr
	}
	pr.Scenario = p.Scenario
	h := pr.Scenario.Headers
	pr.Described = DescribedLimit(pr.Scenario)
	pr.onErrors = h.OnErrors
	if pr.Described != nil {
		pr.PerKey = pr.Described.Scope == scenarios.ScopeKey || pr.Described.Scope == ""
	}
	if h.Convention != "" {
		pr.Conv = h.Convention
	}
	pr.Spec = headers.Spec{ResetFormat: h.ResetFormat}
	if pr.Described != nil {
		pr.Spec.Window = pr.Described.Window
	}
	switch {
	case pr.Conv == headers.ConventionStructured:
		pr.Spec.Convention = headers.ConventionStructured
		pr.Limit, pr.Remaining, pr.reset = fieldPolicy, fieldRateLimit, fieldRateLimit
	case pr.Conv.HasCounters():
		pr.Limit, pr.Remaining, pr.reset = counterNames(h)
		// Vendor reads exactly the names given, so a header the scenario says is
		// not sent ("") is never looked up under its default name.
		pr.Spec.Convention = headers.ConventionVendor
		pr.Spec.Names = headers.Names{Limit: pr.Limit, Remaining: pr.Remaining, Reset: pr.reset}
	}
	return pr
}

// DescribedLimit is the limit the headers report: the one Headers.Describes
// names, else the first. nil when there is none.
func DescribedLimit(sc *scenarios.Scenario) *scenarios.Limit {
	for i, l := range sc.Limits {
		if l.Name == sc.Headers.Describes {
			return &sc.Limits[i]
		}
	}
	if sc.Headers.Describes == "" && len(sc.Limits) > 0 {
		return &sc.Limits[0]
	}
	return nil
}

// counterNames returns the promised Limit, Remaining and Reset names. As in
// the reference target, all three "" (a Scenario literal that never set them)
// means the convention's names; a loaded scenario never has that.
func counterNames(h scenarios.Headers) (limit, remaining, reset string) {
	if h.Limit != "" || h.Remaining != "" || h.Reset != "" {
		return h.Limit, h.Remaining, h.Reset
	}
	n := h.Convention.DefaultNames()
	return n.Limit, n.Remaining, n.Reset
}

// LimitName is the name of the described limit, or "".
func (pr *Promise) LimitName() string {
	if pr.Described == nil {
		return ""
	}
	return pr.Described.Name
}

// NoHeaders says why the scenario promises no header name, the one it calls
// what ("Limit"), or "" when it promises one.
func (pr *Promise) NoHeaders(name, what string) string {
	switch {
	case pr.Scenario == nil:
		return "there is no plan to judge the run against"
	case pr.Conv == headers.ConventionNone:
		return "the scenario promises no rate-limit headers"
	case pr.Described == nil:
		return fmt.Sprintf("the headers describe %q, which is no limit of the scenario", pr.Scenario.Headers.Describes)
	case name == "":
		return "the scenario promises no " + what + " header"
	}
	return ""
}

// nothingCarried says why no response was judged: none that should carry the
// header called name was counted by the described limit.
func (pr *Promise) nothingCarried(name string) string {
	return fmt.Sprintf("no response should have carried %s: none of an endpoint limit %q counts was admitted or limited",
		name, pr.Described.Name)
}

// counted reports whether the described limit counts o's endpoint: only
// those responses report it.
func (pr *Promise) counted(o results.Observation) bool {
	return pr.Described != nil && pr.Described.Counts(o.Endpoint)
}

// shouldCarry reports whether o must carry the promised headers: admitted
// responses of a counted endpoint, and its 429s unless the scenario says the
// headers are left off errors. Transport failures, 401, 403 and 404 never.
func (pr *Promise) shouldCarry(o results.Observation) bool {
	if !pr.counted(o) {
		return false
	}
	return o.Admitted() || o.Limited() && pr.onErrors
}

// read reads o's rate-limit headers as the scenario promises them.
func (pr *Promise) read(o results.Observation) (headers.Claim, []error) {
	return headers.Read(o.Headers, pr.Spec, o.Received())
}

// keyOf is the series o belongs to: the client the described limit counts
// it against (see countedAs).
func (pr *Promise) keyOf(o results.Observation) string { return records.CountedAs(pr.Described, o) }

// sole reports whether a 429 to endpoint can only come from the described
// limit: every other finite limit counting the endpoint is charged no more by
// the plan than its budget, so this run cannot have exhausted it.
func (pr *Promise) sole(endpoint string) bool {
	if pr.Described == nil {
		return false
	}
	for i, l := range pr.Scenario.Limits {
		if &pr.Scenario.Limits[i] == pr.Described || l.Unlimited || !l.Counts(endpoint) {
			continue
		}
		if pr.plan == nil || i >= len(pr.plan.Charges) {
			return false
		}
		if c := pr.plan.Charges[i]; !c.Unlimited && c.Requests > c.Budget {
			return false
		}
	}
	return true
}

// phaseName returns the name of plan phase i, or "".
func (pr *Promise) phaseName(i int32) string {
	if pr.plan == nil || i < 0 || int(i) >= len(pr.plan.Phases) {
		return ""
	}
	return pr.plan.Phases[i].Name
}

// fieldError returns the parse error Read reported about the named header.
func fieldError(errs []error, name string) error {
	for _, err := range errs {
		if e, ok := err.(*headers.Error); ok && strings.EqualFold(e.Header, name) {
			return err
		}
	}
	return nil
}

// hasHeader reports whether o carries the named header.
func hasHeader(o results.Observation, name string) bool {
	_, ok := o.Header(name)
	return ok
}

// resetResolution is how finely a reset format states its time: a second for the
// whole-second formats, a millisecond for the others.
func resetResolution(f headers.ResetFormat, raw string) time.Duration {
	switch f {
	case headers.ResetEpochMillis, headers.ResetEpochFractional:
		return time.Millisecond
	case headers.ResetDeltaSeconds:
		if strings.Contains(raw, ".") {
			return time.Millisecond
		}
	}
	return time.Second
}

// respTally tracks what every checker needs of the whole stream: how many
// observations it saw and the earliest send time, which evidence offsets count
// from. Observations may come in any order.
type respTally struct {
	seen  int
	first int64 // Unix nanoseconds
}

func (t *respTally) note(o results.Observation) {
	sent := o.Sent.UnixNano()
	if t.seen == 0 || sent < t.first {
		t.first = sent
	}
	t.seen++
}

// resultCache keeps a checker's last result until it sees more observations,
// for the checkers whose judgement sorts the whole run.
type resultCache struct {
	res check.Result
	at  int // observations seen when res was judged
	ok  bool
}

// get returns the cached result, or judges again when seen has moved on.
func (rc *resultCache) get(seen int, judge func() check.Result) check.Result {
	if !rc.ok || rc.at != seen {
		rc.res, rc.at, rc.ok = judge(), seen, true
	}
	return rc.res
}

// withReset adds the reset time claim states to r: the claimed instant and
// the earliest and latest the true reset can be. A delta counts from the
// server's clock, which read somewhere between sending and receiving; every
// format rounds by its resolution, up or down.
func withReset(r respRec, claim headers.Claim, raw string, t *texts) respRec {
	if !claim.HasReset {
		return r
	}
	res := int64(resetResolution(claim.ResetFormat, raw))
	r.hasTime, r.rawTime = true, t.id(raw)
	r.at = claim.Reset.UnixNano()
	r.abs = !claim.ResetFormat.Relative()
	r.lo, r.hi = r.at-res, r.at+res
	if !r.abs {
		r.lo -= r.recv - r.sent
	}
	return r
}

// canonical writes a header name as observations record it: evidence uses
// it for the headers it rebuilds, so they read like those copied from
// observations.
func canonical(name string) string { return headers.Canonical(name) }

// rawOf returns o's value of the named header, or "".
func rawOf(o results.Observation, name string) string {
	v, _ := o.Header(name)
	return v
}
