package conformance

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/internal/longtest"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// soakPhases is a long schedule: under the limit, over it for a minute, a
// pause, then recovery: at 20 per second, 2,540 requests.
var soakPhases = []phaseSpec{
	{"under", scenarios.PhaseUnder, 0.5, 10 * time.Second},
	{"over", scenarios.PhaseOver, 2, 60 * time.Second},
	{"pause", scenarios.PhasePause, 0, time.Second},
	{"recovery", scenarios.PhaseRecovery, 0.5, 4 * time.Second},
}

// farLatency is a link far away: 50–150 ms each request, uniformly.
var farLatency = jitteredLatency(100 * time.Millisecond)

// withStretches runs f with stretches of at least size observations.
func withStretches(size int, f func()) {
	old, oldLead := StretchSize, StretchLead
	StretchSize, StretchLead = size, 1<<20
	defer func() { StretchSize, StretchLead = old, oldLead }()
	f()
}

// rightness says whether v is what a limiter with fault f deserves: right,
// undecided (the fault's check could not decide and nothing else failed),
// or wrong, with the check that came out wrong.
func rightness(v Verdict, f fault) string {
	want := map[check.ID]bool{}
	for _, id := range failing[f] {
		want[id] = true
	}
	undecided := false
	for _, c := range v.Checks {
		switch {
		case c.Status == check.Fail && !want[c.ID]:
			return "wrong: " + string(c.ID) + " failed"
		case want[c.ID] && c.Status == check.Skip && c.Undecided:
			undecided = true
		case want[c.ID] && c.Status != check.Fail && c.See == "":
			return "wrong: " + string(c.ID) + " did not fail"
		}
	}
	if undecided {
		return "undecided"
	}
	return "right"
}

// stretchedCase is one simulated long run judged whole and in stretches.
type stretchedCase struct {
	fam   simFamily
	f     fault
	lat   string
	seed  uint64
	whole Verdict
	cut   Verdict
}

// judgeBothWays simulates fam with fault f over soakPhases and judges the
// run whole and in stretches of at least 200 observations (stretchWindows
// windows: two or three stretches).
func judgeBothWays(fam simFamily, f fault, lat string, seed uint64) stretchedCase {
	lm := map[string]latencyModel{"0.2ms": fixedLatency(200 * time.Microsecond), "jitter5ms": jitteredLatency(5 * time.Millisecond), "far": farLatency}[lat]
	p := planOf(limitOf(20, time.Second, fam.algo), soakPhases)
	obs := serve(client(p, []string{"k1"}, lm, seed), fam.server(20, time.Second, f))
	c := stretchedCase{fam: fam, f: f, lat: lat, seed: seed, whole: Check(p, seqOf(obs))}
	withStretches(200, func() { c.cut = Check(p, seqOf(obs)) })
	return c
}

// stretchedCases is every family of fams with every fault at every latency,
// seeds of each.
func stretchedCases(t *testing.T, fams []simFamily, lats []string, faults []fault, seeds uint64) []stretchedCase {
	t.Helper()
	var out []stretchedCase
	for _, fam := range fams {
		for _, f := range faults {
			for _, lat := range lats {
				for seed := uint64(1); seed <= seeds; seed++ {
					out = append(out, judgeBothWays(fam, f, lat, seed))
				}
			}
		}
	}
	return out
}

