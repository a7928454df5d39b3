package conformance

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/plan"
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
	p := fixedPlan(n, time.Second, plan.Phase{Name: "over", Kind: scenarios.PhaseOver, Duration: time.Second})
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
	p := fixedPlan(20, time.Second, plan.Phase{Name: "over", Kind: scenarios.PhaseOver, Duration: time.Second})
	c := resultOf(t, Check(p, seqOf(h.obs)), check.LimitEnforced)
	if c.Status != check.Skip || !strings.Contains(c.Message, "aligned to the wall clock") {
		t.Errorf("limit.enforced = %s (%s); want skip, judged aligned to the wall clock", c.Status, c.Message)
	}
}
