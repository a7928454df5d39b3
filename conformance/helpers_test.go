package conformance

import (
	"fmt"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// hand builds observations by hand, at offsets from a start time.
type hand struct {
	start time.Time
	obs   []results.Observation
}

// add appends one request of phase ph sent at offset at.
func (h *hand) add(ph int, at, latency time.Duration, status int) {
	h.obs = append(h.obs, results.Observation{Seq: uint64(len(h.obs) + 1), Phase: ph, Endpoint: "list", KeyID: "k1",
		Sent: h.start.Add(at), Latency: latency, Status: status})
}

// fixedPlan builds a plan of explicit phases for a fixed-window limit of n per w.
func fixedPlan(n int64, w time.Duration, phases ...plan.Phase) *plan.Plan {
	p := planOf(limitOf(n, w, scenarios.AlgoFixedWindow), nil)
	p.Phases = phases
	return p
}

func resultOf(t interface{ Helper() }, v Verdict, id check.ID) check.Result {
	t.Helper()
	c, _ := statusOf(v, id)
	return c
}

// fmtSscan reads the leading count of a message.
func fmtSscan(msg string, n *int) (int, error) { return fmt.Sscan(msg, n) }

// concluded is v concluded as `ratecheck run` would from the facts of obs.
func concluded(v Verdict, obs []results.Observation) Verdict {
	f := RunFacts{Requests: int64(len(obs)), Statuses: map[int]int64{}}
	for _, o := range obs {
		f.Statuses[o.Status]++
	}
	return v.Conclude(nil, f)
}

// wantFailOrUndecided asserts that check id of v failed, or skipped as
// undecided so that the run concluded from obs is inconclusive: never a pass.
func wantFailOrUndecided(t *testing.T, v Verdict, obs []results.Observation, id check.ID) {
	t.Helper()
	c := resultOf(t, v, id)
	switch {
	case c.Status == check.Fail:
	case c.Status == check.Skip && c.Undecided:
		if got := concluded(v, obs); got.Status != check.Inconclusive && got.Status != check.Fail {
			t.Errorf("run with %s undecided concluded %s (%s); want inconclusive", id, got.Status, got.Reason)
		}
	default:
		t.Errorf("%s = %s, undecided %v (%s); want fail, or skip as undecided", id, c.Status, c.Undecided, c.Message)
	}
}