// TestStretchedVerdictsAreNoWorse judges long simulated runs whole and in
// stretches: wherever the whole run's verdict is right, the stretched one
// is right too, or undecided for the fault's own check (a stretch boundary
// takes the timing tolerance of a window). The whole run's own mistakes on
// runs this long (a first-request chain drifting over a minute of
// rejections) are not the stretches' to repeat, and are not asserted.
func TestStretchedVerdictsAreNoWorse(t *testing.T) {
	// By default, correct limiters far away (where a stretch's last
	// requests may reach the server after the next one's first) and
	// off-by-one ones nearby; the long tests, every fault at every latency.
	cases := stretchedCases(t, simFamilies, []string{"far"}, []fault{faultNone}, 1)
	cases = append(cases, stretchedCases(t, simFamilies[:3], []string{"jitter5ms"}, []fault{faultOffByOne}, 1)...)
	if longtest.Enabled() {
		cases = stretchedCases(t, simFamilies, []string{"0.2ms", "jitter5ms", "far"}, []fault{faultNone, faultOffByOne, faultEarly, faultSlow, faultStatus503}, 3)
	}
	tally := map[string]int{}
	for _, c := range cases {
		name := fmt.Sprintf("%s/%s/%s/%d", c.fam.name, c.f, c.lat, c.seed)
		if !strings.Contains(fmt.Sprint(c.cut.Checks), "stretches") {
			// A penalty box keeps every streak longer than a window: no
			// reset shows where its state is known, and the run stays one
			// stretch (except the clock-aligned window, whose penalty a
			// window's reset ends).
			if c.f != faultSlow {
				t.Errorf("%s: judged as one stretch; the test needs several", name)
			}
			continue
		}
		whole, cut := rightness(c.whole, c.f), rightness(c.cut, c.f)
		tally["whole "+strings.SplitN(whole, ":", 2)[0]]++
		tally["stretched "+strings.SplitN(cut, ":", 2)[0]]++
		if whole == "right" && cut != "right" && cut != "undecided" {
			t.Errorf("%s: right judged whole, %s in stretches:\n%s", name, cut, differing(c.whole, c.cut))
		}
	}
	t.Logf("of %d runs: %v", tally["whole right"]+tally["whole undecided"]+tally["whole wrong"], tally)
}

// differing writes the checks whose status differs between a and b.
func differing(a, b Verdict) string {
	var out []string
	for i := range a.Checks {
		x, y := a.Checks[i], b.Checks[i]
		if x.Status != y.Status || x.Undecided != y.Undecided {
			out = append(out, fmt.Sprintf("  %s: %s (%s)\n    → %s (%s)", x.ID, x.Status, x.Message, y.Status, y.Message))
		}
	}
	return strings.Join(out, "\n")
}

// TestShortRunsAreOneStretch: a run of fewer observations than StretchSize
// is judged as a whole, as before stretches existed: the verdict is the one
// a Judge that never stretches gives.
func TestShortRunsAreOneStretch(t *testing.T) {
	p := planOf(limitOf(20, time.Second, scenarios.AlgoFixedWindow), soakPhases)
	obs := serve(client(p, []string{"k1"}, jitteredLatency(5*time.Millisecond), 1), newFirstRequestWindow(20, time.Second, faultOffByOne))
	got := Check(p, seqOf(obs))
	var never Verdict
	withStretches(1<<30, func() { never = Check(p, seqOf(obs)) })
	if !reflect.DeepEqual(got, never) {
		t.Errorf("a run of %d observations judged differently with StretchSize %d than never stretched:\n%s", len(obs), StretchSize, differing(never, got))
	}
	if strings.Contains(fmt.Sprint(got), "stretches") {
		t.Errorf("a short run's verdict speaks of stretches: %v", got)
	}
}

// TestStretchesBoundWhatAJudgeKeeps feeds a long run stretch by stretch: the
// records the Judge keeps never exceed a stretch with its context, however
// many observations came before, and the verdict still finds the fault.
func TestStretchesBoundWhatAJudgeKeeps(t *testing.T) {
	specs := []phaseSpec{{"over", scenarios.PhaseOver, 2, 110 * time.Second}}
	p := planOf(limitOf(20, time.Second, scenarios.AlgoFixedWindow), specs)
	obs := serve(client(p, []string{"k1"}, jitteredLatency(5*time.Millisecond), 1), newClockWindow(20, time.Second, base.Add(370*time.Millisecond), faultOffByOne))
	withStretches(200, func() {
		j := New(p, Options{})
		most := 0
		for _, o := range obs {
			j.Observe(o)
			most = max(most, j.cur.run.col.N)
			if c := j.closing; c != nil {
				most = max(most, c.run.col.N)
			}
		}
		// A stretch spans stretchWindows windows of 40 requests and takes
		// two windows before it and one after as context, and may run on to
		// the next reset.
		bound := (stretchWindows + leadWindows + 2) * 40
		if most > bound {
			t.Errorf("a stretch kept %d records; want at most %d of the run's %d", most, bound, len(obs))
		}
		if j.done.n < 5 {
			t.Errorf("%d stretches judged of %d observations; want 5 or more", j.done.n, len(obs))
		}
		v := j.Verdict()
		if r := rightness(v, faultOffByOne); r != "right" {
			t.Errorf("off-by-one over 300 s in stretches: %s\n%v", r, v.Checks)
		}
	})
}

