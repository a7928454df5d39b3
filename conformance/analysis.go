package conformance

import (
	"cmp"
	"fmt"
	"runtime"
	"slices"
	"sort"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/model"
	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/conformance/series"
	"github.com/ratecheck/ratecheck/plan"
)

// analysis is the judgement of the tested limit over a whole run, shared by the
// checks that replay observations through a limiter model.
type analysis struct {
	model.Rules
	skip string // when set, every model check skips with this reason
	// quiet is the number of requests of a quiet run (see quietness), judged
	// without series: all admitted, as the models explain them.
	quiet  int
	series []*series.Series
	eval   *model.Evaluation
	// tried are the other families' evaluations of the declared limit,
	// counted only, until the fingerprint reads them (see fitBest).
	tried []*model.Evaluation
	best  *fit // the fingerprint, once computed
	// judged are the model checks' results and blames the run's blames,
	// once computed: the checks that defer to them ask for them again.
	judged map[check.ID]check.Result
	blames *check.Blames
}

// result is the result judge gives check id on a, computed once.
func (a *analysis) result(id check.ID, judge func(*analysis) check.Result) check.Result {
	if r, ok := a.judged[id]; ok {
		return r
	}
	if a.judged == nil {
		a.judged = map[check.ID]check.Result{}
	}
	r := judge(a)
	a.judged[id] = r
	return r
}

// analyse replays the collected records through the model of the tested
// limit, on every core for a large run unless serial. lockedOut are the
// clients the limit was refusing, far past its promise, when the records
// begin (see lateWhileLockedOut).
func analyse(p *plan.Plan, c *records.Collector, serial bool, lockedOut map[string]bool) *analysis {
	a := &analysis{Rules: model.Rules{Plan: p, Limit: c.Limit, Origin: c.First, Seq0: c.Seq0}}
	if a.skip = skipReason(p, c); a.skip != "" {
		return a
	}
	fams, err := model.FamiliesFor(a.Limit)
	if err != nil {
		a.skip = fmt.Sprintf("limit %q cannot be judged: %v", a.Limit.Name, err)
		return a
	}
	a.Families = fams
	a.P = model.ParamsOf(a.Limit)
	if quietJudging && c.Quiet.Holds(a.P.N) {
		a.quiet, a.eval = c.N, a.QuietEvaluation()
		return a
	}
	if err := c.Load(); err != nil {
		a.skip = fmt.Sprintf("the run's records could not be read back for judging: %v", err)
		return a
	}
	a.series = series.Build(c)
	if len(a.series) == 0 {
		a.skip = fmt.Sprintf("none of the %d requests counted by limit %q got a rate-limit decision (%d failed in transport; 401, 403 and 404 are not limiting)",
			c.N, a.Limit.Name, c.Failed)
		return a
	}
	if c.N >= parallelFrom && !serial {
		a.Workers = runtime.GOMAXPROCS(0)
	}
	a.eval, a.tried = a.Evaluate(a.series)
	a.lateInSlowStreaks()
	a.lateWhileLockedOut(lockedOut)
	return a
}

// lateWhileLockedOut makes the early rejections of each client in
// lockedOut late recoveries, up to its first admission: a stretch of a long
// run that begins while the limit has refused the client for far longer
// than it promised (a lockout) holds the rest of that streak, whose start
// an earlier stretch judged; the model, seeing only a stretch's context
// before it, would call them early.
func (a *analysis) lateWhileLockedOut(lockedOut map[string]bool) {
	for x, s := range a.series {
		if !lockedOut[s.Key()] {
			continue
		}
		ev := &a.eval.States[x]
		for i := 0; i < len(s.Reqs) && !s.Adm[i]; i++ {
			if ev.Out[i] == series.RejectEarly {
				ev.Out[i] = series.RejectRecovery
			}
		}
	}
}

