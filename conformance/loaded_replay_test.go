package conformance

import (
	"testing"

	"github.com/ratecheck/ratecheck/conformance/check"
)

// TestLoadedRunsFailOnlyTheirCheck replays fault-matrix runs recorded on a
// machine so loaded that latencies reached hundreds of milliseconds (arrival
// intervals as wide as a whole window): each fault must still fail its own
// check and no other model or header check. Response bodies were dropped
// from the recordings to keep them small; body.error-format is not judged.
//
//   - loaded-bucket-slow-recovery: a latency spike split one long penalty
//     into two interleaved streaks; the one holding a few rejections with
//     a token or two left came first and looked early.
//   - loaded-gcra-slow-recovery: the same, in a GCRA limiter.
//   - loaded-window-slow-recovery: clock-aligned windows; after the late
//     lift the server admitted a full window and rejected again in the box.
//   - loaded-window-slow-recovery-remaining: a 429 said Remaining 0 during
//     the penalty and the window then admitted: the wrongful rejection is
//     recovery.after-window's, not a header fault.
//   - loaded-window-early-reject: Remaining said 9 and a 429 followed, at a
//     rejection the model leaves ambiguous while it blames sure early ones.
//   - loaded-leaky-slow-recovery-late-send: answers of 0.6–1.8 s from a
//     machine sending phases late; two rejections of the penalty's streak,
//     sent after every one of it, may have arrived before an admission the
//     limiting ones may have followed, and were cut off as a streak of their
//     own that began early (limit.no-early-reject failed beside recovery).
//
// And one run of a real limiter, on an idle machine:
//
//   - haproxy-counts-denied: HAProxy rating every request, denied ones too
//     (http_req_rate), promised as a sliding window: its counter let 21
//     through within 0.95 s where the over phase began, which the sliding
//     log blamed, beside the late recovery that is its one defect.
func TestLoadedRunsFailOnlyTheirCheck(t *testing.T) {
	judged := []check.ID{check.LimitEnforced, check.LimitNoEarlyReject, check.LimitStatus, check.TimingOnset, check.RecoveryAfterWindow,
		check.HeadersLimit, check.HeadersRemaining, check.HeadersReset, check.HeadersRetryAfter}
	tests := []struct {
		dir   string
		fails check.ID
	}{
		{"testdata/loaded-bucket-slow-recovery", check.RecoveryAfterWindow},
		{"testdata/loaded-gcra-slow-recovery", check.RecoveryAfterWindow},
		{"testdata/loaded-window-slow-recovery", check.RecoveryAfterWindow},
		{"testdata/loaded-window-slow-recovery-remaining", check.RecoveryAfterWindow},
		{"testdata/loaded-window-early-reject", check.LimitNoEarlyReject},
		{"testdata/loaded-leaky-slow-recovery-late-send", check.RecoveryAfterWindow},
		{"testdata/haproxy-counts-denied", check.RecoveryAfterWindow},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			v := replay(t, tt.dir)
			for _, id := range judged {
				c := resultOf(t, v, id)
				if got, want := c.Status == check.Fail, id == tt.fails; got != want {
					t.Errorf("%s = %s (%s); want failed=%v", id, c.Status, c.Message, want)
				}
			}
		})
	}
}
