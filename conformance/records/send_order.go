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

// SortBySend sorts records by send time, then sequence number, as
// slices.SortFunc(recs, bySendOrder) does.
// Records come from the collector in the order they were observed, which is
// send order but for the jitter of concurrent sends: each a few places from
// where it belongs. An insertion sort puts those in place in linear time,
// where slices.SortFunc took 4% of re-judging a run. Records that are far out
// of order (more than insertionMoves moves a record) or hold the same Sent
// and Seq twice (whose order slices.SortFunc leaves as it happens to) are
// sorted by slices.SortFunc from the order they came in, so the result is
// always its result.
func SortBySend(recs []Record) {
	if inSendOrder(recs) {
		return
	}
	came := slices.Clone(recs)
	if insertionSort(recs, insertionMoves*len(recs)) && inSendOrder(recs) {
		return
	}
	copy(recs, came)
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
// moves; it reports false, leaving recs in no useful order, when that is not
// enough.
func insertionSort(recs []Record, moves int) bool {
	for i := 1; i < len(recs); i++ {
		r := recs[i]
		j := i
		for j > 0 && bySendOrder(r, recs[j-1]) < 0 {
			recs[j] = recs[j-1]
			j--
		}
		if moves -= i - j; moves < 0 {
			return false
		}
		recs[j] = r
	}
	return true
}
