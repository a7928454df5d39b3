package conformance

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// StretchSize is how many observations a stretch of a long run takes at
// least: a run past it is judged stretch by stretch (see Judge), and what a
// Judge holds stays that of one stretch however long the run. StretchLead
// bounds the context a stretch is given: a run whose last two windows hold
// more observations than that stays one stretch. Variables for the tests.
var (
	StretchSize = 1 << 17
	StretchLead = 1 << 16
)

// leadWindows is how many windows of the tested limit before a stretch's
// first observation it is given as context (records.Collector.ObserveContext):
// what a window, a sliding log or a sliding-window counter holds at that
// moment was decided within the two windows before it. A bucket's level may
// depend on more; the context's unknown answers let it be whatever explains
// the stretch's first decisions best, and its later decisions pin it down.
const leadWindows = 2

// stretchWindows is the fewest windows of the tested limit a stretch spans:
// each stretch finds the model that explains it (the alignment of its
// windows, a chain's phase) on its own, and a few windows leave that freer
// than a whole run does. Measured on 315 simulated 75 s runs of every family
// and fault near and far (stretch_test.go): with stretches of 8 windows one
// run the whole-run judgement got right came out wrong (a penalty box far
// away); with 16 and 32, none. At 16,000 requests a second against a 1 s
// window, 16 windows are 256,000 requests: about 45 MB judged at a time.
const stretchWindows = 16

// A stretch judges one part of a run: the checkers and the state they share,
// as a whole run's Judge had before runs were judged in stretches.
type stretch struct {
	checkers []routed
	run      *run
}

func newStretch(p *plan.Plan, sp func() (records.Spill, error), leaveOut func(results.Observation) bool) *stretch {
	cs, r := newCheckers(p, sp, leaveOut)
	return &stretch{checkers: cs, run: r}
}

// A contextTaker is a checker that reads the observations sent just before
// and after its stretch as context (see Judge.next).
type contextTaker interface {
	ObserveContext(o results.Observation)
}

// observe gives o to the checkers of its phase's kind.
func (s *stretch) observe(o results.Observation, kind scenarios.PhaseKind) {
	contract := kind.Contract()
	for _, c := range s.checkers {
		if c.all || c.contract == contract || c.auth && kind.Auth() {
			c.Observe(o)
		}
	}
}

// verdict judges the stretch's observations: its checkers' results (Status
// is left to the Judge, which adds the whole run's checkers), and whether the
// tested limit rejected any of its requests.
func (s *stretch) verdict() (Verdict, bool) {
	v := Verdict{Checks: make([]check.Result, 0, len(s.checkers))}
	for _, c := range s.checkers {
		v.Checks = append(v.Checks, c.Result())
	}
	a := s.run.analysis()
	v.Fingerprint = a.fingerprintExport()
	v.Recovery = a.recoveryExport()
	return v, a.rejected()
}

// rejected reports whether the tested limit rejected any request judged.
func (a *analysis) rejected() bool {
	for _, s := range a.series {
		if slices.Contains(s.Rej, true) {
			return true
		}
	}
	return false
}

// ends reports whether the current stretch ends before o: it has taken
// StretchSize observations over stretchWindows windows, o is not of a
// contract phase, and o is where the limit's state is best known: an
// admission that ends a rejection streak shorter than a window (the reset
// of a window that filled, or a bucket with about one token; not the end of
// a penalty), or any admission when the limit rejected nothing for the
// last leadWindows windows (whatever it counted then, the context holds).
// Or the limit admitted nothing for as long as closedFor says (a lockout, a
// quota spent, a target that only fails): then anything ends it, or a run
// that never again admits would be one stretch however long it went on.
func (j *Judge) ends(o results.Observation) bool {
	if j.size == 0 || j.fed < j.size {
		return false
	}
	sent, kind := o.Sent.UnixNano(), j.phaseKind(o.Phase)
	if kind.Contract() || kind.Auth() || sent-j.fromSent < stretchWindows*j.window || !j.lead.complete(sent) {
		return false
	}
	if !o.Admitted() {
		return sent-j.admittedAt > j.closedFor()
	}
	if sent-j.rejectedAt > leadWindows*j.window {
		return true
	}
	st, ok := j.streaks[records.CountedAs(j.limit, o)]
	return ok && st.rejected && sent-st.from <= j.window
}

// closedFor is how long, in ns, the tested limit must have admitted nothing
// before a stretch may end at a request it did not admit: twice the longer
// of leadWindows windows and the promised recovery, so that a limit that
// lifts when it promised (or a window later) always shows its lift inside
// one stretch, and only a lockout far past the promise is cut.
func (j *Judge) closedFor() int64 {
	return 2 * max(leadWindows*j.window, int64(j.limit.Recovery))
}