// lockedOut answers as inner until from, then with status to everything: a
// limiter that locks the client out for good (429), or a target that stops
// answering (0, a transport error).
type lockedOut struct {
	inner  server
	from   time.Time
	status int
}

func (s lockedOut) decide(at time.Time, key string) int {
	if !at.Before(s.from) {
		return s.status
	}
	return s.inner.decide(at, key)
}

// TestStretchesBoundALockout: a run whose limit stops admitting for good
// (20 s in, for 90 s of sending over the limit) is still cut into
// stretches, or one that never again admits would keep every request it
// sends; and the stretches after the first inside the lockout count its
// rejections as the late recovery they are, even a last one too short to
// show the streak outlasting the promise (the run cut 5 requests after a
// stretch began): the verdict fails the checks the run judged whole fails,
// and no other.
func TestStretchesBoundALockout(t *testing.T) {
	specs := []phaseSpec{{"under", scenarios.PhaseUnder, 0.5, 10 * time.Second}, {"over", scenarios.PhaseOver, 2, 110 * time.Second}}
	for _, status := range []int{429, 0} {
		for _, fam := range simFamilies[:3] {
			if status == 0 && fam.name != "clock-window" {
				continue // a dead target is every family's: one shows it
			}
			p := planOf(limitOf(20, time.Second, fam.algo), specs)
			srv := lockedOut{fam.server(20, time.Second, faultNone), base.Add(30 * time.Second), status}
			obs := serve(client(p, []string{"k1"}, jitteredLatency(5*time.Millisecond), 1), srv)
			name := fmt.Sprintf("%s locked out with %d", fam.name, status)
			withStretches(200, func() {
				j := New(p, Options{})
				most, lastCut := 0, 0
				for i, o := range obs {
					j.Observe(o)
					most = max(most, j.cur.run.col.N)
					if j.fed == 1 {
						lastCut = i
					}
				}
				// A stretch spans 16 windows of 40 requests, past the
				// 200 it must take, with context of two windows.
				if bound := (stretchWindows + leadWindows + 2) * 40; most > bound {
					t.Errorf("%s: a stretch kept %d requests; want at most %d of the run's %d", name, most, bound, len(obs))
				}
				if lastCut < 2000 {
					t.Fatalf("%s: the last stretch began at request %d; want one inside the lockout", name, lastCut)
				}
				for _, run := range [][]results.Observation{obs, obs[:lastCut+5]} {
					var whole Verdict
					withStretches(1<<30, func() { whole = Check(p, seqOf(run)) })
					v := Check(p, seqOf(run))
					if got, want := failingIDs(v), failingIDs(whole); got != want {
						t.Errorf("%s, %d requests: in stretches the checks failing are [%s]; judged whole, [%s]\n%s", name, len(run), got, want, failingChecks(v))
					}
				}
			})
		}
	}
}

// failingIDs lists the ids of v's failing checks.
func failingIDs(v Verdict) string {
	var ids []string
	for _, c := range v.Checks {
		if c.Status == check.Fail {
			ids = append(ids, string(c.ID))
		}
	}
	return strings.Join(ids, " ")
}

