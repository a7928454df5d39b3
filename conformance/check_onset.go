package conformance

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/model"
	"github.com/ratecheck/ratecheck/conformance/series"
)

// onsetResult judges timing.onset: the first rejection of each episode that
// reached the limit comes exactly when the model's limit is reached. For fixed
// windows that is request N+1 of the window; for buckets, once the burst is
// spent (no token left); for the sliding log and counter, once N are counted.
//
// An episode is a streak of rejections (see streaks) with the admissions before
// it (for windows, those of the same window). Its onset is early when the
// first rejection is a wrongful one the model is sure of, and late when the
// episode holds over-admissions; rejections the model only blames within the
// timing tolerance are never failed. A streak that begins with a late recovery
// is recovery.after-window's finding and is not judged here.
//
// One defect fails one check (DESIGN.md), and timing.onset has no defect of
// its own: a late onset is an over-admission, which limit.enforced fails, and
// an early onset is a rejection under the limit, which limit.no-early-reject
// fails (the classification leaves no wrongful rejection to neither). So the
// check is folded into those two: it measures the onsets for the reader and
// passes when every one came when the model says; when some did not, it skips,
// pointing (check.Result.See) at the check that fails the defect. It needs one
// episode that reached the limit; without one it skips.
func onsetResult(a *analysis) check.Result {
	res := check.Result{ID: check.TimingOnset, Limit: a.limitName()}
	eps := a.onsets()
	if len(eps) == 0 {
		res.Status = check.Skip
		res.Message = fmt.Sprintf("no %s reached the limit (the server never began rejecting there), so the onset of limiting was not exercised", a.episodeWord(1))
		return res
	}
	var off []onset
	fuzzy := 0
	for _, e := range eps {
		switch {
		case e.early > 0 || e.late > 0:
			off = append(off, e)
		case e.fuzzy:
			fuzzy++
		}
	}
	if len(off) == 0 {
		res.Status = check.Pass
		res.Message = fmt.Sprintf("in all %s that reached the limit, %s (judged as %s%s)",
			check.Plural(len(eps), a.episodeWord(1), a.episodeWord(2)), a.onsetPromise(), a.eval.Desc, fuzzyText(fuzzy))
		return res
	}
	res.Status, res.See = check.Skip, off[0].blamed
	res.Message = fmt.Sprintf("the first rejection came at the wrong time in %d of %s that reached the limit (%s; first at %s: %s; judged as %s%s): the defect %s, not failed again here",
		len(off), check.Plural(len(eps), a.episodeWord(1), a.episodeWord(2)), onsetCounts(off),
		check.FormatOffset(off[0].first.Rec().Sent-a.Origin), off[0].note, a.eval.Desc, fuzzyText(fuzzy), blamedText(off))
	return res
}

// blamedText names the checks that fail the defects of the onsets off:
// "limit.enforced fails" or "limit.enforced and limit.no-early-reject fail".
func blamedText(off []onset) string {
	var ids []string
	for _, o := range off {
		if !slices.Contains(ids, string(o.blamed)) {
			ids = append(ids, string(o.blamed))
		}
	}
	slices.Sort(ids)
	if len(ids) == 1 {
		return ids[0] + " fails"
	}
	return strings.Join(ids, " and ") + " fail"
}

// onset is the judgement of one episode's first rejection.
type onset struct {
	first       model.Ref
	early, late int    // requests too early or too late; at most one is set
	fuzzy       bool   // off from the model only within the timing tolerance
	note        string // e.g. "first 429 came at request 19 of the window (2 early, 50 ms)"
	// blamed is the check that fails the defect behind an onset off (see
	// onsetResult).
	blamed check.ID
}

// onsets judges the first rejection of every episode, in send order.
func (a *analysis) onsets() []onset {
	var out []onset
	for x, s := range a.series {
		ev := &a.eval.States[x]
		prev := -1 // last rejection of the previous streak
		limiting := func(i int) bool { return ev.Out[i] == series.RejectOK }
		for _, streak := range model.Streaks(s, limiting) {
			if ev.Out[streak[0]] != series.RejectRecovery {
				out = append(out, a.judgeOnset(model.Ref{S: s, Ev: ev, I: streak[0]}, prev, streak))
			}
			prev = streak[len(streak)-1]
		}
	}
	slices.SortStableFunc(out, func(x, y onset) int {
		p, q := x.first.Rec(), y.first.Rec()
		return cmp.Or(cmp.Compare(p.Sent, q.Sent), cmp.Compare(p.Seq, q.Seq))
	})
	return out
}

