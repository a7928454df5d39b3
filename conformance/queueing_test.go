package conformance

import (
	"strings"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// queue serves the requests it gets one every interval, in arrival order,
// and never rejects: go.uber.org/ratelimit's Take before the handler.
// Every request is answered 200, its latency grown by its wait.
func queue(reqs []*request, interval time.Duration) {
	var free time.Time
	for _, q := range reqs { // client gives them in send order, arrival as sent + 0.5 ms
		at := q.arrival
		if at.Before(free) {
			at = free
		}
		free = at.Add(interval)
		q.obs.Status = 200
		q.obs.Latency += at.Sub(q.arrival)
	}
}

// TestQueueingLimiterIsNamed: a server that queues the requests beyond its
// limit and answers them all, late, never rejects, so the run cannot show
// enforcement (limit.enforced undecided, the run inconclusive); the reason
// says what the server did instead. A server that answers at once and
// rejects nothing (no limit at all) fails limit.enforced, without the hint.
func TestQueueingLimiterIsNamed(t *testing.T) {
	p := planOf(limitOf(20, time.Second, scenarios.AlgoAny), standardPhases)
	reqs := client(p, []string{"k1"}, fixedLatency(time.Millisecond), 1)
	queue(reqs, 50*time.Millisecond)
	obs := make([]results.Observation, len(reqs))
	for i, q := range reqs {
		obs[i] = q.obs
	}
	v := Check(p, seqOf(obs))
	c, _ := statusOf(v, check.LimitEnforced)
	if c.Status != check.Skip || !c.Undecided || !strings.Contains(c.Message, "it may queue requests beyond its limit instead of answering 429") {
		t.Errorf("queueing server: limit.enforced = %s, undecided %v (%s); want an undecided skip naming the queue", c.Status, c.Undecided, c.Message)
	}

	open := serve(client(p, []string{"k1"}, fixedLatency(time.Millisecond), 1), allow{})
	c, _ = statusOf(Check(p, seqOf(open)), check.LimitEnforced)
	if c.Status != check.Fail || strings.Contains(c.Message, "queue") {
		t.Errorf("unlimited server: limit.enforced = %s (%s); want a failure, no queue named", c.Status, c.Message)
	}
}

// allow admits every request at once.
type allow struct{}

func (allow) decide(time.Time, string) int { return 200 }