// TestStretchedVerdictHoweverAsked: asking a stretched Judge for its verdict
// while it is fed (as the live dashboard does) changes nothing of the
// verdict at the end.
func TestStretchedVerdictHoweverAsked(t *testing.T) {
	// A correct clock-aligned window far away, whose stretches' last
	// requests reach the server after the next stretch's first: asked
	// while a stretch that ended still takes them, the verdict must not
	// keep what it judged without them.
	fam := simFamilies[0]
	p := planOf(limitOf(20, time.Second, fam.algo), soakPhases)
	obs := serve(client(p, []string{"k1"}, farLatency, 1), fam.server(20, time.Second, faultNone))
	withStretches(200, func() {
		once := Check(p, seqOf(obs))
		j := New(p, Options{})
		var asked *closing
		for _, o := range obs {
			j.Observe(o)
			if j.closing != nil && j.closing != asked {
				asked = j.closing
				j.Verdict()
			}
		}
		if asked == nil {
			t.Fatal("no stretch ended: the test needs one")
		}
		if got := j.Verdict(); !reflect.DeepEqual(got, once) {
			t.Errorf("verdict asked along the way differs from the one asked once:\n%s", differingText(once, got))
		}
	})
}

// differingText writes the checks whose messages differ between a and b.
func differingText(a, b Verdict) string {
	var out []string
	for i := range a.Checks {
		if x, y := a.Checks[i], b.Checks[i]; x.Message != y.Message || x.Status != y.Status {
			out = append(out, fmt.Sprintf("  %s: %s\n    → %s", x.ID, x.Message, y.Message))
		}
	}
	return strings.Join(out, "\n")
}

// TestStretchTally: how the stretches' results make the run's.
func TestStretchTally(t *testing.T) {
	at := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	pass := check.Result{ID: check.LimitEnforced, Status: check.Pass, Message: "clean"}
	undecided := check.Result{ID: check.LimitEnforced, Status: check.Skip, Undecided: true, Message: "blurred"}
	skip := check.Result{ID: check.LimitEnforced, Status: check.Skip, Message: "nothing declared"}
	fail := check.Result{ID: check.LimitEnforced, Status: check.Fail, Message: "21 admitted",
		Evidence: &check.Evidence{Requests: []check.RequestEvidence{{Seq: 7, Sent: at.Add(90 * time.Second), Offset: time.Second}}}}
	see := check.Result{ID: check.LimitEnforced, Status: check.Skip, See: check.LimitNoEarlyReject, Message: "see"}
	type result struct {
		r       check.Result
		engaged bool
	}
	for _, tc := range []struct {
		name   string
		parts  []result
		status check.Status
		msg    string // the message begins so
		suffix string // and ends so ("" none)
	}{
		{"a failure anywhere fails", []result{{pass, true}, {fail, true}, {pass, true}}, check.Fail, "21 admitted",
			" (the run judged in 3 stretches: fail in 1, pass in 2; this is stretch 2's, requests #100 to #199)"},
		{"a deferral before a pass", []result{{pass, true}, {see, true}}, check.Skip, "see", "stretch 2's, requests #100 to #199)"},
		{"a pass before an undecided skip", []result{{undecided, true}, {pass, true}}, check.Pass, "clean", "stretch 2's, requests #100 to #199)"},
		{"a stretch that never met its limit passes nothing", []result{{undecided, true}, {pass, false}}, check.Skip, "blurred", "stretch 1's, requests #0 to #99)"},
		{"among stretches that never met it, a pass", []result{{skip, false}, {pass, false}}, check.Pass, "clean", "pass in 1, skip in 1; this is stretch 2's, requests #100 to #199)"},
		{"the same skip throughout says nothing more", []result{{skip, true}, {skip, false}}, check.Skip, "nothing declared", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tally stretchTally
			var last []judged
			for k, p := range tc.parts {
				last = append(last, judged{v: Verdict{Checks: []check.Result{p.r}}, engaged: p.engaged, part: part{from: uint64(100 * k), n: 100}})
			}
			tally.add(last[0])
			got := tally.verdict(last[1:], at.UnixNano()).Checks[0]
			if got.Status != tc.status || !strings.HasPrefix(got.Message, tc.msg) {
				t.Errorf("got %s %q; want %s %q…", got.Status, got.Message, tc.status, tc.msg)
			}
			if tc.suffix == "" && got.Message != tc.msg || !strings.HasSuffix(got.Message, tc.suffix) {
				t.Errorf("message %q; want it to end %q", got.Message, tc.suffix)
			}
			if got.Evidence != nil && got.Evidence.Requests[0].Offset != 90*time.Second {
				t.Errorf("evidence offset %v; want 1m30s, from the run's first request", got.Evidence.Requests[0].Offset)
			}
		})
	}
	t.Run("fingerprint and recovery", func(t *testing.T) {
		window := &Fingerprint{Family: "fixed window", Params: "20 per 1s", Explained: 90, Judged: 100}
		bucket := &Fingerprint{Family: "token bucket", Params: "burst 20", Explained: 50, Judged: 100}
		var tally stretchTally
		tally.add(judged{Verdict{Fingerprint: bucket, Recovery: &Recovery{Wait: time.Second}}, true, part{0, 100}})
		tally.add(judged{Verdict{Fingerprint: window, Recovery: &Recovery{Wait: 2 * time.Second}}, true, part{100, 100}})
		v := tally.verdict([]judged{{Verdict{Fingerprint: window, Recovery: &Recovery{Wait: 3 * time.Second}}, true, part{200, 100}}}, 0)
		want := "fixed window, 20 per 1s: explains 180 of 200 decisions (the best fit in 2 of the run's 3 stretches)"
		if v.Fingerprint == nil || v.Fingerprint.Summary != want {
			t.Errorf("fingerprint %+v; want %q", v.Fingerprint, want)
		}
		if v.Recovery == nil || v.Recovery.Wait != 3*time.Second {
			t.Errorf("recovery %+v; want the longest wait, 3s", v.Recovery)
		}
	})
}

