package series

import (
	"math/rand/v2"
	"testing"
)

// windowCounts counts as a map does, whether the windows come in ascending
// order (as overUntil adds them) or not.
func TestWindowCountsMatchMap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 9))
	for _, ascending := range []bool{true, false} {
		for range 100 {
			var wc windowCounts
			wc.reset()
			want := map[int64]int64{}
			k := int64(r.IntN(20)) - 10
			for range r.IntN(200) {
				if ascending {
					k += int64(r.IntN(3))
				} else {
					k = int64(r.IntN(40)) - 20
				}
				wc.add(k)
				want[k]++
			}
			for k := int64(-30); k < 500; k++ {
				if got := wc.get(k); got != want[k] {
					t.Fatalf("ascending %v: get(%d) = %d; want %d", ascending, k, got, want[k])
				}
			}
		}
	}
}