// lockedOut are the clients whose streak of rejections had lasted longer
// than closedFor at at, when a stretch ends: the next stretch begins inside
// their lockout.
func (j *Judge) lockedOut(at int64) map[string]bool {
	var out map[string]bool
	for key, st := range j.streaks {
		if st.rejected && at-st.from > j.closedFor() {
			if out == nil {
				out = map[string]bool{}
			}
			out[key] = true
		}
	}
	return out
}

// watch keeps what ends and next read of o, sent at sent: the context and
// the clients' streaks. It keeps them only over the stretch's last
// StretchLead observations before it may end (the context never holds more),
// so a run that never comes near a stretch's end, and the bulk of one that
// does, copy nothing per observation; starting, it forgets what it kept for
// the stretch before and counts the context complete only once it spans a
// whole leadWindows windows.
func (j *Judge) watch(o results.Observation, sent int64) {
	if !j.watching {
		if j.fed+j.lead.limit < j.size {
			return
		}
		j.watching, j.rejectedAt, j.admittedAt = true, 0, 0
		clear(j.streaks)
		j.lead.start(sent)
	}
	j.track(o)
	j.lead.push(o)
}

// streak is where a client's last answers of the tested limit stand.
type streak struct {
	rejected bool  // the last one was a rejection
	from     int64 // Sent of the first rejection of the streak, Unix ns
}

// track notes o's answer in its client's streak.
func (j *Judge) track(o results.Observation) {
	if !j.limit.Counts(o.Endpoint) || !records.Judged(int32(o.Status)) {
		return
	}
	key := records.CountedAs(j.limit, o)
	st := j.streaks[key]
	switch {
	case o.Admitted():
		st.rejected = false
	case !st.rejected:
		st = streak{rejected: true, from: o.Sent.UnixNano()}
	}
	if o.Admitted() {
		j.admittedAt = max(j.admittedAt, o.Sent.UnixNano())
	} else {
		j.rejectedAt = max(j.rejectedAt, o.Sent.UnixNano())
	}
	j.streaks[key] = st
}

// next ends the current stretch and starts the next one, its times counted
// from the run's first request and the last windows before it given as
// context, as unknown answers: a window the new stretch judges that began
// before it holds, before its first observation, only answers that may or
// may not have been charged, so nothing a correct limiter did there looks
// wrong. The stretch that ended goes on taking the observations sent within
// a window after its end the same way (see closing), since a request sent
// after another may reach the server first; then it is judged.
func (j *Judge) next(at int64) {
	j.fold()
	j.closing = &closing{stretch: j.cur, part: part{from: j.from, n: j.fed}, until: at + j.window}
	j.cur = newStretch(j.plan, j.opts.Spill, j.leaveOut)
	j.cur.run.col.PinFirst(j.first)
	j.cur.run.lockedOut = j.lockedOut(at)
	for _, o := range j.lead.items() {
		j.cur.context(o)
	}
	j.fed, j.watching = 0, false
}

// closing is a stretch that has ended, taking the observations sent within
// a window after its end as context before it is judged.
type closing struct {
	*stretch
	part
	until int64 // Unix ns: it takes the observations sent before
}

// part is which observations of the run a stretch judged.
type part struct {
	from uint64 // Seq of its first observation
	n    int    // observations it judged
}

// after gives o, sent at sent, to the closing stretch as context, or judges
// and folds it once o was sent past its context.
func (j *Judge) after(o results.Observation, sent int64) {
	if j.closing == nil || j.phaseKind(o.Phase).Contract() {
		return
	}
	if sent >= j.closing.until {
		j.fold()
		return
	}
	j.closing.context(o)
}

// fold judges the closing stretch, if any, on a goroutine of its own (on
// one core for a live run): the Judge goes on taking observations (a live
// run's loop must not stall for the seconds a stretch takes, nor its attack
// lose every core to it), and collect folds its results into the run's. At
// most one stretch is judged so at a time: a second waits for the first, so
// that no more than two stretches are held.
func (j *Judge) fold() {
	c := j.closing
	if c == nil {
		return
	}
	j.closing = nil
	j.collect(true)
	f := &folding{done: make(chan struct{}), judged: judged{part: c.part}}
	c.run.serial = j.opts.Live
	go func() { // ends when the stretch is judged
		defer close(f.done)
		f.v, f.engaged = c.verdict()
		f.blames = c.run.blameSummary()
	}()
	j.folding = f
}

// folding is a stretch being judged by fold.
type folding struct {
	done chan struct{} // closed once judged
	judged
	blames check.BlameSummary
}

// collect folds the stretch fold judges into the run's results once it is
// judged; with wait, it waits for it.
func (j *Judge) collect(wait bool) {
	f := j.folding
	if f == nil {
		return
	}
	if !wait {
		select {
		case <-f.done:
		default:
			return
		}
	}
	<-f.done
	j.done.add(f.judged)
	j.past = j.past.Union(f.blames)
	j.folding = nil
}

