package conformance

import (
	"iter"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// A Judge judges one run: it takes the run's observations and gives the
// verdict, with the fingerprint of the limiter and its measured recovery. The
// live run and `ratecheck report` both judge through one, so they agree.
//
// A long run is judged in stretches (stretch.go): once a stretch has taken
// StretchSize observations over 16 windows of the tested limit, it ends
// where the limit's state is best known (a window's reset), is judged, and
// only its results are kept; the next one takes the last two windows before
// it as context. What judging holds stays bounded however long the run.
type Judge struct {
	plan *plan.Plan
	opts Options
	cur  *stretch // the stretch being judged
	// wide are the checkers of the whole run (newRunCheckers).
	wide []routed
	// leaveOut picks the 429s another limit caused (attribution), for
	// every stretch.
	leaveOut func(results.Observation) bool
	seen     int   // observations of the run
	first    int64 // the earliest Sent of the run, Unix nanoseconds

	// What stretching needs (stretch.go); size is 0 when the run stays one
	// stretch (no limit with a window is tested).
	size    int
	limit   *scenarios.Limit // the tested limit
	window  int64            // its window, ns
	done    stretchTally     // the stretches judged
	closing *closing         // the stretch before cur, taking context
	folding *folding         // the stretch before that, being judged
	past    check.BlameSummary
	lead    leadIn
	// watching is set over a stretch's last StretchLead observations before
	// it may end: only then are streaks and lead kept (see watch).
	watching bool
	streaks  map[string]streak // per client of the tested limit
	// rejectedAt is the latest Sent of a rejection of the tested limit,
	// Unix ns; 0 when none was.
	rejectedAt int64
	// admittedAt is the latest Sent of an admission of the tested limit,
	// Unix ns; 0 when none was.
	admittedAt int64
	fed        int    // observations given to cur
	from       uint64 // Seq of cur's first observation
	fromSent   int64  // Sent of cur's first observation, Unix ns
}

// Options configure a Judge.
type Options struct {
	// Spill, when set, makes the storage the records of a run go to once
	// they outgrow memory (past 65,536 requests; see records.SpillAfter). When it is
	// nil, or fails, the records stay in memory.
	Spill func() (records.Spill, error)
	// Live says the run is being sent while it is judged: the stretches of
	// a long run judged as it goes use one core, leaving the others to the
	// attack. A run read back is judged on every core.
	Live bool
}

// New returns a Judge of the runs of plan p (nil judges nothing: every check
// skips, saying why).
func New(p *plan.Plan, o Options) *Judge {
	j := &Judge{plan: p, opts: o, leaveOut: attribution(p)}
	j.cur = newStretch(p, o.Spill, j.leaveOut)
	j.wide = newRunCheckers(p, j.blamed)
	if l := testedLimitOf(p); l != nil && l.Window > 0 {
		j.size, j.limit, j.window = StretchSize, l, int64(l.Window)
		j.lead = leadIn{span: leadWindows * j.window, limit: StretchLead}
		j.streaks = map[string]streak{}
	}
	return j
}

// Observe takes the next observation of the run, in seq order. A run of
// fewer than StretchSize observations may come in any order (the verdict is
// the same); a longer one is judged in stretches as it comes, so it must
// come in seq order (a live run, a run directory read back). It is not safe
// for concurrent use.
func (j *Judge) Observe(o results.Observation) {
	sent := o.Sent.UnixNano()
	if j.seen == 0 || sent < j.first {
		j.first = sent
	}
	j.seen++
	if j.ends(o) {
		j.next(sent)
	}
	j.after(o, sent)
	j.collect(false)
	if j.fed == 0 {
		j.from, j.fromSent = o.Seq, sent
	}
	j.fed++
	kind := j.phaseKind(o.Phase)
	j.cur.observe(o, kind)
	for _, c := range j.wide {
		c.Observe(o)
	}
	if j.size > 0 && !kind.Contract() { // the model checks never see a contract phase
		j.watch(o, sent)
	}
}

// phaseKind is the kind of plan phase i, or "" when there is none. The
// requests of a contract phase only the checks of its promise judge
// (PhaseKind.Contract).
func (j *Judge) phaseKind(i int) scenarios.PhaseKind {
	p := j.plan
	if p == nil || i < 0 || i >= len(p.Phases) {
		return ""
	}
	return p.Phases[i].Kind
}

// Verdict judges the observations taken so far: every check's result in the
// order of the checks table (checks.go), the overall status, the fingerprint and the
// measured recovery. It may be asked again after more observations.
func (j *Judge) Verdict() Verdict {
	closing := j.judgeClosing()
	j.collect(true)
	v, engaged := j.cur.verdict()
	if j.done.n > 0 || j.closing != nil {
		var last []judged
		if c := j.closing; c != nil {
			cv, ce := closing()
			last = append(last, judged{cv, ce, c.part})
		}
		v = j.done.verdict(append(last, judged{v, engaged, part{j.from, j.fed}}), j.first)
	}
	v.Checks = j.withWide(v.Checks)
	v.Status = check.Pass
	if v.Failed() {
		v.Status = check.Fail
	}
	return v
}

// judgeClosing starts judging the closing stretch, if any, for Verdict,
// and returns the call that gives its verdict. A run read back (not
// Options.Live) judges it on a goroutine of its own, beside the stretch
// fold may still be judging and the current one, as fold judges a stretch
// beside the one taking observations; a live run judges it in that call,
// after the others, so as to hold no more stretches at once than it does
// while it runs.
func (j *Judge) judgeClosing() func() (Verdict, bool) {
	c := j.closing
	if c == nil || j.opts.Live {
		return func() (Verdict, bool) { return c.verdict() }
	}
	var v Verdict
	var engaged bool
	done := make(chan struct{})
	go func() { // ends when the stretch is judged
		defer close(done)
		v, engaged = c.verdict()
	}()
	return func() (Verdict, bool) {
		<-done
		return v, engaged
	}
}

// withWide puts the results of the whole run's checkers among those of the
// stretches', in the order of the checks table.
func (j *Judge) withWide(stretched []check.Result) []check.Result {
	out := make([]check.Result, 0, len(stretched)+len(j.wide))
	w := 0
	for _, c := range checks {
		if c.all {
			out = append(out, j.wide[w].Result())
			w++
			continue
		}
		out = append(out, stretched[0])
		stretched = stretched[1:]
	}
	return out
}

// Check judges a whole run held in memory: New, every observation of obs,
// then Verdict. obs may be replayed from disk or be the live stream; the
// verdict is the same for the same observations.
func Check(p *plan.Plan, obs iter.Seq[results.Observation]) Verdict {
	j := New(p, Options{})
	if obs != nil {
		for o := range obs {
			j.Observe(o)
		}
	}
	return j.Verdict()
}
