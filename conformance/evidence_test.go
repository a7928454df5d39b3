package conformance

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/scenarios"
)

func clockRun(t *testing.T, f fault) (*plan.Plan, Verdict) {
	t.Helper()
	p := planOf(limitOf(20, time.Second, scenarios.AlgoFixedWindow), standardPhases)
	srv := simFamilies[0].server(20, time.Second, f)
	return p, Check(p, seqOf(serve(client(p, []string{"k1"}, fixedLatency(200*time.Microsecond), 11), srv)))
}

func TestOverAdmissionEvidence(t *testing.T) {
	_, v := clockRun(t, faultOffByOne)
	c := resultOf(t, v, check.LimitEnforced)
	wantMsg := regexp.MustCompile(`^\d+ requests admitted beyond the limit of 20 per 1s \(worst window: 21 admitted; judged as fixed-window, clock-aligned`)
	if !wantMsg.MatchString(c.Message) {
		t.Errorf("message = %q; want it to match %v", c.Message, wantMsg)
	}
	ev := c.Evidence
	if ev == nil {
		t.Fatal("Evidence = nil; want the over-admitted window")
	}
	if want := "at most 20 admitted per 1s window"; ev.Expected != want {
		t.Errorf("Expected = %q; want %q", ev.Expected, want)
	}
	notes := []string{"admitted #1 in the window starting ", "admitted #20 in the window starting ", "admitted #21 in the window starting "}
	if len(ev.Requests) < len(notes) {
		t.Fatalf("Evidence lists %d requests; want at least %d", len(ev.Requests), len(notes))
	}
	start := ev.Requests[0].Note[len(notes[0]):]
	for i, want := range notes {
		if got := ev.Requests[i].Note; !strings.HasPrefix(got, want+start) {
			t.Errorf("Requests[%d].Note = %q; want prefix %q", i, got, want+start)
		}
		if ev.Requests[i].Phase != "over" || ev.Requests[i].Status != 200 {
			t.Errorf("Requests[%d] = phase %q status %d; want phase over, status 200", i, ev.Requests[i].Phase, ev.Requests[i].Status)
		}
	}
	if !strings.HasSuffix(ev.Requests[2].Note, "beyond the limit of 20") {
		t.Errorf("Requests[2].Note = %q; want it to say beyond the limit", ev.Requests[2].Note)
	}
	over := 0
	for _, r := range ev.Requests {
		if strings.Contains(r.Note, "beyond") {
			over++
		}
	}
	total := 0
	if _, err := fmtSscan(c.Message, &total); err != nil {
		t.Fatal(err)
	}
	if len(ev.Requests) > check.MaxEvidence || over+ev.Omitted != total {
		t.Errorf("Evidence lists %d (%d over-admitted) and omits %d; want at most %d listed, over-admitted listed + omitted = %d",
			len(ev.Requests), over, ev.Omitted, check.MaxEvidence, total)
	}
	for i, r := range ev.Requests {
		if r.Offset != r.Sent.Sub(base) {
			t.Errorf("Requests[%d].Offset = %v; want Sent − first Sent = %v", i, r.Offset, r.Sent.Sub(base))
		}
	}
}

func TestEarlyRejectionEvidence(t *testing.T) {
	_, v := clockRun(t, faultEarly)
	c := resultOf(t, v, check.LimitNoEarlyReject)
	if !strings.Contains(c.Message, "rejected while under the limit of 20 per 1s (first at +") {
		t.Errorf("message = %q; want the count and the first early rejection", c.Message)
	}
	if c.Evidence == nil || len(c.Evidence.Requests) == 0 {
		t.Fatal("Evidence is empty; want the early rejections")
	}
	if want := "admitted until 20 are admitted in the current 1s window"; c.Evidence.Expected != want {
		t.Errorf("Expected = %q; want %q", c.Evidence.Expected, want)
	}
	first := c.Evidence.Requests[0]
	if first.Status != 429 || !strings.HasPrefix(first.Note, "rejected with 18 admitted in the window starting +") {
		t.Errorf("first evidence = status %d note %q; want a 429 rejected with 18 admitted", first.Status, first.Note)
	}
}

func TestStatusEvidence(t *testing.T) {
	_, v := clockRun(t, faultStatus503)
	c := resultOf(t, v, check.LimitStatus)
	if !regexp.MustCompile(`^(\d+) of (\d+) limited requests got 503, not 429$`).MatchString(c.Message) {
		t.Errorf("message = %q; want \"N of N limited requests got 503, not 429\"", c.Message)
	}
	if c.Evidence == nil || c.Evidence.Requests[0].Note != "over the limit, answered 503" {
		t.Errorf("evidence = %+v; want requests over the limit answered 503", c.Evidence)
	}
}