// judgeOnset judges the streak whose first rejection is r; the admissions of
// its episode are those after request prev (and, for windows, in r's window).
// For windows every over-admission of r's window counts, even one after the
// streak: a window that admitted more than N began rejecting late, whichever
// of its requests the model names as the extra one. Without windows only
// the requests between prev and r are looked at.
func (a *analysis) judgeOnset(r model.Ref, prev int, streak []int) onset {
	s, ev := r.S, r.Ev
	win := a.eval.Family.Windowed()
	var adm []int
	over, total := 0, 0
	from, to := 0, len(s.Reqs)
	if !win {
		from, to = max(prev+1, 0), r.I // the admissions before the streak are all that count
	}
	for i := from; i < to; i++ {
		if !s.Adm[i] {
			continue
		}
		before := i > prev && i < r.I
		if win && !sameWindow(ev, i, r.I) || !win && !before {
			continue
		}
		total++
		if before {
			adm = append(adm, i)
		}
		if ev.Out[i] == series.AdmitOver {
			over++
		}
	}
	o := onset{first: r}
	wrong := ev.Out[r.I] == series.RejectEarly || ev.Out[r.I] == series.RejectWrong
	switch {
	case wrong:
		o.early, o.blamed = a.eval.Family.EarlyBy(a.Limit.Requests, len(adm), r.Ev.DetOf(r.I)), check.LimitNoEarlyReject
	case over > 0:
		o.late, o.blamed = over, check.LimitEnforced
	case win:
		o.fuzzy = int64(len(adm)) != a.Limit.Requests
	}
	o.note = a.onsetNote(r, adm, streak, total, o)
	return o
}

// sameWindow reports whether admitted request i was placed in the window that
// rejected request r was judged in.
func sameWindow(ev *series.StateEval, i, r int) bool {
	return ev.DetOf(i).Ref >= 0 && ev.DetOf(i).Start == ev.DetOf(r).Start
}

// onsetNote explains one onset: "first 429 came at request 19 of the window
// (2 early, 50 ms)".
func (a *analysis) onsetNote(r model.Ref, adm, streak []int, total int, o onset) string {
	off := ""
	switch {
	case o.early > 0:
		off = fmt.Sprintf("%d early", o.early)
	case o.late > 0:
		off = fmt.Sprintf("%d late", o.late)
	}
	return a.eval.Family.OnsetNote(&a.Rules, model.OnsetCtx{R: r, Adm: adm, Streak: streak, Total: total, Early: o.early, Late: o.late, Off: off})
}

// episodeWord names an episode: "window" or "rejection streak" (many when n > 1).
func (a *analysis) episodeWord(n int) string {
	word := "rejection streak"
	if a.eval != nil && a.eval.Family.Windowed() {
		word = "window"
	}
	if n > 1 {
		word += "s"
	}
	return word
}

// onsetPromise says when the first rejection of an episode must come.
func (a *analysis) onsetPromise() string { return a.eval.Family.OnsetPromise(a.Limit) }

// onsetCounts sums the episodes off: "2 early, 1 late".
func onsetCounts(off []onset) string {
	early, late := 0, 0
	for _, o := range off {
		if o.early > 0 {
			early++
		} else {
			late++
		}
	}
	var parts []string
	if early > 0 {
		parts = append(parts, fmt.Sprintf("%d early", early))
	}
	if late > 0 {
		parts = append(parts, fmt.Sprintf("%d late", late))
	}
	return strings.Join(parts, ", ")
}

// fuzzyText tells how many onsets were off only within the timing tolerance.
func fuzzyText(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("; %s off by requests within the timing tolerance not counted", check.Plural(n, "onset", "onsets"))
}
