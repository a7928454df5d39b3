package response

import (
	"strings"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
)

// TestExplains: a finding between two records is the model's defect when
// the model blames a request between them, one of the finding's kind near
// it, or one of that kind anywhere in the run (the model may see the defect
// in another window than the headers); a blame of another kind does not
// explain it. A check that could not decide whether its defect is there
// leaves a finding of its kind undecided, after every blame.
func TestExplains(t *testing.T) {
	s := &respSeries{Recs: []respRec{{seq: 10, sent: 10e9}, {seq: 11, sent: 10.1e9}, {seq: 12, sent: 10.2e9}}}
	window := int64(time.Second)
	tests := []struct {
		name  string
		blame func(b *check.Blames)
		ids   []check.ID
		want  check.ID // "" when nothing explains it
		undec bool     // left undecided rather than blamed
	}{
		{"nothing blamed", func(*check.Blames) {}, []check.ID{check.LimitEnforced}, "", false},
		{"a request between", func(b *check.Blames) { b.Add(11, 10.1e9, check.LimitNoEarlyReject) }, []check.ID{check.LimitEnforced}, check.LimitNoEarlyReject, false},
		{"its kind, near", func(b *check.Blames) { b.Add(3, 9.5e9, check.LimitEnforced) }, []check.ID{check.LimitEnforced}, check.LimitEnforced, false},
		{"its kind, in another window", func(b *check.Blames) { b.Add(3, 2e9, check.LimitEnforced) }, []check.ID{check.LimitEnforced}, check.LimitEnforced, false},
		{"another kind, far", func(b *check.Blames) { b.Add(3, 2e9, check.RecoveryAfterWindow) }, []check.ID{check.LimitEnforced}, "", false},
		{"its kind, undecided", func(b *check.Blames) { b.MarkUndecided(check.LimitNoEarlyReject) }, []check.ID{check.LimitNoEarlyReject}, check.LimitNoEarlyReject, true},
		{"another kind, undecided", func(b *check.Blames) { b.MarkUndecided(check.LimitNoEarlyReject) }, []check.ID{check.LimitEnforced}, "", false},
		{"blamed before undecided", func(b *check.Blames) {
			b.MarkUndecided(check.LimitNoEarlyReject)
			b.Add(3, 2e9, check.RecoveryAfterWindow)
		}, []check.ID{check.LimitNoEarlyReject, check.RecoveryAfterWindow}, check.RecoveryAfterWindow, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b check.Blames
			tt.blame(&b)
			b.Sort()
			d := newDeferred()
			got := explains(b, s, 0, 2, window, d, tt.ids...)
			counted := d.blamed
			if tt.undec {
				counted = d.undecided
			}
			if got != (tt.want != "") || tt.want != "" && counted[tt.want] == 0 {
				t.Errorf("explains = %v, deferred %v; want %q", got, d, tt.want)
			}
		})
	}
}

// TestDeferredResult: findings left to a check that blames their defect
// point at it and keep the run decidable; findings left only to a check that
// could not decide are undecided with it; a blamed defect wins over an
// undecided one; none left is no result.
func TestDeferredResult(t *testing.T) {
	tests := []struct {
		name          string
		blamed, undec map[check.ID]int
		wantOK        bool
		wantSee       check.ID
		wantUndecided bool
	}{
		{"nothing left", nil, nil, false, "", false},
		{"blamed", map[check.ID]int{check.LimitNoEarlyReject: 2}, nil, true, check.LimitNoEarlyReject, false},
		{"undecided", nil, map[check.ID]int{check.LimitNoEarlyReject: 3}, true, check.LimitNoEarlyReject, true},
		{"blamed and undecided", map[check.ID]int{check.LimitEnforced: 1}, map[check.ID]int{check.LimitNoEarlyReject: 3}, true, check.LimitEnforced, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDeferred()
			for id, n := range tt.blamed {
				d.blamed[id] = n
			}
			for id, n := range tt.undec {
				d.undecided[id] = n
			}
			res, ok := d.result(check.Result{ID: check.HeadersRemaining}, "X-RateLimit-Remaining")
			if ok != tt.wantOK {
				t.Fatalf("result ok = %v; want %v", ok, tt.wantOK)
			}
			if !ok {
				return
			}
			if res.Status != check.Skip || res.See != tt.wantSee || res.Undecided != tt.wantUndecided || !strings.Contains(res.Message, string(tt.wantSee)) {
				t.Errorf("result = %s see=%q undecided=%v (%s); want skip, see %q, undecided %v", res.Status, res.See, res.Undecided, res.Message, tt.wantSee, tt.wantUndecided)
			}
		})
	}
}
