package conformance

import (
	"testing"

	"github.com/ratecheck/ratecheck/conformance/check"
)

// TestEnforcedFarWindowsNeedAnEpisodeThatCouldShowIt replays the reference
// target's fixed window admitting 21 for a promise of 20 (first-request-
// aligned; clock-aligned in opened-before, judged best as first-request-
// aligned), behind a 50 ms ± 25 ms link (finding F1, fixed). Every window's 21st admission is
// ambiguous, so no window can show it for sure; limit.enforced passed all
// the same, on one window each run called clean:
//   - reordered-tail: the window's 21st admission was sent just after its
//     first rejection and reached the server before it, so in send order it
//     lay outside the episode;
//   - split-streak: the window's first admission was sent before the
//     previous streak's last rejections, and a rejection streak split by an
//     admission that only may have arrived in it made an "episode" that
//     filled no window;
//   - opened-before: the first window of the over phase, whose 21st admission
//     was the under phase's last request, sent 100 ms before the burst the
//     chain opened the window with; it may have arrived after that opener,
//     and opened the window itself.
//
// Arrival decides which admissions an episode holds, a window's episode
// needs one admission surely between its rejections, and none sent before
// its window's opener that may have arrived after it: limit.enforced must
// not pass (the link hides one request in these windows), and nothing else
// may fail. In reordered-tail and split-streak the link hides every window's
// 21st admission: limit.enforced is undecided and the run inconclusive. In
// opened-before (clock-aligned windows judged as a chain) the chain that
// called every window clean held admissions surely after a rejection of
// their own window in two windows, which no fixed window does; counting
// those against a chain (F14), the chain chosen shows three windows of 21
// surely, and limit.enforced fails.
func TestEnforcedFarWindowsNeedAnEpisodeThatCouldShowIt(t *testing.T) {
	for _, tt := range []struct {
		dir       string
		undecided bool
	}{
		{"testdata/far-window-off-by-one-reordered-tail", true},
		{"testdata/far-window-off-by-one-split-streak", true},
		{"testdata/far-window-off-by-one-opened-before", false},
	} {
		v, concluded := replayConcluded(t, tt.dir)
		c := resultOf(t, v, check.LimitEnforced)
		switch {
		case tt.undecided && (c.Status != check.Skip || !c.Undecided):
			t.Errorf("%s: limit.enforced = %s undecided=%v (%s); want undecided", tt.dir, c.Status, c.Undecided, c.Message)
		case !tt.undecided && c.Status != check.Fail:
			t.Errorf("%s: limit.enforced = %s (%s); want fail", tt.dir, c.Status, c.Message)
		}
		if concluded.Status == check.Pass {
			t.Errorf("%s: the run concludes pass; an off-by-one the link hides must not pass", tt.dir)
		}
		for _, c := range v.Checks {
			if c.Status == check.Fail && c.ID != check.LimitEnforced {
				t.Errorf("%s: %s failed (%s); want no failure but the fault's own", tt.dir, c.ID, c.Message)
			}
		}
	}
}
