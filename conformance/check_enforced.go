package conformance

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/model"
	"github.com/ratecheck/ratecheck/conformance/series"
	"github.com/ratecheck/ratecheck/scenarios"
)

// negligibleExcess is the share of a limit's capacity that limit.enforced may
// leave unresolved and still pass, saying so: at thousands of requests a
// second, one request's worth of refill is shorter than any arrival time is
// known.
const negligibleExcess = 0.01

// enforcedResult judges limit.enforced: no request admitted beyond the limit.
// A run whose over phase was never limited fails here too: every admission the
// model would have refused is an over-admission.
//
// It passes only on evidence: at least one episode (window, or streak with
// the admissions before it) driven past the limit and judged cleanly, with
// no admission in it that the timing tolerance alone keeps from being an
// over-admission. Otherwise it skips with the reason: a limiter that admits
// one too many in every window could hide in such a run.
func enforcedResult(a *analysis) check.Result {
	res := check.Result{ID: check.LimitEnforced, Limit: a.limitName()}
	over := a.withOutcome(series.AdmitOver)
	amb := a.ambiguityText(a.ambiguous(true))
	if len(over) == 0 {
		eps := a.onsets()
		clean, blur := a.cleanEpisodes(eps, true)
		res.Status = check.Pass
		switch {
		case len(eps) == 0:
			res.Status, res.Undecided = check.Skip, a.PlannedPastLimit()
			res.Message = fmt.Sprintf("no %s was driven past the limit of %s (the server never began rejecting there), so enforcement was not exercised (judged as %s%s)%s",
				a.episodeWord(1), a.limitText(), a.eval.Desc, amb, a.queueingHint())
		case clean == 0 && blur > 0:
			// Arrival times too uncertain to see one request too many: a
			// pass only where a few requests are a negligible share of the
			// limit (a high rate), stating the resolution; else undecided.
			why, within, negligible := a.arrivalBlur(blur)
			msg := fmt.Sprintf("of the %s driven past the limit of %s, none could show one request too many: %s (judged as %s%s)",
				check.Plural(len(eps), a.episodeWord(1), a.episodeWord(2)), a.limitText(), why, a.eval.Desc, amb)
			if !negligible {
				res.Status, res.Undecided = check.Skip, true
				res.Message = msg
				break
			}
			res.Message = fmt.Sprintf("no request was admitted beyond the limit of %s, %s; %s", a.limitText(), within, msg)
		case clean == 0:
			res.Status, res.Undecided = check.Skip, true
			res.Message = fmt.Sprintf("none of the %s driven past the limit of %s could be judged: each held an admission the timing tolerance keeps from being called an over-admission (judged as %s%s)",
				check.Plural(len(eps), a.episodeWord(1), a.episodeWord(2)), a.limitText(), a.eval.Desc, amb)
		default:
			res.Message = fmt.Sprintf("no request was admitted beyond the limit of %s (%d of %s driven past it judged cleanly; judged as %s%s)",
				a.limitText(), clean, check.Plural(len(eps), a.episodeWord(1), a.episodeWord(2)), a.eval.Desc, amb)
		}
		if rival := a.eval.Rival; rival != nil && res.Status == check.Pass && rival.OverAdmissions() > 0 {
			res.Status, res.Undecided = check.Skip, true
			res.Message = fmt.Sprintf("judged as %s: %s beyond the limit; judged as %s: none, but only with a window turning inside the run where nothing the server sent puts one. A run shorter than two windows of %s cannot tell the two apart: declare the limit's algorithm in the scenario to judge it as one",
				rival.Desc, check.Plural(rival.OverAdmissions(), "admission", "admissions"), a.eval.Desc, check.FormatWindow(a.Limit.Window))
		}
		if b, ok := a.eval.Family.(model.BlindSpotter); ok && res.Status == check.Pass {
			res.Message += "; not detectable: " + b.BlindSpot(a.P)
		}
		return res
	}
	res.Status = check.Fail
	res.Message = fmt.Sprintf("%s admitted beyond the limit of %s (%s; judged as %s%s)%s",
		check.Plural(len(over), "request", "requests"), a.limitText(), a.worstText(over), a.eval.Desc, amb, a.perEndpointHint(over))
	res.Evidence = a.overEvidence(over)
	return res
}

