package conformance

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/scenarios"
)

// limitChecks judge the limit itself. When every one of them skips, the run
// has tested nothing, whatever the other checks say.
var limitChecks = []check.ID{check.LimitEnforced, check.LimitNoEarlyReject, check.LimitStatus, check.TimingOnset, check.RecoveryAfterWindow}

// RunFacts are what a run's overall verdict depends on beyond its checks:
// whether it carried out its plan, and what the target answered.
type RunFacts struct {
	// Interrupted is set when the run stopped before its plan ended;
	// Stopped says how ("SIGINT", "SIGTERM"), or "" when unknown (a run
	// directory that was never finished).
	Interrupted bool
	Stopped     string
	Requests    int64
	// Statuses counts the answers per HTTP status; 0 counts the requests
	// that got no answer (transport errors), the first of which is
	// FirstError.
	Statuses   map[int]int64
	FirstError string
}

// Conclude gives v its overall status and the reason for it, in one sentence
// (Verdict.Reason), from its checks and the facts of the run, in this order:
//
//   - interrupted: a failure seen stays Fail; otherwise Incomplete, and every
//     passed check becomes a skip, since it did not see the whole plan (a
//     partial run never says pass);
//   - no answer was a rate-limit decision (no 2xx, no 429): Inconclusive,
//     saying what the target answered and what to look at, every pass and
//     failure withheld (a skip);
//   - a check failed: Fail;
//   - every limit check skipped: Inconclusive, with the first one's reason;
//   - a limit check could not decide (check.Result.Undecided): Inconclusive,
//     naming it and why, since the defect it looks for may be there unseen;
//   - otherwise Pass.
func (v Verdict) Conclude(sc *scenarios.Scenario, f RunFacts) Verdict {
	v.Checks = slices.Clone(v.Checks)
	failed := v.Failed()
	switch {
	case f.Interrupted:
		v.Status, v.Reason = check.Incomplete, interruptedReason(f.Stopped)
		if failed {
			v.Status = check.Fail
			v.Reason += "; a check failed on what was sent"
		}
		v.Checks = v.Withhold(func(msg string) string {
			return "not judged to the end, the run stopped before its plan ended (so far: " + msg + ")"
		}, false).Checks
	case f.Requests == 0:
		v.Status, v.Reason = check.Inconclusive, "no request was sent"
	case !decided(f.Statuses):
		v.Status, v.Reason = check.Inconclusive, undecidedReason(sc, f)
		// What a check saw in answers that were not decisions (a run of
		// 503s read as rejections) is not a defect of the limit.
		v.Checks = v.Withhold(func(msg string) string {
			return "not judged: no answer was a rate-limit decision (" + msg + ")"
		}, true).Checks
	case failed:
		v.Status, v.Reason = check.Fail, failedReason(v.Checks)
	default:
		if reason, ok := nothingJudged(v.Checks); ok {
			v.Status, v.Reason = check.Inconclusive, reason
			break
		}
		if c, ok := undecidedCheck(v.Checks); ok {
			v.Status, v.Reason = check.Inconclusive, string(c.ID)+" could not be decided: "+c.Message
			break
		}
		v.Status, v.Reason = check.Pass, "every check that could be judged passed"
	}
	return v
}

// Withhold returns v with the checks whose evidence is in doubt turned into
// skips, each message rewritten by why: every pass, and every failure too
// when failures is set. A run that stopped early, or whose timeline cannot be
// trusted (shards whose clocks could not be aligned), never passes on such
// evidence; Conclude then finds the limit untested.
func (v Verdict) Withhold(why func(msg string) string, failures bool) Verdict {
	v.Checks = slices.Clone(v.Checks)
	for i, c := range v.Checks {
		if c.Status == check.Pass || failures && c.Status == check.Fail {
			v.Checks[i].Status, v.Checks[i].Undecided = check.Skip, true
			v.Checks[i].Message = why(c.Message)
		}
	}
	return v
}

// WithholdPasses returns v with the passes of the checks ids turned into
// undecided skips, each message rewritten by why: their evidence is in doubt
// (a timeline too coarse for one request's precision), while a failure found
// on it stands.
func (v Verdict) WithholdPasses(ids []check.ID, why func(msg string) string) Verdict {
	v.Checks = slices.Clone(v.Checks)
	for i, c := range v.Checks {
		if c.Status == check.Pass && slices.Contains(ids, c.ID) {
			v.Checks[i].Status, v.Checks[i].Undecided = check.Skip, true
			v.Checks[i].Message = why(c.Message)
		}
	}
	return v
}

// OneRequestChecks are the checks whose pass rests on placing each request
// in time to within the spacing of two requests: an off-by-one admission, an
// early rejection by one request, the onset at request N+1.
var OneRequestChecks = []check.ID{check.LimitEnforced, check.LimitNoEarlyReject, check.TimingOnset}

// decided reports whether any answer was a rate-limit decision: an admission
// (2xx) or a 429.
func decided(statuses map[int]int64) bool {
	for s, n := range statuses {
		if n > 0 && (s == 429 || 200 <= s && s < 300) {
			return true
		}
	}
	return false
}

