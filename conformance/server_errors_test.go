package conformance

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/scenarios"
)

// answering wraps a simulated limiter and answers every nth of its answers
// of status from with status instead: an upstream behind the limiter that
// fails now and then (from 200, status 502: the limiter counted the
// request), or a limiter that limits with two statuses (from 429, 503).
type answering struct {
	server
	from, every, status, n int
}

func (a *answering) decide(at time.Time, key string) int {
	st := a.server.decide(at, key)
	if st != a.from {
		return st
	}
	if a.n++; a.n%a.every == 0 {
		return a.status
	}
	return st
}

// A correct limiter behind an upstream that fails now and then (a 502 or
// 500 in about one admission of 37) passes: the server errors are not its
// decisions. Found against go-chi/httprate: the 502s, taken for rejections,
// made its sliding-window counter unfit, and limit.no-early-reject failed
// ("285 requests were rejected while under the limit") on a correct limiter.
// A limiter that answers some limited requests 503 and the others 429 fails
// limit.status alone.
func TestServerErrorsAreNotDecisions(t *testing.T) {
	for _, fam := range simFamilies {
		for _, lat := range latencies {
			t.Run(fmt.Sprintf("%s/%s/upstream-502", fam.name, lat.name), func(t *testing.T) {
				v := simulateWith(fam, lat, &answering{server: fam.server(20, time.Second, faultNone), from: 200, every: 37, status: 502})
				for _, id := range []check.ID{check.LimitEnforced, check.LimitNoEarlyReject, check.LimitStatus, check.RecoveryAfterWindow, check.TimingOnset} {
					c, _ := statusOf(v, id)
					if c.Status == check.Fail || id != check.LimitStatus && c.Status != check.Pass && !bucketBlurred(fam, id, c) && !unchargedDoubt(fam, id, c) {
						t.Errorf("%s = %s (%s); want pass", id, c.Status, c.Message)
					}
				}
				if c, _ := statusOf(v, check.LimitStatus); !strings.Contains(c.Message, "answered 502: server errors beside the limiter's 429s") {
					t.Errorf("limit.status does not name the server errors: %s", c.Message)
				}
			})
			// 503 beside 429s stays a decision: nginx answers it by default,
			// so a second limiter in front may limit with it.
			t.Run(fmt.Sprintf("%s/%s/some-limited-503", fam.name, lat.name), func(t *testing.T) {
				v := simulateWith(fam, lat, &answering{server: fam.server(20, time.Second, faultNone), from: 429, every: 5, status: 503})
				for _, c := range v.Checks {
					switch {
					case c.ID == check.LimitStatus && c.Status != check.Fail:
						t.Errorf("%s = %s (%s); want fail", c.ID, c.Status, c.Message)
					case c.ID != check.LimitStatus && c.Status == check.Fail:
						t.Errorf("%s = fail (%s); want only limit.status to fail", c.ID, c.Message)
					}
				}
			})
		}
	}
}

// unchargedDoubt reports whether c is limit.no-early-reject of a bucket left
// undecided by the server errors: one the limiter did not charge (a proxy in
// front of it may have answered) leaves a bucket kept busy a token fuller
// from then on, so every later rejection might have been one early. An
// honest doubt: the run is inconclusive, not a pass and not a failure.
func unchargedDoubt(fam simFamily, id check.ID, c check.Result) bool {
	return fam.algo == scenarios.AlgoTokenBucket && id == check.LimitNoEarlyReject && c.Status == check.Skip && c.Undecided
}

// simulateWith runs the standard schedule for one key against srv, declared
// as fam's algorithm.
func simulateWith(fam simFamily, lat struct {
	name string
	lat  latencyModel
}, srv server) Verdict {
	p := planOf(limitOf(20, time.Second, fam.algo), standardPhases)
	return Check(p, seqOf(serve(client(p, []string{"k1"}, lat.lat, 20), srv)))
}
