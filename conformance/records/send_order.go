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
// where it belongs. An insertion sort puts those in place in linear time,
// where slices.SortFunc took 4% of re-judging a run. Records that are far out
// of order (more than insertionMoves moves a record) are sorted by
// slices.SortFunc from where the insertion sort left them. A run's records
// have unique sequence numbers, so there is one sorted order, whichever
// sort reaches it; no copy of the records is kept to start over from (a
// stretch's copy showed in a live run's peak memory).
func SortBySend(recs []Record) {
	if inSendOrder(recs) {
		return
	}
	if insertionSort(recs, insertionMoves*len(recs)) {
		return
	}
	slices.SortFunc(recs, bySendOrder)
}

// insertionMoves is how many moves a record insertionSort may make on
// average before SortBySend gives up on it.
const insertionMoves = 8

// inSendOrder reports whether recs are in strictly increasing send order:
// sorted, and no two alike.
func inSendOrder(recs []Record) bool {
	for k := 1; k < len(recs); k++ {
		if bySendOrder(recs[k-1], recs[k]) >= 0 {
			return false
		}
	}
	return true
}

// insertionSort sorts recs in send order, stably, making at most moves
// moves; it reports false, leaving recs a permutation of what they were,
// when that is not enough.
func insertionSort(recs []Record, moves int) bool {
	for i := 1; i < len(recs); i++ {
		r := recs[i]
		j := i
		for j > 0 && bySendOrder(r, recs[j-1]) < 0 {
			recs[j] = recs[j-1]
			j--
		}
		recs[j] = r
		if moves -= i - j; moves < 0 {
			return false
		}
	}
	return true
}
