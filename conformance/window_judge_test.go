package conformance

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/scenarios"
)

// A burst of 2N requests within a millisecond of a window boundary is too close
// to call: the server split it one way, the point estimates another. Nothing may
// fail, and the ambiguous decisions are counted.
func TestCheckBoundaryStraddlingBurstIsAmbiguous(t *testing.T) {
	const n = 20
	boundary := time.Date(2025, 3, 1, 12, 0, 1, 0, time.UTC) // windows on whole seconds
	h := hand{start: boundary.Add(-900 * time.Millisecond)}
	for k := range 5 { // earlier traffic in the window before the boundary
		h.add(0, time.Duration(k)*100*time.Millisecond, time.Millisecond, 200)
	}
	// 2N requests sent from 1 ms before the boundary, 50 µs apart; the server saw
	// each 0.9 ms after it was sent. It admits the two that arrived before the
	// boundary, then 20 in the new window, and rejects the rest.
	admitted := 0
	for k := range 2 * n {
		sent := 899*time.Millisecond + time.Duration(k)*50*time.Microsecond
		arrival := h.start.Add(sent + 900*time.Microsecond)
		status := 200
		if !arrival.Before(boundary) {
			if admitted == n {
				status = 429
			} else {
				admitted++
			}
		}
		h.add(0, sent, time.Millisecond, status)
	}
	p := fixedPlan(n, time.Second, scenarios.Phase{Name: "over", Kind: scenarios.PhaseOver, Duration: time.Second})
	v := Check(p, seqOf(h.obs))
	for _, c := range v.Checks {
		if c.Status == check.Fail {
			t.Errorf("%s = fail (%s); want no failure", c.ID, c.Message)
		}
	}
	// Every rejection may have come early at some arrival the latency
	// allows, so none proves the limit was reached first: a skip, not a
	// pass (a check passes only on evidence).
	early := resultOf(t, v, check.LimitNoEarlyReject)
	if early.Status != check.Skip || !early.Undecided || !strings.Contains(early.Message, "within the timing tolerance") {
		t.Errorf("limit.no-early-reject = %s (%s); want skip: every rejection within the timing tolerance", early.Status, early.Message)
	}
	if c := resultOf(t, v, check.LimitStatus); c.Status != check.Pass {
		t.Errorf("limit.status = %s (%s); want pass", c.Status, c.Message)
	}
}

// The server's windows may start anywhere relative to our first request and the
// wall clock.
func TestCheckClockSkew(t *testing.T) {
	for _, skew := range []time.Duration{0, 370 * time.Millisecond, 500 * time.Millisecond, 999 * time.Millisecond} {
		for _, n := range []int64{20, 100} {
			t.Run(fmt.Sprintf("%v/%d", skew, n), func(t *testing.T) {
				p := planOf(limitOf(n, time.Second, scenarios.AlgoFixedWindow), standardPhases)
				srv := newClockWindow(n, time.Second, base.Add(skew), faultNone)
				v := Check(p, seqOf(serve(client(p, []string{"k1"}, jitteredLatency(5*time.Millisecond), 9), srv)))
				if v.Status != check.Pass {
					t.Errorf("Verdict.Status = %s; want pass (%+v)", v.Status, v.Checks)
				}
			})
		}
	}
}

// Windows aligned on the wall clock are found without any reset to go by: the
// run never exceeds the limit in our phases but the boundaries still matter.
// No window was driven past the limit, so limit.enforced skips, naming the
// windows it judged.
func TestCheckWallClockWindowsFoundWithoutResets(t *testing.T) {
	boundary := time.Date(2025, 3, 1, 12, 0, 2, 0, time.UTC)
	h := hand{start: boundary.Add(-300 * time.Millisecond)}
	// 20 requests just before a whole second and 20 just after, all admitted:
	// only windows on whole seconds explain that without over-admission.
	for k := range 40 {
		h.add(0, time.Duration(k)*15*time.Millisecond, 200*time.Microsecond, 200)
	}
	p := fixedPlan(20, time.Second, scenarios.Phase{Name: "over", Kind: scenarios.PhaseOver, Duration: time.Second})
	c := resultOf(t, Check(p, seqOf(h.obs)), check.LimitEnforced)
	if c.Status != check.Skip || !strings.Contains(c.Message, "aligned to the wall clock") {
		t.Errorf("limit.enforced = %s (%s); want skip, judged aligned to the wall clock", c.Status, c.Message)
	}
}