// queueingHint says, when the server rejected nothing and its answers in
// the over phases took at least ten times as long as under the limit (and
// at least a tenth of the window), that it may queue the requests beyond
// its limit instead of answering 429; "" otherwise. Such a server answers
// at its limit's rate, holds every connection the run has, and so keeps the
// run from sending past its limit.
func (a *analysis) queueingHint() string {
	if a.Plan == nil || a.Limit == nil {
		return ""
	}
	var under, over []int64
	for _, s := range a.series {
		for i, r := range s.Reqs {
			if s.Rej[i] {
				return ""
			}
			if !s.Adm[i] || int(r.Phase) >= len(a.Plan.Phases) {
				continue
			}
			switch a.Plan.Phases[r.Phase].Kind {
			case scenarios.PhaseUnder:
				under = append(under, r.Lat())
			case scenarios.PhaseOver, scenarios.PhaseProbe:
				over = append(over, r.Lat())
			}
		}
	}
	if len(under) == 0 || len(over) == 0 {
		return ""
	}
	slices.Sort(under)
	slices.Sort(over)
	u, o := under[len(under)/2], over[len(over)*9/10]
	if o < 10*u || o < int64(a.Limit.Window)/10 {
		return ""
	}
	return fmt.Sprintf("; the server answered every request, but slower as the run sent faster (latency %s under the limit, %s at the 90th percentile of the over phases): it may queue requests beyond its limit instead of answering 429, holding the run's connections so that it could not send past the limit",
		check.FormatInterval(float64(u)), check.FormatInterval(float64(o)))
}

// perEndpointHint says, when at least half of the over-admissions went to
// an endpoint other than the one the plan drives first (the second endpoint
// of the paced over phase, see plan's overBothEndpoints), that the limiter
// may keep a budget per endpoint; "" otherwise.
func (a *analysis) perEndpointHint(over []model.Ref) string {
	if a.Plan == nil || len(a.Plan.Phases) == 0 {
		return ""
	}
	driven := a.Plan.Phases[0].Endpoint
	count := map[string]int{}
	for _, r := range over {
		if ph := int(r.Rec().Phase); ph >= 0 && ph < len(a.Plan.Phases) {
			count[a.Plan.Phases[ph].Endpoint]++
		}
	}
	for _, ph := range a.Plan.Phases { // in plan order, for one answer
		if ep := ph.Endpoint; ep != driven && ep != "" && 2*count[ep] >= len(over) {
			return fmt.Sprintf("; %d of them went to %s right after %s had reached the limit: the limiter may count each endpoint apart, where the scenario says limit %q counts both",
				count[ph.Endpoint], ph.Endpoint, driven, a.limitName())
		}
	}
	return ""
}

// admittedBetween reports whether an admission of s surely arrived after
// rejection prev and before rejection i. Without one, the streaks may be one:
// the admissions that split them only may have arrived in between.
func admittedBetween(s *series.Series, prev, i int) bool {
	for k := prev + 1; k < i; k++ {
		if s.Adm[k] && s.Lo(k) >= s.Hi(prev) && s.Hi(k) <= s.Lo(i) {
			return true
		}
	}
	return false
}

// mayHaveOpened reports whether, in a chain of first-request-aligned
// windows, an admission of the episode of s from request from to rejection
// i was sent before the opener of i's window and may have arrived after it:
// it may have opened that window itself, whose admissions then number one
// more than the chain counts. The chain, chosen to blame the server least,
// puts it in the window before, which had room (no rejection in the episode
// before i); a window admitting one too many looks the same.
func (a *analysis) mayHaveOpened(s *series.Series, from, i int) bool {
	x := slices.Index(a.series, s)
	o, ok := a.eval.Opener(x, i)
	if !ok {
		return false
	}
	for k := max(from, 0); k < o; k++ {
		if s.Adm[k] && s.Hi(k) > s.Lo(o) {
			return true
		}
	}
	return false
}

// arrivalBlur words blur, the requests the arrival times' uncertainty frees
// (see cleanEpisodes): "arrival times were uncertain by 106.69 ms or more,
// in which the limit frees 2.13 requests", and "to within 3 requests";
// negligible reports whether that many are a negligible share of the
// capacity, within which a check passes, saying so.
func (a *analysis) arrivalBlur(blur float64) (why, within string, negligible bool) {
	n := math.Ceil(blur)
	why = fmt.Sprintf("arrival times were uncertain by %s or more, in which the limit frees %s requests",
		check.FormatInterval(blur/a.eval.Family.Frees(a.P)), check.FormatNum(blur))
	within = fmt.Sprintf("to within %s %s", check.FormatNum(n), check.Plural(int(n), "request", "requests"))
	return why, within, n <= a.eval.Family.Capacity(a.P, a.Limit)*negligibleExcess
}

