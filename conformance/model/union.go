package model

import (
	"time"

	"github.com/ratecheck/ratecheck/scenarios"
)

// Union is several limiter families as one model of the headers, for an
// algorithm that leaves them open (any, sliding-window): it gives back
// quota within a window only where every family may, and always as much as
// the most generous; a 0 stays 0 only if it does in every family; a fresh
// client has the smallest quota, and an admission counts as long as in the
// family that keeps it longest.
type Union []Family

// RemainingSlack is the most any family gives back, where all may.
func (fs Union) RemainingSlack(l *scenarios.Limit, d time.Duration) (int64, bool) {
	most := int64(0)
	for _, f := range fs {
		n, ok := f.RemainingSlack(l, d)
		if !ok {
			return 0, false
		}
		most = max(most, n)
	}
	return most, true
}

// ResetsWhole reports whether a 0 stays 0 in every family.
func (fs Union) ResetsWhole() bool {
	for _, f := range fs {
		if !f.ResetsWhole() {
			return false
		}
	}
	return true
}

// MayFreeAll reports whether some family frees everything at once.
func (fs Union) MayFreeAll() bool {
	for _, f := range fs {
		if f.MayFreeAll() {
			return true
		}
	}
	return false
}

// Holds is the smallest quota and the longest memory of the families.
func (fs Union) Holds(l *scenarios.Limit) (quota int64, whole, gone time.Duration) {
	for i, f := range fs {
		q, w, g := f.Holds(l)
		if i == 0 || q < quota {
			quota = q
		}
		whole, gone = max(whole, w), max(gone, g)
	}
	return quota, whole, gone
}
