package conformance

import (
	"strings"
	"testing"

	"github.com/ratecheck/ratecheck/conformance/check"
)

// TestEarlyRejectNeedsAnEpisodeThatCouldShowIt replays the reference
// target's GCRA rejecting two early (capacity 18 for a promise of 20)
// behind a 50 ms ± 25 ms link: arrival times uncertain by 107 ms or more
// free two requests in every episode, so no episode could show a rejection
// one request early. limit.no-early-reject passed it, from rejections later
// in streaks (273 of 283 ambiguous), where an early limiter looks like a
// correct one; it must be undecided, as limit.enforced is, and nothing may
// fail.
func TestEarlyRejectNeedsAnEpisodeThatCouldShowIt(t *testing.T) {
	v := replay(t, "testdata/far-gcra-early-reject-blurred")
	for _, id := range []check.ID{check.LimitNoEarlyReject, check.LimitEnforced} {
		c := resultOf(t, v, id)
		if c.Status != check.Skip || !c.Undecided || !strings.Contains(c.Message, "arrival times were uncertain") {
			t.Errorf("%s = %s undecided=%v (%s); want undecided, naming the arrival uncertainty", id, c.Status, c.Undecided, c.Message)
		}
	}
	for _, c := range v.Checks {
		if c.Status == check.Fail {
			t.Errorf("%s failed (%s); want no failure", c.ID, c.Message)
		}
	}
}
