package conformance

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/model"
	"github.com/ratecheck/ratecheck/conformance/series"
)

// statusResult judges limit.status: requests the model says were over the limit
// and the server rejected got 429, not another status. When the server rejected
// requests but the model puts none over the limit (a limiter that rejects
// early), those rejections are its limiting decisions: all 429 passes; others
// are left to limit.no-early-reject.
//
// A limiter that answers 429 decides with it, so its answers of 500 and up
// are server errors, not its decisions (records.Answers; 503s amid its 429s
// are its own): the models leave them unknown, and the message names them.
//
// 503s that came only while the limiter limited, but too few to tell
// whether they are its own or an upstream's (records.Answers.Unsure503),
// leave the check undecided where it would pass: a limiter that answers
// some limited requests 503 must not pass.
func statusResult(a *analysis) check.Result {
	res := statusOfLimited(a)
	errs := a.serverErrors()
	if len(errs) == 0 {
		return res
	}
	unsure := slices.ContainsFunc(errs, func(r model.Ref) bool { return r.Rec().Status == 503 && r.S.Answers.Unsure503 })
	if unsure && res.Status != check.Fail {
		n := 0
		for _, r := range errs {
			if r.Rec().Status == 503 {
				n++
			}
		}
		res.Status, res.Undecided = check.Skip, true
		res.Message = fmt.Sprintf("%s answered 503 beside the limiter's 429s, all while it limited, too few to tell whether the limiter answered them (limited requests must get 429) or a server behind it failed; %s",
			check.Plural(n, "request was", "requests were"), res.Message)
		return res
	}
	res.Message += fmt.Sprintf("; %s answered %s: server errors beside the limiter's 429s, not rate-limit decisions (not judged)",
		check.Plural(len(errs), "other request was", "other requests were"), statusList(errs))
	return res
}

// statusOfLimited judges the status of the rejections the models judged.
func statusOfLimited(a *analysis) check.Result {
	res := check.Result{ID: check.LimitStatus, Limit: a.limitName()}
	limited := a.withOutcome(series.RejectOK)
	if len(limited) == 0 {
		return a.statusWithoutLimited(res)
	}
	var wrong []model.Ref
	for _, r := range limited {
		if r.Rec().Status != 429 {
			wrong = append(wrong, r)
		}
	}
	if len(wrong) == 0 {
		res.Status = check.Pass
		res.Message = fmt.Sprintf("all %d limited requests got 429", len(limited))
		if rejected := a.where(func(r model.Ref) bool { return r.S.Rej[r.I] }); len(rejected) > len(limited) {
			res.Message += fmt.Sprintf(" (of %d rejections; the other %d the model did not expect are judged by limit.no-early-reject and recovery.after-window)",
				len(rejected), len(rejected)-len(limited))
		}
		return res
	}
	res.Status = check.Fail
	res.Message = fmt.Sprintf("%d of %d limited requests got %s, not 429",
		len(wrong), len(limited), statusList(wrong))
	listed, omitted := a.list(wrong, check.MaxEvidence, func(r model.Ref) string {
		return fmt.Sprintf("over the limit, answered %d", r.Rec().Status)
	})
	res.Evidence = &check.Evidence{Expected: "429 Too Many Requests for requests over the limit", Requests: listed, Omitted: omitted}
	return res
}

// serverErrors are the answers of 500 and up that the models left unknown
// (records.Answers).
func (a *analysis) serverErrors() []model.Ref {
	var out []model.Ref
	for x, s := range a.series {
		for i := range s.Reqs {
			if !s.Known[i] && s.Answers.ServerError(s.Reqs[i].Status) {
				out = append(out, model.Ref{S: s, Ev: &a.eval.States[x], I: i})
			}
		}
	}
	return out
}

// statusWithoutLimited judges limit.status when the model puts no rejection
// over the limit.
func (a *analysis) statusWithoutLimited(res check.Result) check.Result {
	rejected := a.where(func(r model.Ref) bool { return r.S.Rej[r.I] })
	var other []model.Ref
	for _, r := range rejected {
		if r.Rec().Status != 429 {
			other = append(other, r)
		}
	}
	res.Status = check.Skip
	switch {
	case len(rejected) > 0 && len(other) == 0:
		res.Status = check.Pass
		res.Message = fmt.Sprintf("all %d rejections got 429, though the model puts none over the limit (see limit.no-early-reject)", len(rejected))
	case len(rejected) > 0:
		res.Message = fmt.Sprintf("no rejection was over the limit by the model; the %d answered %s are judged by limit.no-early-reject",
			len(other), statusList(other))
	case len(a.withOutcome(series.AdmitOver)) > 0:
		res.Message = "the server never rejected a request over the limit, so the status of limited requests is unknown (see limit.enforced)"
	default:
		res.Message = "the run never exceeded the limit, so no request was limited"
	}
	return res
}

// statusList names the statuses seen, most frequent first: "503" or "503 and 500".
func statusList(refs []model.Ref) string {
	count := map[int32]int{}
	for _, r := range refs {
		count[r.Rec().Status]++
	}
	codes := make([]int32, 0, len(count))
	for c := range count {
		codes = append(codes, c)
	}
	slices.SortFunc(codes, func(x, y int32) int {
		if count[x] != count[y] {
			return count[y] - count[x]
		}
		return int(x - y)
	})
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = strconv.Itoa(int(c))
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
