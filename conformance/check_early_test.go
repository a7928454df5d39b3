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

// TestNotCountedLeavesAnUndecidedEarlyRejection replays the reference
// target's sliding-window counter rejecting two early behind a 50 ms ± 25 ms
// link: limit.no-early-reject cannot decide (every rejection lies within the
// timing tolerance of an early one), and auth.not-counted saw a counted
// request rejected within the budget after refused ones. It once failed that
// as "the refused requests were charged", a defect this target does not
// have. The run was planned with pauses of 1.25 s before its attempts, short
// of the two windows a sliding-window counter takes to forget (its estimate
// weighs the previous window's count): no attempt began on a fresh budget,
// so auth.not-counted proves nothing and is undecided, and the run must not
// pass. (TestNotCountedDefersToAnUndecidedEarlyRejection judges the
// early rejection's part on a fresh budget.)
func TestNotCountedLeavesAnUndecidedEarlyRejection(t *testing.T) {
	v, concluded := replayConcluded(t, "testdata/far-sliding-early-reject-not-counted")
	if c := resultOf(t, v, check.LimitNoEarlyReject); c.Status != check.Skip || !c.Undecided {
		t.Fatalf("limit.no-early-reject = %s undecided=%v (%s); the replay needs it undecided", c.Status, c.Undecided, c.Message)
	}
	c := resultOf(t, v, check.AuthNotCounted)
	if c.Status != check.Skip || !c.Undecided || !strings.Contains(c.Message, "within the 2s limit \"per-second\" takes to forget") {
		t.Errorf("auth.not-counted = %s undecided=%v (%s); want undecided: no attempt began on a fresh budget", c.Status, c.Undecided, c.Message)
	}
	for _, c := range v.Checks {
		if c.Status == check.Fail {
			t.Errorf("%s failed (%s); want no failure", c.ID, c.Message)
		}
	}
	if concluded.Status != check.Inconclusive {
		t.Errorf("the run concludes %s (%s); want inconclusive", concluded.Status, concluded.Reason)
	}
}
