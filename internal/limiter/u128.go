package limiter

import (
	"math"
	"math/bits"
)

// u128 is an unsigned 128-bit integer. The bucket families keep their levels in
// "scaled" units (one request = Window nanoseconds' worth of N, see bucket.go) so
// that every refill is exact; a day-long window with a large limit overflows 64
// bits, 128 never does (Limit < 2^63, Window < 2^63 ns).
type u128 struct{ hi, lo uint64 }

// mul returns a×b exactly.
func mul(a, b uint64) u128 {
	hi, lo := bits.Mul64(a, b)
	return u128{hi, lo}
}

// add returns x+y, saturating at the maximum value.
func (x u128) add(y u128) u128 {
	lo, carry := bits.Add64(x.lo, y.lo, 0)
	hi, over := bits.Add64(x.hi, y.hi, carry)
	if over != 0 {
		return u128{math.MaxUint64, math.MaxUint64}
	}
	return u128{hi, lo}
}

// sub returns x−y, or zero when y > x.
func (x u128) sub(y u128) u128 {
	if x.less(y) {
		return u128{}
	}
	lo, borrow := bits.Sub64(x.lo, y.lo, 0)
	hi, _ := bits.Sub64(x.hi, y.hi, borrow)
	return u128{hi, lo}
}

// less reports whether x < y.
func (x u128) less(y u128) bool {
	return x.hi < y.hi || (x.hi == y.hi && x.lo < y.lo)
}

// min returns the smaller of x and y.
func (x u128) min(y u128) u128 {
	if y.less(x) {
		return y
	}
	return x
}

// max returns the larger of x and y.
func (x u128) max(y u128) u128 {
	if x.less(y) {
		return y
	}
	return x
}

// isZero reports whether x == 0.
func (x u128) isZero() bool { return x.hi == 0 && x.lo == 0 }

// div returns ⌊x/d⌋, saturating at math.MaxInt64 (d > 0).
func (x u128) div(d uint64) int64 {
	if x.hi >= d {
		return math.MaxInt64
	}
	q, _ := bits.Div64(x.hi, x.lo, d)
	return clampInt64(q)
}

// divCeil returns ⌈x/d⌉, saturating at math.MaxInt64 (d > 0).
func (x u128) divCeil(d uint64) int64 {
	if x.hi >= d {
		return math.MaxInt64
	}
	q, r := bits.Div64(x.hi, x.lo, d)
	if r != 0 {
		if q == math.MaxUint64 {
			return math.MaxInt64
		}
		q++
	}
	return clampInt64(q)
}

func clampInt64(q uint64) int64 {
	if q > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(q)
}

// addNs returns t+d in nanoseconds, saturating at math.MaxInt64 (d ≥ 0).
func addNs(t, d int64) int64 {
	if t > 0 && d > math.MaxInt64-t {
		return math.MaxInt64
	}
	return t + d
}