// context gives o to the stretch as context: to the model collector as an
// unknown answer, and to the checkers that read context.
func (s *stretch) context(o results.Observation) {
	s.run.col.ObserveContext(o)
	for _, c := range s.checkers {
		if t, ok := c.Checker.(contextTaker); ok {
			t.ObserveContext(o)
		}
	}
}

// blamed is the run's blames for the checkers of the whole run: the current
// stretch's requests, and the checks the stretches before it blamed or left
// undecided.
func (j *Judge) blamed() check.Blames { return j.cur.run.blamed().With(j.past) }

// leadIn keeps the observations sent within span of the latest one, without
// headers or body (only the model collector reads them), at most limit.
// It is a queue in a ring: each observation is copied in once (a slice
// whose front is cut and then moved back copied each about twice more).
type leadIn struct {
	span  int64
	limit int
	// buf is the ring, its length 0 or a power of two: the queue is
	// buf[head], buf[head+1], … n of them, wrapping around.
	buf     []results.Observation
	head, n int
	// dropped is the latest Sent of an observation dropped for limit (or
	// before the queue started), Unix nanoseconds; 0 when none was.
	dropped int64
}

// leadInitial is the ring's first length.
const leadInitial = 256

// push adds o and drops those sent more than span before it.
func (l *leadIn) push(o results.Observation) {
	o.Headers, o.Body, o.Error = nil, "", ""
	sent := o.Sent.UnixNano()
	for l.n > 0 && l.buf[l.head].Sent.UnixNano() < sent-l.span {
		l.pop()
	}
	if l.n > 0 && l.n >= l.limit {
		l.dropped = max(l.dropped, l.buf[l.head].Sent.UnixNano())
		l.pop()
	}
	if l.n == len(l.buf) {
		l.grow()
	}
	l.buf[(l.head+l.n)&(len(l.buf)-1)] = o
	l.n++
}

// pop drops the oldest observation.
func (l *leadIn) pop() {
	l.head = (l.head + 1) & (len(l.buf) - 1)
	l.n--
}

// grow doubles the ring, the queue moved to its start.
func (l *leadIn) grow() {
	buf := make([]results.Observation, max(leadInitial, 2*len(l.buf)))
	l.copyTo(buf)
	l.buf, l.head = buf, 0
}

// copyTo copies the queue, oldest first, to the start of dst.
func (l *leadIn) copyTo(dst []results.Observation) {
	k := copy(dst, l.buf[l.head:min(l.head+l.n, len(l.buf))])
	copy(dst[k:], l.buf[:l.n-k])
}

// start empties the queue for observations from at on: none sent before it
// is kept, as if dropped.
func (l *leadIn) start(at int64) {
	clear(l.buf)
	l.head, l.n, l.dropped = 0, 0, at-1
}

// complete reports whether the queue holds every observation sent within
// span before now: none of them was dropped for the limit.
func (l *leadIn) complete(now int64) bool { return l.dropped == 0 || l.dropped < now-l.span }

// items are the observations kept, oldest first. A queue that wraps around
// the ring is first turned to start at its start.
func (l *leadIn) items() []results.Observation {
	if l.head+l.n > len(l.buf) {
		slices.Reverse(l.buf[:l.head])
		slices.Reverse(l.buf[l.head:])
		slices.Reverse(l.buf)
		l.head = 0
	}
	return l.buf[l.head : l.head+l.n]
}

// stretchTally is the verdict of the stretches judged so far, folded as
// they end: each check as the stretch that weighs most for it says (a
// failure, then a deferral to a failing check, a pass, an undecided skip, a
// skip; the earliest such stretch), with how every stretch came out; the
// fingerprint most stretches found, its counts summed over them; the longest
// recovery measured. It keeps no more per stretch than a few counts.
type stretchTally struct {
	n      int // stretches
	checks []checkTally
	prints []printTally
	rec    *Recovery
}

// checkTally is one check's results over the stretches.
type checkTally struct {
	pick             check.Result
	weight           int
	at               int // the stretch of pick, from 0
	part                 // and what it judged
	fail, pass, skip int
	sameSkip         bool // every skip so far gave pick's reason
	warning          string
}

// printTally is one fingerprint and the stretches that found it.
type printTally struct {
	fp Fingerprint
	n  int
}

