package response

import (
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
)

// TestExplains: a finding between two records is the model's defect when
// the model blames a request between them, one of the finding's kind near
// it, or one of that kind anywhere in the run (the model may see the defect
// in another window than the headers); a blame of another kind does not
// explain it.
func TestExplains(t *testing.T) {
	s := &respSeries{Recs: []respRec{{seq: 10, sent: 10e9}, {seq: 11, sent: 10.1e9}, {seq: 12, sent: 10.2e9}}}
	window := int64(time.Second)
	tests := []struct {
		name  string
		blame func(b *check.Blames)
		ids   []check.ID
		want  check.ID // "" when nothing explains it
	}{
		{"nothing blamed", func(*check.Blames) {}, []check.ID{check.LimitEnforced}, ""},
		{"a request between", func(b *check.Blames) { b.Add(11, 10.1e9, check.LimitNoEarlyReject) }, []check.ID{check.LimitEnforced}, check.LimitNoEarlyReject},
		{"its kind, near", func(b *check.Blames) { b.Add(3, 9.5e9, check.LimitEnforced) }, []check.ID{check.LimitEnforced}, check.LimitEnforced},
		{"its kind, in another window", func(b *check.Blames) { b.Add(3, 2e9, check.LimitEnforced) }, []check.ID{check.LimitEnforced}, check.LimitEnforced},
		{"another kind, far", func(b *check.Blames) { b.Add(3, 2e9, check.RecoveryAfterWindow) }, []check.ID{check.LimitEnforced}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b check.Blames
			tt.blame(&b)
			b.Sort()
			d := deferred{}
			got := explains(b, s, 0, 2, window, d, tt.ids...)
			if got != (tt.want != "") || tt.want != "" && d[tt.want] == 0 {
				t.Errorf("explains = %v, deferred %v; want %q", got, d, tt.want)
			}
		})
	}
}
