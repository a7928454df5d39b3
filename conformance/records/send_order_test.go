package records

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

// SortBySend gives slices.SortFunc's order for records in every order
// they may come in: nearly sorted (the jitter of concurrent sends), sorted,
// reversed, shuffled. With the same Sent and Seq twice (which a run never
// has) it sorts them all the same, twins side by side in either order.
func TestSortBySendOrderAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for round := range 2000 {
		n := r.IntN(300)
		if round%100 == 0 {
			n = 20_000
		}
		recs := make([]Record, n)
		for i := range recs {
			recs[i] = Record{Sent: int64(i) * 62_500, Seq: int32(i), Status: int32(r.IntN(3))}
		}
		switch round % 5 {
		case 0: // jitter
			for i := range recs {
				recs[i].Sent += r.Int64N(200_000)
			}
		case 1: // sorted
		case 2: // reversed
			slices.Reverse(recs)
		case 3: // shuffled
			r.Shuffle(n, func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
		case 4: // jitter and twins: the same Sent and Seq, another status
			for i := range recs {
				recs[i].Sent += r.Int64N(200_000)
				if i > 0 && r.IntN(10) == 0 {
					recs[i].Sent, recs[i].Seq = recs[i-1].Sent, recs[i-1].Seq
				}
			}
		}
		want, got := slices.Clone(recs), slices.Clone(recs)
		slices.SortFunc(want, bySendOrder)
		SortBySend(got)
		if round%5 == 4 {
			// Twins in either order: the same records, sorted.
			byAll := func(a, b Record) int { return cmp.Or(bySendOrder(a, b), cmp.Compare(a.Status, b.Status)) }
			sortedGot := slices.Clone(got)
			slices.SortStableFunc(sortedGot, byAll)
			slices.SortStableFunc(want, byAll)
			if !slices.IsSortedFunc(got, bySendOrder) || !slices.Equal(sortedGot, want) {
				t.Fatalf("round %d (%d records, with twins): SortBySend left them unsorted, or lost or made records", round, n)
			}
			continue
		}
		if !slices.Equal(got, want) {
			t.Fatalf("round %d (%d records, kind %d): SortBySend differs from slices.SortFunc", round, n, round%5)
		}
	}
}

// BenchmarkSortBySendOrder sorts a stretch's records as they come from a
// run at 16,000 requests a second with up to 200 µs of send jitter, against
// slices.SortFunc.
func BenchmarkSortBySendOrder(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	came := make([]Record, 272_000)
	for i := range came {
		came[i] = Record{Sent: int64(i)*62_500 + r.Int64N(200_000), Seq: int32(i)}
	}
	recs := make([]Record, len(came))
	for _, bb := range []struct {
		name string
		sort func([]Record)
	}{
		{"SortBySend", SortBySend},
		{"slices.SortFunc", func(recs []Record) { slices.SortFunc(recs, bySendOrder) }},
	} {
		b.Run(bb.name, func(b *testing.B) {
			for b.Loop() {
				copy(recs, came)
				bb.sort(recs)
			}
		})
	}
}