// TestLeadInKeepsTheLastWindows: the context queue holds what was sent
// within its span of the latest observation, and says when its bound made it
// drop one it should hold.
func TestLeadInKeepsTheLastWindows(t *testing.T) {
	l := leadIn{span: int64(2 * time.Second), limit: 30}
	at := base
	for range 100 {
		l.push(results.Observation{Sent: at, Headers: map[string]string{"X": "y"}})
		at = at.Add(100 * time.Millisecond)
	}
	items := l.items()
	if len(items) != 21 {
		t.Fatalf("kept %d; want the 21 sent within 2 s of the last", len(items))
	}
	if items[0].Headers != nil {
		t.Errorf("context keeps headers; want them dropped")
	}
	if !l.complete(at.UnixNano()) {
		t.Errorf("complete = false with nothing dropped for the bound")
	}
	for range 40 {
		l.push(results.Observation{Sent: at})
		at = at.Add(10 * time.Millisecond)
	}
	if l.complete(at.UnixNano()) {
		t.Errorf("complete = true though 40 sent within 0.4 s overflowed a bound of 30")
	}
	if !l.complete(at.Add(3 * time.Second).UnixNano()) {
		t.Errorf("complete = false once what was dropped is older than the span")
	}
}

// TestContextInvalidatesTheAnalysis: a stretch that ended is judged again
// once it takes more context, not from what it judged before.
func TestContextInvalidatesTheAnalysis(t *testing.T) {
	p := planOf(limitOf(20, time.Second, scenarios.AlgoFixedWindow), standardPhases)
	obs := serve(client(p, []string{"k1"}, fixedLatency(time.Millisecond), 1), newFirstRequestWindow(20, time.Second, faultNone))
	s := newStretch(p, nil, attribution(p))
	for _, o := range obs[:len(obs)-1] {
		s.observe(o, scenarios.PhaseOver)
	}
	before := s.run.analysis()
	s.context(obs[len(obs)-1])
	if s.run.analysis() == before {
		t.Error("the analysis judged before the context was added is used after it")
	}
}

