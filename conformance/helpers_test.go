package conformance

import (
	"fmt"
	"time"

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
func fixedPlan(n int64, w time.Duration, phases ...scenarios.Phase) *scenarios.Plan {
	p := planOf(limitOf(n, w, scenarios.AlgoFixedWindow), nil)
	p.Phases = phases
	return p
}

func resultOf(t interface{ Helper() }, v Verdict, id ID) CheckResult {
	t.Helper()
	c, _ := statusOf(v, id)
	return c
}

// fmtSscan reads the leading count of a message.
func fmtSscan(msg string, n *int) (int, error) { return fmt.Sscan(msg, n) }