// mayHideOneMore reports whether the episode of first (its first
// rejection), starting at request from after rejection prev (fresh when
// from > prev+1), may hold one admission more than the model counts in it:
// an admission the point model blames and the tolerant one explains
// (stateEval.ambAdm) lies in it. Where the model frees quota as time
// passes, send order places it; the arrival times' uncertainty is bounded
// apart (blur). Where it frees quota at once (a window), arrival does
// (ambiguousWithin): far away, the request too many of a window is often
// sent just before the previous streak's last rejection or just after the
// episode's first, and reaches the server in between. And two more doubts
// keep a window from showing one request too many:
//   - without an admission that surely arrived between its rejections, the
//     episode may be the previous streak's tail, split off only because
//     reordered arrivals let an admission fall between, and it filled no
//     window (admittedBetween);
//   - an admission sent before its window's opener may have opened the
//     window itself (mayHaveOpened);
//   - on the clock, an admission whose arrival may fall on either side of
//     its window's start may belong to the window the model put after it
//     (mayStraddle).
func (a *analysis) mayHideOneMore(first model.Ref, from, prev int) bool {
	s, i, amb := first.S, first.I, first.Ev.AmbAdm
	if a.eval.Family.Frees(a.P) > 0 {
		return !a.eval.Family.RescuesOnly() && ambiguousBetween(amb, from, i)
	}
	after := s.Lo(from) - 1
	if from == prev+1 && prev >= 0 {
		after = s.Lo(prev)
	}
	return ambiguousWithin(s, amb, after, s.Hi(i)) ||
		from == prev+1 && prev >= 0 && !admittedBetween(s, prev, i) ||
		a.mayHaveOpened(s, from, i) || a.mayStraddle(s, from, i)
}

// mayStraddle reports whether, on clock-aligned windows whose boundary the
// model put at the run's first request (model.Alignment.Assumed), an
// admission of the episode of s from request from to rejection i may have
// arrived on either side of the start of i's window. The model, blaming
// the server least, counts it in the window before; a window admitting one
// too many looks the same. A run whose one window driven past the limit
// begins with its first request cannot tell a window on the clock that
// starts just after that request (1, then the limit) from one opened by it
// that admits one request more. Boundaries found in the server's resets
// are its own evidence, and the point model's ambiguous admissions
// (mayHideOneMore) cover them.
func (a *analysis) mayStraddle(s *series.Series, from, i int) bool {
	if a.eval.Align == nil || !a.eval.Align.Assumed {
		return false
	}
	lo, hi, ok := a.eval.ClockStart(slices.Index(a.series, s), s.Hi(i))
	if !ok {
		return false
	}
	for k := max(from, 0); k < i; k++ {
		if s.Adm[k] && s.Lo(k) < hi && s.Hi(k) > lo {
			return true
		}
	}
	return false
}

// ambiguousBetween reports whether an ambiguous admission lies in requests
// from..i-1 of its series.
func ambiguousBetween(amb []int32, from, i int) bool {
	for _, k := range amb {
		if int(k) >= from && int(k) < i {
			return true
		}
	}
	return false
}

// ambiguousWithin reports whether one of the ambiguous admissions amb of s
// may have arrived after `after` and before `before`: whatever its place in
// send order, it may then be the request too many of an episode that spans
// them. amb is ascending, and so are the earliest arrivals of s by index.
func ambiguousWithin(s *series.Series, amb []int32, after, before int64) bool {
	from := after - s.MaxWidth() // no request arriving earliest before this arrives after `after`
	x := sort.Search(len(amb), func(x int) bool { return s.Lo(int(amb[x])) > from })
	for ; x < len(amb) && s.Lo(int(amb[x])) < before; x++ {
		if s.Hi(int(amb[x])) > after {
			return true
		}
	}
	return false
}

// worstText describes the most crowded window or set.
func (a *analysis) worstText(over []model.Ref) string { return a.eval.Family.WorstText(a.eval, over) }

