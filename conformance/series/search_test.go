package series

import (
	"math/rand/v2"
	"testing"

	"github.com/ratecheck/ratecheck/conformance/records"
)

// The searches judging makes give sort.Search's answers: loBelowNear from
// any hint, and chargedUnder the bound below which admittedMaybeIn stays
// under n.
func TestSearchesAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	for range 50 {
		n := r.IntN(300)
		recs := make([]records.Record, n)
		var at int64
		statuses := []int32{200, 429, 0}
		if r.IntN(4) == 0 {
			statuses = statuses[:1] // every request may have been charged
		}
		for i := range recs {
			at += int64(r.IntN(3)) * 1e6 // ties too
			recs[i] = records.Record{Sent: at, Latency: uint32(r.IntN(20_000)), Status: statuses[r.IntN(len(statuses))]}
		}
		s := New("", recs, 0)
		span := at + 10e6
		from := int64(r.IntN(int(span)+1)) - 5e6
		limit := int64(r.IntN(40)) - 2
		under := s.chargedUnder(from, limit)
		for range 200 {
			x := int64(r.IntN(int(span)+1)) - 5e6
			want := 0
			for want < n && s.Lo(want) < x {
				want++
			}
			if got := s.loBelow(x); got != want {
				t.Fatalf("loBelow(%d) = %d; want %d", x, got, want)
			}
			if hint := r.IntN(n+3) - 1; s.loBelowNear(x, hint) != want {
				t.Fatalf("loBelowNear(%d, %d) = %d; want %d", x, hint, s.loBelowNear(x, hint), want)
			}
			if to := max(x, from); (to <= under) != (s.admittedMaybeIn(from, to) < limit) {
				t.Fatalf("chargedUnder(%d, %d) = %d, but admittedMaybeIn(%d, %d) = %d", from, limit, under, from, to, s.admittedMaybeIn(from, to))
			}
		}
	}
}

// admittedByHi orders the admitted requests as sorting them by latest
// arrival, ties by send order, does.
func TestAdmittedByHi(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 2))
	for range 50 {
		n := r.IntN(300)
		recs := make([]records.Record, n)
		var at int64
		for i := range recs {
			at += int64(r.IntN(3)) * 1e5 // ties too
			recs[i] = records.Record{Seq: int32(i), Sent: at, Latency: uint32(r.IntN(3)) * 100, Status: []int32{200, 429, 0}[r.IntN(3)]}
		}
		s := New("", recs, 0)
		adm, order := s.admittedByHi()
		var want []int
		for i, ok := range s.Adm {
			if ok {
				want = append(want, i)
			}
		}
		if len(adm) != len(want) || len(order) != len(want) {
			t.Fatalf("admittedByHi: %d admitted, %d ordered; want %d", len(adm), len(order), len(want))
		}
		for k, i := range want {
			if int(adm[k]) != i {
				t.Fatalf("adm[%d] = %d; want %d", k, adm[k], i)
			}
		}
		for x := 1; x < len(order); x++ {
			a, b := order[x-1], order[x]
			if ha, hb := s.Hi(int(adm[a])), s.Hi(int(adm[b])); ha > hb || ha == hb && a >= b {
				t.Fatalf("order[%d] = %d (hi %d) before %d (hi %d)", x-1, a, ha, b, hb)
			}
		}
	}
}
