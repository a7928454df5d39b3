package records

import (
	"cmp"
	"slices"
)

// bySendOrder orders records by Sent, then Seq: the order of a series.
func bySendOrder(a, b Record) int {
	if c := cmp.Compare(a.Sent, b.Sent); c != 0 {
		return c
	}
	return cmp.Compare(a.Seq, b.Seq)
}

// SortBySend sorts records by send time, then sequence number.
// Records come from the collector in the order they were observed, which is
// send order but for the jitter of concurrent sends: each a few places from
// where it belongs, which SortNearly puts in place in linear time, where
// slices.SortFunc took 4% of re-judging a run. A run's records have unique
// sequence numbers, so there is one sorted order, whichever sort reaches
// it; no copy of the records is kept to start over from (a stretch's copy
// showed in a live run's peak memory).
func SortBySend(recs []Record) { SortNearly(recs, bySendOrder) }

// nearlyMoves is how many moves a value SortNearly's insertion sort may
// make on average before it gives up on it.
const nearlyMoves = 8

// SortNearly sorts xs by cmp, expecting each a few places from where it
// belongs (requests in send order by their latest arrival, or records as
// collected by send order): by insertion, in linear time, while that takes
// at most nearlyMoves moves a value on average; past that, with
// slices.SortFunc from where the insertion left them. The order of values
// cmp finds equal is the insertion's then, not slices.SortFunc's: callers
// whose values can tie must not mind.
func SortNearly[T any](xs []T, cmp func(a, b T) int) {
	moves := nearlyMoves * len(xs)
	for i := 1; i < len(xs); i++ {
		x := xs[i]
		j := i
		for j > 0 && cmp(x, xs[j-1]) < 0 {
			xs[j] = xs[j-1]
			j--
		}
		xs[j] = x
		if moves -= i - j; moves < 0 {
			slices.SortFunc(xs, cmp)
			return
		}
	}
}