// lateInSlowStreaks makes the early rejections inside a streak that outlasted
// the promised recovery (see refusedTooLong) late recoveries: a limit that stays
// closed too long is one defect, recovery.after-window's, even where requests
// reaching the server out of send order split the model's streaks and leave
// parts of it looking like early rejections. A streak whose first rejection is
// itself early keeps it: that is a defect of its own.
func (a *analysis) lateInSlowStreaks() {
	for x, s := range a.series {
		ev := &a.eval.States[x]
		for _, l := range a.liftsOf(s) {
			if !a.refusedTooLong(l) || ev.Out[l.first] == series.RejectEarly {
				continue
			}
			for k := l.first + 1; k <= l.end; k++ {
				if ev.Out[k] == series.RejectEarly {
					ev.Out[k] = series.RejectRecovery
				}
			}
		}
	}
}

// parallelFrom is the fewest records whose evaluations run side by side
// (model.Rules.Workers): below it, the goroutines cost more than they save,
// and a live run's verdicts so far stay on the loop that asks for them. A
// variable for the tests.
var parallelFrom = 1 << 16

// quietJudging lets quiet runs be judged from their counts; tests turn it off
// to compare with the replay.
var quietJudging = true

// skipReason says why the model checks cannot judge the run, or "".
func skipReason(p *plan.Plan, c *records.Collector) string {
	l := c.Limit
	switch {
	case p == nil:
		return "there is no plan to judge the run against"
	case l == nil:
		return "the plan tests no limit"
	case l.Unlimited:
		return fmt.Sprintf("limit %q is unlimited on this plan", l.Name)
	case l.Requests <= 0 || l.Window <= 0:
		return fmt.Sprintf("limit %q has no positive requests per window", l.Name)
	case c.Seen == 0:
		return "the run has no observations"
	case c.N == 0:
		return fmt.Sprintf("no request of the run was counted by limit %q", l.Name)
	}
	return ""
}

// each calls f for every judged request with its outcome, in series order.
func (a *analysis) each(f func(s *series.Series, ev *series.StateEval, i int)) {
	for x, s := range a.series {
		for i := range s.Reqs {
			if s.Known[i] {
				f(s, &a.eval.States[x], i)
			}
		}
	}
}

// where returns the judged requests keep selects, in send order across series.
func (a *analysis) where(keep func(r model.Ref) bool) []model.Ref {
	n := 0 // counted first: the refs of a loud run are half of it, and growing them cost more than the count
	a.each(func(s *series.Series, ev *series.StateEval, i int) {
		if keep(model.Ref{S: s, Ev: ev, I: i}) {
			n++
		}
	})
	if n == 0 {
		return nil
	}
	out := make([]model.Ref, 0, n)
	a.each(func(s *series.Series, ev *series.StateEval, i int) {
		if r := (model.Ref{S: s, Ev: ev, I: i}); keep(r) {
			out = append(out, r)
		}
	})
	sortRefs(out)
	return out
}

func (a *analysis) withOutcome(o series.Outcome) []model.Ref {
	return a.where(func(r model.Ref) bool { return r.Ev.Out[r.I] == o })
}

// ambiguous counts the decisions the point model blames beyond those the
// tolerant model is sure of: admissions, or rejections when admitted is false.
func (a *analysis) ambiguous(admitted bool) int {
	n := 0
	for x := range a.series {
		ev := &a.eval.States[x]
		point, sure := ev.PointWrong, 0
		if admitted {
			point = ev.PointOver
		}
		for _, o := range ev.Out {
			if o.Violation() && (o == series.AdmitOver) == admitted {
				sure++
			}
		}
		n += max(0, point-sure)
	}
	return n
}

// sortRefs orders requests by send time, then sequence number. The refs of
// one series, whose records are in send order, most often come in that
// order already: then they are left as they are, as sorting them would.
func sortRefs(refs []model.Ref) {
	if slices.IsSortedFunc(refs, compareRefs) {
		return
	}
	sort.SliceStable(refs, func(x, y int) bool { return compareRefs(refs[x], refs[y]) < 0 })
}

// compareRefs orders two requests by send time, then sequence number.
func compareRefs(a, b model.Ref) int {
	ra, rb := &a.S.Reqs[a.I], &b.S.Reqs[b.I]
	if ra.Sent != rb.Sent {
		return cmp.Compare(ra.Sent, rb.Sent)
	}
	return cmp.Compare(ra.Seq, rb.Seq)
}