// overEvidence lists the first over-admission with the requests that frame it:
// for windows the first and the last admitted request that fit in its window,
// for the log and bucket the first request of the crowded set; then further
// over-admissions.
func (a *analysis) overEvidence(over []model.Ref) *check.Evidence {
	first := over[0]
	ev := &check.Evidence{Expected: a.expectedAdmissions()}
	var frame []model.Ref
	d := first.Ev.DetOf(first.I)
	if d.Ref >= 0 {
		frame = append(frame, model.Ref{S: first.S, Ev: first.Ev, I: int(d.Ref)})
		frame = append(frame, a.eval.Family.Frame(&a.Rules, first)...)
	}
	for _, r := range frame {
		q := a.request(r, a.frameNote(r))
		q.Context = true
		ev.Requests = append(ev.Requests, q)
	}
	listed, omitted := a.list(over, check.MaxEvidence-len(frame), a.overNote)
	ev.Requests = append(ev.Requests, listed...)
	ev.Omitted = omitted
	return ev
}

// frameNote describes a request that frames an over-admission.
func (a *analysis) frameNote(r model.Ref) string { return a.eval.Family.FrameNote(r.Ev.DetOf(r.I)) }

// expectedAdmissions says in words what the model allows.
func (a *analysis) expectedAdmissions() string { return a.eval.Family.ExpectedAdmissions(a.Limit) }

// cleanEpisodes counts the episodes that hold no admission the model may
// have missed (mayHideOneMore) and that could have shown one request too
// many.
// An episode starts after the previous rejection of its series, or after the last
// stretch in which no request can have arrived for as long as the model
// counts an admission (Family.Holds), whichever is later: nothing admitted
// before it can be what held the limit full, so an admission there that
// the timing tolerance leaves ambiguous (one of another window, two over
// phases of a lean plan apart) says nothing of this episode. Where the
// model frees quota as time passes (a bucket, a log), the arrival times of
// the episode's first rejection and of the rejection before it (each) are
// uncertain by less than it takes to free one request. (Their sum bounds
// what the model can miss; the simulated limiters show one extra request
// caught while each alone stays under one.) blur is the fewest requests
// that uncertainty freed in an episode it alone kept from being clean (0
// when none).
//
// Where one admission too many shows only from a fresh limit (a bucket, see
// Family.ExcessNeedsFresh), only the episodes that began on one count: the
// series' first, and those after a stretch long enough to refill it.
//
// A family that only rescues (the sliding-window counter) has no ambiguous
// admissions, for the reason limitingRejections gives, but its estimate falls
// as time passes like a log's: far away, where arrival times are uncertain by
// a twentieth of a window, a limiter admitting one too many in every rolling
// window fits a counter as well as a correct one.
//
// byAdmissions says whether an ambiguous admission before an episode's
// first rejection keeps it from being clean: it does for one request too
// many, which that admission may be; not for one too early, which it is
// not (limit.no-early-reject).
func (a *analysis) cleanEpisodes(eps []onset, byAdmissions bool) (n int, blur float64) {
	frees := a.eval.Family.Frees(a.P)
	_, _, gone := a.eval.Family.Holds(a.Limit)
	starts := map[*series.Series][]int{}
	for _, e := range eps {
		s, i := e.first.S, e.first.I
		prev := i - 1
		for prev >= 0 && !s.Rej[prev] {
			prev--
		}
		from := prev + 1
		fs, ok := starts[s]
		if !ok {
			fs = forgotten(s, int64(gone))
			starts[s] = fs
		}
		fresh := prev < 0
		if x := sort.SearchInts(fs, i+1) - 1; x >= 0 && fs[x] > prev {
			from, fresh = fs[x], true
		}
		if a.eval.Family.ExcessNeedsFresh() && !fresh {
			continue
		}
		if byAdmissions && a.mayHideOneMore(e.first, from, prev) {
			continue
		}
		width := s.Hi(i) - s.Lo(i)
		if prev >= 0 {
			width = max(width, s.Hi(prev)-s.Lo(prev))
		}
		if b := frees * float64(width); b >= 1 {
			if blur == 0 || b < blur {
				blur = b
			}
			continue
		}
		n++
	}
	return n, blur
}

// forgotten lists, ascending, the requests of s before which no request of s
// can have arrived for at least gone: a limit that counts an admission for
// at most gone holds nothing from before them.
func forgotten(s *series.Series, gone int64) []int {
	var out []int
	var last int64 // the latest arrival of the requests before k
	for k := range s.Reqs {
		if k > 0 && s.Lo(k)-last >= gone {
			out = append(out, k)
		}
		if k == 0 || s.Hi(k) > last {
			last = s.Hi(k)
		}
	}
	return out
}
