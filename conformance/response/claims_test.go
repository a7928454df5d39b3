package response

import (
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/scenarios"
)

// whole is a Model whose family frees its quota all at once (or not).
type whole bool

func (whole) RemainingSlack(*scenarios.Limit, time.Duration) (int64, bool) { return 0, true }
func (w whole) ResetsWhole() bool                                          { return bool(w) }
func (w whole) MayFreeAll() bool                                           { return bool(w) }
func (whole) Holds(l *scenarios.Limit) (int64, time.Duration, time.Duration) {
	return l.Requests, l.Window, l.Window
}

// TestClaimLag checks how long after a claimed reset or wait the claim
// stores of headers.reset and headers.retry-after let a limit still refuse:
// nothing for a family that frees its quota at once, one request's interval
// for one that frees it gradually, or for an open algorithm.
func TestClaimLag(t *testing.T) {
	l := &scenarios.Limit{Name: "per-second", Requests: 20, Window: time.Second}
	for _, tt := range []struct {
		name  string
		model Model
		want  time.Duration
	}{
		{"fixed window", whole(true), 0},
		{"frees gradually", whole(false), 50 * time.Millisecond},
		{"open algorithm", nil, 50 * time.Millisecond},
	} {
		if got := newClaimStore(nil, l, nil, tt.model).lag; time.Duration(got) != tt.want {
			t.Errorf("%s: lag = %v; want %v", tt.name, time.Duration(got), tt.want)
		}
	}
}