func TestRecoveryMessages(t *testing.T) {
	_, v := clockRun(t, faultNone)
	c := resultOf(t, v, check.RecoveryAfterWindow)
	want := regexp.MustCompile(`^the limit lifted 0\.\d{3} s ± \d+ ms after the first rejection of its streak \(the longest of \d+ lifts timed, in the over phase; promised 1s\)$`)
	if !want.MatchString(c.Message) {
		t.Errorf("pass message = %q; want it to match %v", c.Message, want)
	}
	_, v = clockRun(t, faultSlow)
	c = resultOf(t, v, check.RecoveryAfterWindow)
	if c.Status != check.Fail || !strings.Contains(c.Message, "rejected after the limit should have lifted (promised 1s; first at +") {
		t.Errorf("fail message = %q; want the late rejections", c.Message)
	}
	if c.Evidence == nil || c.Evidence.Requests[0].Note != "last request the model says was over the limit" {
		t.Fatalf("evidence = %+v; want the last limited request first", c.Evidence)
	}
	if late := c.Evidence.Requests[1]; !strings.HasPrefix(late.Note, "rejected with 0 admitted in the window starting +") {
		t.Errorf("late rejection note = %q; want an empty window", late.Note)
	}
}

// The first request of a recovery phase, sent the promised time after the last
// rejection, must succeed even when an admission came between.
func TestRecoveryPhaseOpenerMustSucceed(t *testing.T) {
	h := hand{start: base}
	for k := range 8 { // 5 per second: 5 admitted, 3 limited
		status := 200
		if k >= 5 {
			status = 429
		}
		h.add(0, time.Duration(k)*50*time.Millisecond, time.Millisecond, status)
	}
	h.add(0, 1500*time.Millisecond, time.Millisecond, 200) // the next window admits
	h.add(2, 3*time.Second, time.Millisecond, 429)         // the recovery phase opens with a rejection
	h.add(2, 3100*time.Millisecond, time.Millisecond, 200)
	p := fixedPlan(5, time.Second,
		plan.Phase{Name: "over", Kind: scenarios.PhaseOver, Duration: 2 * time.Second},
		plan.Phase{Name: "pause", Kind: scenarios.PhasePause, Start: 2 * time.Second, Duration: time.Second},
		plan.Phase{Name: "recovery", Kind: scenarios.PhaseRecovery, Start: 3 * time.Second, Duration: time.Second})
	v := Check(p, seqOf(h.obs))
	if c := resultOf(t, v, check.RecoveryAfterWindow); c.Status != check.Fail {
		t.Errorf("recovery.after-window = %s (%s); want fail", c.Status, c.Message)
	}
	if c := resultOf(t, v, check.LimitNoEarlyReject); c.Status != check.Pass {
		t.Errorf("limit.no-early-reject = %s (%s); want pass", c.Status, c.Message)
	}
}

// A scenario promising a recovery longer than the window allows a penalty that long.
func TestRecoveryLongerPromiseAllowsPenalty(t *testing.T) {
	for _, promise := range []time.Duration{0, 3 * time.Second} {
		l := limitOf(20, time.Second, scenarios.AlgoTokenBucket)
		l.Recovery = promise
		p := planOf(l, standardPhases)
		obs := serve(client(p, []string{"k1"}, fixedLatency(200*time.Microsecond), 2), newTokenBucket(20, 20, faultSlow))
		c := resultOf(t, Check(p, seqOf(obs)), check.RecoveryAfterWindow)
		if want := promise == 0; (c.Status == check.Fail) != want {
			t.Errorf("recovery promised %v: recovery.after-window = %s (%s); want failed=%v", promise, c.Status, c.Message, want)
		}
	}
}

// A limiter that rejects early never reaches the model's limit; its
// rejections are still its limiting decisions.
func TestStatusWhenTheModelLimitsNothing(t *testing.T) {
	tests := []struct {
		name   string
		status int
		want   check.Status
		msg    string
	}{
		{"early with 429", 429, check.Pass, "rejections got 429, though the model puts none over the limit (see limit.no-early-reject)"},
		{"early with 503", 503, check.Skip, "no rejection was over the limit by the model; the "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := planOf(limitOf(20, time.Second, scenarios.AlgoFixedWindow), standardPhases)
			obs := serve(client(p, []string{"k1"}, fixedLatency(200*time.Microsecond), 3),
				simFamilies[0].server(20, time.Second, faultEarly))
			for i := range obs {
				if obs[i].Status == 429 {
					obs[i].Status = tt.status
				}
			}
			c := resultOf(t, Check(p, seqOf(obs)), check.LimitStatus)
			if c.Status != tt.want || !strings.Contains(c.Message, tt.msg) {
				t.Errorf("limit.status = %s (%s); want %s containing %q", c.Status, c.Message, tt.want, tt.msg)
			}
		})
	}
}
