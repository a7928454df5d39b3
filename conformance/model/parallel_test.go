package model

import (
	"slices"
	"testing"
)

// InOrder folds every result in index order however many workers run the
// jobs, and a fold that stops sees nothing after.
func TestInOrder(t *testing.T) {
	for _, workers := range []int{0, 1, 2, 5} {
		for _, stopAt := range []int{-1, 0, 3, 9} {
			var got []int
			InOrder(10, workers, func(k int) int { return k * k }, func(k, v int) bool {
				if v != k*k {
					t.Errorf("workers %d: fold(%d, %d); want the result of job %d, %d", workers, k, v, k, k*k)
				}
				got = append(got, k)
				return k != stopAt
			})
			want := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
			if stopAt >= 0 {
				want = want[:stopAt+1]
			}
			if !slices.Equal(got, want) {
				t.Errorf("InOrder(10, %d) stopping at %d folded %v; want %v", workers, stopAt, got, want)
			}
		}
	}
}