// add folds the verdict of the next stretch.
func (t *stretchTally) add(s judged) {
	v := s.v
	if t.checks == nil {
		t.checks = make([]checkTally, len(v.Checks))
	}
	for i, r := range v.Checks {
		t.checks[i].add(r, weight(r, s.engaged), t.n, s.part)
	}
	if f := v.Fingerprint; f != nil {
		k := slices.IndexFunc(t.prints, func(p printTally) bool { return p.fp.Family == f.Family && p.fp.Params == f.Params })
		if k < 0 {
			t.prints = append(t.prints, printTally{fp: Fingerprint{Family: f.Family, Params: f.Params}})
			k = len(t.prints) - 1
		}
		p := &t.prints[k]
		p.n++
		p.fp.Explained += f.Explained
		p.fp.Judged += f.Judged
		p.fp.Ambiguous += f.Ambiguous
	}
	if r := v.Recovery; r != nil && (t.rec == nil || r.StillClosed && !t.rec.StillClosed ||
		r.StillClosed == t.rec.StillClosed && r.Wait > t.rec.Wait) {
		t.rec = r
	}
	t.n++
}

// add folds r, of weight w, from stretch at, which judged p.
func (c *checkTally) add(r check.Result, w, at int, p part) {
	switch r.Status {
	case check.Fail:
		c.fail++
	case check.Pass:
		c.pass++
	default:
		c.skip++
	}
	if c.warning == "" {
		c.warning = r.Warning
	}
	if at == 0 {
		c.sameSkip = r.Status == check.Skip
	} else if r.Status == check.Skip {
		c.sameSkip = c.sameSkip && r.Message == c.pick.Message && r.See == c.pick.See
	}
	if at == 0 || w > c.weight {
		c.pick, c.weight, c.at, c.part = r, w, at, p
	}
}

// weight orders a check's results across stretches: the one of highest
// weight speaks for the run. A pass or undecided skip of a stretch that
// never met its limit (not engaged) weighs less than those of stretches
// that did: it judged nothing they did not, such as a stretch inside a
// phase under the limit; among such stretches a pass still says more than
// a skip.
func weight(r check.Result, engaged bool) int {
	w := 0
	switch {
	case r.Status == check.Fail:
		return 6
	case r.Status == check.Skip && r.See != "":
		return 5
	case r.Status == check.Pass:
		w = 2
	case r.Undecided:
		w = 1
	}
	if engaged && w > 0 {
		w += 2
	}
	return w
}

// judged is one stretch's verdict: engaged when its limit rejected a
// request.
type judged struct {
	v       Verdict
	engaged bool
	part
}

// verdict is the run's verdict from the stretches folded and the last ones
// (as for add); first is the run's first Sent. t is not changed.
func (t *stretchTally) verdict(last []judged, first int64) Verdict {
	all := *t
	all.checks = slices.Clone(t.checks)
	all.prints = slices.Clone(t.prints)
	for _, l := range last {
		all.add(l)
	}
	out := Verdict{Checks: make([]check.Result, len(all.checks)), Recovery: all.rec}
	for i := range all.checks {
		out.Checks[i] = all.checks[i].result(all.n, first)
	}
	if len(all.prints) > 0 {
		best := all.prints[0]
		for _, p := range all.prints[1:] {
			if p.n > best.n {
				best = p
			}
		}
		fp := best.fp
		fp.summarize()
		fp.Summary += fmt.Sprintf(" (the best fit in %d of the run's %d stretches)", best.n, all.n)
		out.Fingerprint = &fp
	}
	return out
}

// result is the check's result for a run of stretches.
func (c *checkTally) result(stretches int, first int64) check.Result {
	r := c.pick
	if r.Warning == "" {
		r.Warning = c.warning
	}
	r.Evidence = rebase(r.Evidence, first)
	if c.skip == stretches && c.sameSkip {
		return r // the same reason throughout: nothing to add
	}
	r.Message += fmt.Sprintf(" (the run judged in %d stretches: %s; this is stretch %d's, requests #%s to #%s)",
		stretches, tallyText(c.fail, c.pass, c.skip), c.at+1, thousands(int(c.from)), thousands(int(c.from)+c.n-1))
	return r
}

// tallyText writes "fail in 2, pass in 30, skip in 1", leaving out zeros.
func tallyText(fail, pass, skip int) string {
	var parts []string
	for _, t := range []struct {
		word string
		n    int
	}{{"fail", fail}, {"pass", pass}, {"skip", skip}} {
		if t.n > 0 {
			parts = append(parts, fmt.Sprintf("%s in %d", t.word, t.n))
		}
	}
	return strings.Join(parts, ", ")
}

// rebase returns e with its offsets counted from the run's first request:
// the header and contract checks of a stretch count them from the stretch's
// first observation they saw.
func rebase(e *check.Evidence, first int64) *check.Evidence {
	if e == nil {
		return nil
	}
	out := *e
	out.Requests = slices.Clone(e.Requests)
	for x := range out.Requests {
		out.Requests[x].Offset = time.Duration(out.Requests[x].Sent.UnixNano() - first)
	}
	return &out
}
