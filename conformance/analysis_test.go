package conformance

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"testing"

	"github.com/ratecheck/ratecheck/conformance/model"
	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/conformance/series"
)

// sortRefs, which leaves refs already in order as they are, orders them as
// the stable sort it first was: refs of one series and of several, in send
// order, nearly so and shuffled, with requests sent at once.
func TestSortRefsAsStable(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 7))
	sorted := 0
	for run := range 300 {
		var all []*series.Series
		for range 1 + r.IntN(3) {
			recs := make([]records.Record, 1+r.IntN(200))
			var at int64
			for i := range recs {
				at += int64(r.IntN(3)) * 1e6 // sent at once too
				recs[i] = records.Record{Sent: at, Seq: int32(r.IntN(1000)), Status: 200}
			}
			all = append(all, series.New("", recs, 0))
		}
		var refs []model.Ref
		for _, s := range all {
			for i := range s.Reqs {
				if r.IntN(3) > 0 {
					refs = append(refs, model.Ref{S: s, I: i})
				}
			}
		}
		switch r.IntN(3) {
		case 0:
			r.Shuffle(len(refs), func(x, y int) { refs[x], refs[y] = refs[y], refs[x] })
		case 1:
			if len(refs) > 1 {
				x := r.IntN(len(refs) - 1)
				refs[x], refs[x+1] = refs[x+1], refs[x]
			}
		}
		want := slices.Clone(refs)
		sort.SliceStable(want, func(x, y int) bool {
			a, b := want[x].Rec(), want[y].Rec()
			if a.Sent != b.Sent {
				return a.Sent < b.Sent
			}
			return a.Seq < b.Seq
		})
		if slices.IsSortedFunc(refs, compareRefs) {
			sorted++
		}
		sortRefs(refs)
		if !reflect.DeepEqual(refs, want) {
			t.Fatalf("run %d: %d refs ordered otherwise than by the stable sort", run, len(refs))
		}
	}
	if sorted < 30 {
		t.Errorf("%d of 300 runs came in order; want many", sorted)
	}
}
