package dashboard

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/ratecheck/ratecheck/conformance/check"
)

// TestPending: while the run goes, a check that has neither passed nor
// failed reads as pending until the phases that decide it have run when the
// checks were judged (Frame.Judged); then, when the run is done, when it
// points at another check, or when no phase of the plan decides it, its own
// message shows.
func TestPending(t *testing.T) {
	base := contractFrame() // phases 0-4: under, at, over, pause, recovery; 5-11: contract
	find := func(f Frame, id check.ID) check.Result {
		for _, c := range f.Checks {
			if c.ID == id {
				return c
			}
		}
		t.Fatalf("fixture has no %s", id)
		return check.Result{}
	}
	for _, tc := range []struct {
		name   string
		id     check.ID
		change func(*Frame, *check.Result)
		want   string
	}{
		{"auth phases to come", check.AuthMissingKey, nil, "pending: runs in the contract phases"},
		{"auth phases run, judged before the quota test", check.AuthInvalidKey, func(f *Frame, _ *check.Result) { f.Judged = 11 }, "pending: runs in the contract phases"},
		{"every phase judged", check.AuthMissingKey, func(f *Frame, _ *check.Result) { f.Judged = len(f.Phases) }, ""},
		{"run done", check.AuthMissingKey, func(f *Frame, _ *check.Result) { f.Done = true }, ""},
		{"no phase of the plan decides it", check.LimitPerKey, nil, ""},
		{"passed already", check.AuthNotCounted, func(_ *Frame, c *check.Result) { c.Status = check.Pass }, ""},
		{"quota test to come", check.QuotaEnforced, nil, "pending: runs in the contract phases"},
		{"a header check reads every phase", check.HeadersReset, nil, ""},
		{"over phase to come", check.LimitEnforced, func(f *Frame, c *check.Result) {
			f.Judged, c.Status, c.Message = 1, check.Skip, "no window was driven past the limit"
		}, "pending: runs in the at and over phases"},
		{"pointing at the check that failed", check.TimingOnset, func(f *Frame, c *check.Result) {
			f.Judged, c.Status, c.See = 1, check.Skip, check.LimitEnforced
		}, ""},
		{"recovery to come", check.RecoveryAfterWindow, nil, "pending: runs in the recovery phase"},
	} {
		f := base
		c := find(f, tc.id)
		if tc.change != nil {
			tc.change(&f, &c)
		}
		if got := f.pending(c); got != tc.want {
			t.Errorf("%s: pending(%s) = %q; want %q", tc.name, tc.id, got, tc.want)
		}
	}
}

// TestViewShowsContractChecksPending: in the running dashboard the contract
// checks read as pending, and no skip message of theirs shows, at 80×24 and
// 160×48; once their phases have run, their messages show.
func TestViewShowsContractChecksPending(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		f := contractFrame()
		view := ansi.Strip(show(t, f, size[0], size[1]).View())
		if strings.Contains(view, "was answered") || strings.Contains(view, "not answered") {
			t.Errorf("at %dx%d the view shows a skip reason of a check whose phases have not run:\n%s", size[0], size[1], view)
		}
		if !strings.Contains(view, "pending") {
			t.Errorf("at %dx%d the view says nothing is pending:\n%s", size[0], size[1], view)
		}
		f.Judged = len(f.Phases)
		if size[1] >= 48 {
			if view := ansi.Strip(show(t, f, size[0], size[1]).View()); !strings.Contains(view, "no request without a key was answered") {
				t.Errorf("at %dx%d, every phase judged, the skip reason is not shown:\n%s", size[0], size[1], view)
			}
		}
	}
}