func TestPhaseSplit(t *testing.T) {
	tests := []struct {
		p    phase
		want int
	}{
		{phase{lo: 0, hi: 0}, 1},
		{phase{lo: 10, hi: 10 + int64(2*time.Millisecond)}, 1},
		{phase{lo: 0, hi: int64(5 * time.Millisecond)}, 3},
		{phase{lo: 0, hi: int64(time.Second)}, maxPhaseSplit},
	}
	for _, tt := range tests {
		got := tt.p.split()
		if len(got) != tt.want {
			t.Errorf("%+v.split() has %d parts; want %d", tt.p, len(got), tt.want)
		}
		lo, hi := got[0].lo, got[0].hi
		for _, g := range got {
			lo, hi = min(lo, g.lo), max(hi, g.hi)
		}
		if lo != tt.p.lo || hi != tt.p.hi {
			t.Errorf("%+v.split() covers [%d, %d]; want [%d, %d]", tt.p, lo, hi, tt.p.lo, tt.p.hi)
		}
	}
}

func TestFloorDivMod(t *testing.T) {
	tests := []struct{ a, b, div, mod int64 }{
		{7, 3, 2, 1}, {-7, 3, -3, 2}, {6, 3, 2, 0}, {-6, 3, -2, 0}, {0, 5, 0, 0},
	}
	for _, tt := range tests {
		if got := records.FloorDiv(tt.a, tt.b); got != tt.div {
			t.Errorf("floorDiv(%d, %d) = %d; want %d", tt.a, tt.b, got, tt.div)
		}
		if got := records.FloorMod(tt.a, tt.b); got != tt.mod {
			t.Errorf("floorMod(%d, %d) = %d; want %d", tt.a, tt.b, got, tt.mod)
		}
	}
}

// The matching lets requests that straddle a boundary fill the window with room,
// and blames only what fits nowhere.
func TestWindowJudgeMatching(t *testing.T) {
	ms := int64(time.Millisecond)
	// Two windows [0, 1000) and [1000, 2000) ms admitting 2 each. Requests as
	// (lo, hi) ms: two surely in the first, one straddling, two surely in the second.
	spans := [][2]int64{{100, 110}, {200, 210}, {995, 1005}, {1100, 1110}, {1200, 1210}}
	s := &series{}
	for _, sp := range spans {
		// lo = sent − floor and hi = sent + latency + floor (see series.lo, hi).
		lat := (sp[1]-sp[0])*ms - 2*records.ArrivalFloor
		s.reqs = append(s.reqs, records.Record{Sent: sp[0]*ms + records.ArrivalFloor, Latency: uint32(lat / 1000), Status: 200})
		s.adm = append(s.adm, true)
		s.known = append(s.known, true)
		s.rej = append(s.rej, false)
	}
	for i, sp := range spans {
		if s.lo(i) != sp[0]*ms || s.hi(i) != sp[1]*ms {
			t.Fatalf("request %d spans [%d, %d] ns; want [%d, %d] ms", i, s.lo(i), s.hi(i), sp[0], sp[1])
		}
	}
	wins := []window{{lo: 0, hi: 0, starter: -1}, {lo: 1000 * ms, hi: 1000 * ms, starter: -1}}
	ev := newStateEval(s)
	worst := newWindowJudge(s, wins, 1000*ms, 2).judge(&ev)
	over := 0
	for _, o := range ev.out {
		if o == admitOver {
			over++
		}
	}
	if over != 1 || worst != 3 {
		t.Errorf("judge: %d over-admitted, worst %d; want 1 over-admitted, worst 3", over, worst)
	}
	if ev.out[2] == admitOver {
		t.Errorf("the straddling request was blamed; want a request surely in a full window blamed")
	}
}
