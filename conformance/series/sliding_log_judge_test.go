package series

import (
	"math/rand/v2"
	"testing"
)

// logOver, stepping its counts on, finds the over-admissions and details
// logOver as first written (logOverSearching) found: on random series with
// ties, spikes and unknown outcomes, for windows and limits small and large.
func TestLogOverAsSearching(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 11))
	overs := 0
	for run := range 300 {
		recs := jitteredRecords(r, r.IntN(800), []int32{200, 200, 200, 429, 0})
		s := New("", recs, 0)
		w, n := int64(1+r.IntN(200))*1e6, int64(1+r.IntN(30))
		got, want := NewStateEval(s), NewStateEval(s)
		logOver(s, w, n, &got)
		logOverSearching(s, w, n, &want)
		for i := range s.Reqs {
			if got.Out[i] != want.Out[i] || got.DetOf(i) != want.DetOf(i) {
				t.Fatalf("run %d (%d per %d ms), request %d: %v %+v; searching gives %v %+v", run, n, w/1e6, i, got.Out[i], got.DetOf(i), want.Out[i], want.DetOf(i))
			}
			if got.Out[i] == AdmitOver {
				overs++
			}
		}
	}
	if overs < 1000 {
		t.Errorf("%d over-admissions found; want many", overs)
	}
}

// logOverSearching is logOver as first written: each count searched and
// summed afresh.
func logOverSearching(s *Series, w, n int64, ev *StateEval) {
	adm, order := s.admittedByHi()
	admLo := make([]int64, len(adm))
	for k, i := range adm {
		admLo[k] = s.Lo(int(i))
	}
	charged := newFenwick(len(adm))
	for _, k32 := range order {
		k := int(k32)
		i := int(adm[k])
		ev.Out[i] = AdmitOK
		from := countBelow(admLo, s.Hi(i)-w+1)
		if s.Lo(i) > s.Hi(i)-w {
			if c := charged.sum(len(adm)) - charged.sum(from); c+1 > n {
				first := int(adm[charged.find(charged.sum(from)+1)])
				ev.Out[i] = AdmitOver
				ev.overDetail(i, Detail{Ref: int32(first), Rank: int32(c + 1), Start: s.Lo(first)})
				continue
			}
		}
		charged.add(k)
	}
}
