package series

import (
	"math/rand/v2"
	"testing"
)

func TestMinTreeMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 2, 3, 5, 7, 64, 65, 100, 1000} {
		vals := make([]float64, n)
		for k := range vals {
			vals[k] = r.Float64() * 10
		}
		tree := newMinTree(n, func(k int) float64 { return vals[k] })
		for range 500 {
			k := r.IntN(n)
			if r.IntN(2) == 0 {
				v := r.Float64()*4 - 2
				tree.add(k, v)
				for x := 0; x <= k; x++ {
					vals[x] += v
				}
				continue
			}
			want, at := vals[0], 0
			for x := 1; x <= k; x++ {
				if vals[x] < want {
					want, at = vals[x], x
				}
			}
			got, gotAt := tree.min(k)
			if diff := got - want; diff > 1e-9 || diff < -1e-9 || vals[gotAt] != vals[at] {
				t.Fatalf("n=%d: min(%d) = %v at %d; want %v at %d", n, k, got, gotAt, want, at)
			}
		}
	}
}

func TestFenwick(t *testing.T) {
	f := newFenwick(10)
	marked := []int{1, 4, 5, 9}
	for _, k := range marked {
		f.add(k)
	}
	for k, want := range []int64{0, 0, 1, 1, 1, 2, 3, 3, 3, 3, 4} {
		if got := f.sum(k); got != want {
			t.Errorf("sum(%d) = %d; want %d", k, got, want)
		}
	}
	for c, want := range marked {
		if got := f.find(int64(c + 1)); got != want {
			t.Errorf("find(%d) = %d; want %d", c+1, got, want)
		}
	}
}