func interruptedReason(stopped string) string {
	if stopped == "" {
		return "the run did not carry out its plan, so only what was recorded is judged"
	}
	return "the run was stopped by " + stopped + " before its plan ended, so only what was sent is judged"
}

// undecidedReason says what the target answered when none of it was a
// rate-limit decision, and what to look at.
func undecidedReason(sc *scenarios.Scenario, f RunFacts) string {
	top, n := dominant(f.Statuses)
	what := statusName(top)
	if top == 0 {
		what = "no answer"
		if f.FirstError != "" {
			what += " (" + f.FirstError + ")"
		}
	}
	s := "every request got " + what
	if n < f.Requests {
		s = fmt.Sprintf("no request was admitted or limited: %d of %d got %s", n, f.Requests, what)
	}
	if hint := statusHint(sc, top); hint != "" {
		s += ": " + hint
	}
	return s
}

// dominant is the most frequent status and its count (the lowest status on a tie).
func dominant(statuses map[int]int64) (status int, n int64) {
	status = -1
	for s, c := range statuses {
		if c > n || c == n && s < status {
			status, n = s, c
		}
	}
	return status, n
}

// statusNames are the statuses a run that tested nothing typically got.
// conformance must not import net/http, whose StatusText this repeats.
var statusNames = map[int]string{
	301: "Moved Permanently", 302: "Found", 303: "See Other", 307: "Temporary Redirect", 308: "Permanent Redirect",
	400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
	405: "Method Not Allowed", 407: "Proxy Authentication Required", 408: "Request Timeout",
	500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
}

// statusName is "401 Unauthorized", or the bare number for other statuses.
func statusName(status int) string {
	if name, ok := statusNames[status]; ok {
		return strconv.Itoa(status) + " " + name
	}
	return strconv.Itoa(status)
}

// statusHint is the question a person should ask about a run whose answers
// were mostly status, or "".
func statusHint(sc *scenarios.Scenario, status int) string {
	switch {
	case status == 0:
		return "is the target reachable, and its TLS certificate trusted (--ca-file)?"
	case status == 401 || status == 407:
		if envs := keyEnvs(sc); len(envs) > 0 {
			if len(envs) == 1 {
				return "is " + envs[0] + " a valid key?"
			}
			return "are " + strings.Join(envs, " and ") + " valid keys?"
		}
		return "the scenario declares no auth: does the API need a key?"
	case status == 403:
		if envs := keyEnvs(sc); len(envs) > 0 {
			return "may the key in " + strings.Join(envs, " or ") + " call these endpoints?"
		}
		return "does the API need a key, or refuse this client?"
	case status == 404 || status == 405:
		return "are the scenario's endpoints (" + endpointList(sc) + ") right for this target?"
	case 300 <= status && status < 400:
		return "a redirect is not the API's answer: are the target's scheme and host, and the endpoints (" + endpointList(sc) + "), right?"
	case status >= 500:
		return "the target failed before any limit could be judged"
	}
	return ""
}

// keyEnvs names the environment variables the scenario's keys come from.
func keyEnvs(sc *scenarios.Scenario) []string {
	if sc == nil {
		return nil
	}
	var envs []string
	for _, k := range sc.Auth.Keys {
		if k.Env != "" && !slices.Contains(envs, k.Env) {
			envs = append(envs, k.Env)
		}
	}
	return envs
}

// endpointList is "GET /v1/clients, GET /v1/companies", at most three.
func endpointList(sc *scenarios.Scenario) string {
	if sc == nil || len(sc.Endpoints) == 0 {
		return "none"
	}
	var eps []string
	for _, e := range sc.Endpoints {
		if len(eps) == 3 {
			eps = append(eps, "…")
			break
		}
		eps = append(eps, e.Method+" "+e.Path)
	}
	return strings.Join(eps, ", ")
}

// failedReason names the failed checks.
func failedReason(checks []check.Result) string {
	var ids []string
	for _, c := range checks {
		if c.Status == check.Fail && !slices.Contains(ids, string(c.ID)) {
			ids = append(ids, string(c.ID))
		}
	}
	return strings.Join(ids, ", ") + " failed"
}

// nothingJudged reports whether every limit check skipped, with the first
// one's reason.
func nothingJudged(checks []check.Result) (string, bool) {
	reason := ""
	for _, c := range checks {
		if !slices.Contains(limitChecks, c.ID) {
			continue
		}
		if c.Status != check.Skip {
			return "", false
		}
		if reason == "" {
			reason = c.Message
		}
	}
	if reason == "" {
		return "no limit check was made", true
	}
	return "no limit check could be judged: " + reason, true
}

// undecidedCheck is the first limit check that skipped because it could not
// decide what the run gave it to judge.
func undecidedCheck(checks []check.Result) (check.Result, bool) {
	for _, c := range checks {
		if c.Status == check.Skip && c.Undecided && slices.Contains(limitChecks, c.ID) {
			return c, true
		}
	}
	return check.Result{}, false
}