// TestContextIsKeptOnlyNearAStretchsEnd: a Judge keeps no context while a
// stretch is far from its end, and once it starts keeping it, the context
// counts complete only after it spans leadWindows windows.
func TestContextIsKeptOnlyNearAStretchsEnd(t *testing.T) {
	p := planOf(limitOf(20, time.Second, scenarios.AlgoFixedWindow), soakPhases)
	obs := serve(client(p, []string{"k1"}, fixedLatency(time.Millisecond), 1), newFirstRequestWindow(20, time.Second, faultNone))
	old, oldLead := StretchSize, StretchLead
	StretchSize, StretchLead = 2000, 500
	defer func() { StretchSize, StretchLead = old, oldLead }()
	j := New(p, Options{})
	for _, o := range obs[:1400] {
		j.Observe(o)
	}
	if n := len(j.lead.items()); n != 0 || len(j.streaks) != 0 {
		t.Errorf("1,400 observations into a stretch of 2,000 with context of 500: %d kept as context, %d streaks; want none", n, len(j.streaks))
	}
	var l leadIn
	l.span, l.limit = int64(2*time.Second), 100
	at := base.UnixNano()
	l.start(at)
	if l.complete(at + int64(time.Second)) {
		t.Error("context started 1 s ago counts complete; want it to span 2 s first")
	}
	if !l.complete(at + int64(2*time.Second) + 1) {
		t.Error("context started over 2 s ago counts incomplete")
	}
}

// The context queue in a ring keeps, drops and reports what the queue in a
// slice it replaced (leadInSlice) did, after every push: the same
// observations in order, the same latest drop; on random runs sent mostly
// in order, some out of it, some at once, with spans and bounds that make
// it drop by time and by bound, started again now and then.
func TestLeadInAsSlice(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 6))
	for run := range 60 {
		span, limit := int64(1+r.IntN(50))*int64(time.Millisecond), 1+r.IntN(700)
		got := leadIn{span: span, limit: limit}
		want := leadInSlice{span: span, limit: limit}
		at := base.UnixNano()
		for k := range 5000 {
			if r.IntN(2000) == 0 {
				got.start(at)
				want.start(at)
			}
			at += int64(r.IntN(3)) * int64(r.IntN(200_000))
			sent := at
			if r.IntN(20) == 0 {
				sent -= int64(r.IntN(5_000_000)) // sent before the one pushed last
			}
			o := results.Observation{Seq: uint64(k), Sent: time.Unix(0, sent), Status: 200, Headers: map[string]string{"X": "y"}}
			got.push(o)
			want.push(o)
			if got.dropped != want.dropped || got.n != len(want.items()) {
				t.Fatalf("run %d, push %d: %d kept, dropped at %d; the slice keeps %d, dropped at %d", run, k, got.n, got.dropped, len(want.items()), want.dropped)
			}
			if k%97 == 0 || k == 4999 {
				if g, w := got.items(), want.items(); !reflect.DeepEqual(g, w) {
					t.Fatalf("run %d, push %d: the ring holds other observations than the slice", run, k)
				}
			}
		}
	}
}

// leadInSlice is leadIn as first written, a queue in a slice.
type leadInSlice struct {
	span    int64
	limit   int
	buf     []results.Observation
	head    int
	dropped int64
}

func (l *leadInSlice) push(o results.Observation) {
	o.Headers, o.Body, o.Error = nil, "", ""
	sent := o.Sent.UnixNano()
	for l.head < len(l.buf) && l.buf[l.head].Sent.UnixNano() < sent-l.span {
		l.head++
	}
	if len(l.buf)-l.head >= l.limit {
		l.dropped = max(l.dropped, l.buf[l.head].Sent.UnixNano())
		l.head++
	}
	if l.head > len(l.buf)/2 && l.head > 1024 {
		n := copy(l.buf, l.buf[l.head:])
		clear(l.buf[n:])
		l.buf, l.head = l.buf[:n], 0
	}
	l.buf = append(l.buf, o)
}

func (l *leadInSlice) start(at int64) {
	clear(l.buf)
	l.buf, l.head, l.dropped = l.buf[:0], 0, at-1
}

func (l *leadInSlice) items() []results.Observation { return l.buf[l.head:] }
