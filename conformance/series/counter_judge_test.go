package series

import (
	"math/rand/v2"
	"testing"

	"github.com/ratecheck/ratecheck/conformance/records"
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

// The counter judge counts the requests surely in each window as it needs
// them, steps its count of the admissions before a window on from the last
// one's and counts the charged as it goes; it must judge as counting them
// all first, searching and summing each count afresh, does (overEager):
// on random series, some with latency spikes across window boundaries.
func TestCounterOverCountsLazily(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 1))
	for run := range 400 {
		n := 1 + r.IntN(300)
		recs := make([]records.Record, n)
		var at int64
		for i := range recs {
			at += int64(r.IntN(5)) * 1e6
			lat := uint32(r.IntN(3000))
			if run%2 == 1 && r.IntN(30) == 0 {
				lat = uint32(r.IntN(200_000)) // a spike
			}
			recs[i] = records.Record{Seq: int32(i), Sent: at, Latency: lat, Status: []int32{200, 200, 429, 0}[r.IntN(4)]}
		}
		s := New("", recs, 0)
		w := int64(5+r.IntN(100)) * 1e6 // windows wider than the arrival intervals (4 ms and more)
		c := NewCounterJudge(s, w, int64(1+r.IntN(40)))
		phase, delta := int64(r.IntN(int(w))), int64(r.IntN(5000))*[]int64{1, 1000}[r.IntN(2)]
		for _, stop := range []bool{false, true} {
			got, want := NewStateEval(s), NewStateEval(s)
			gotAt, gotOK := c.overUntil(phase, delta, &got, stop)
			wantAt, wantOK := c.overEager(phase, delta, &want, stop)
			if gotAt != wantAt || gotOK != wantOK {
				t.Fatalf("overUntil(stop %v) = %d, %v; want %d, %v", stop, gotAt, gotOK, wantAt, wantOK)
			}
			for i := range s.Reqs {
				if got.Out[i] != want.Out[i] || got.DetOf(i) != want.DetOf(i) {
					t.Fatalf("request %d (stop %v): %v %+v; want %v %+v", i, stop, got.Out[i], got.DetOf(i), want.Out[i], want.DetOf(i))
				}
			}
		}
	}
}

// overEager is overUntil counting every request surely in a window first,
// in a map, and searching and summing each count afresh, as it was first
// written.
func (c *CounterJudge) overEager(phase, delta int64, ev *StateEval, stop bool) (at int64, ok bool) {
	s, w := c.s, c.w
	sure := map[int64]int64{}
	for _, i32 := range c.adm {
		i := int(i32)
		if first, last := c.window(phase, delta, s.Lo(i), s.Hi(i)); first == last {
			sure[first]++
		}
	}
	charged := newFenwick(len(c.adm))
	for _, k32 := range c.order {
		k := int(k32)
		i := int(c.adm[k])
		ev.Out[i] = AdmitOK
		kw, last := c.window(phase, delta, s.Lo(i), s.Hi(i))
		if kw != last {
			charged.add(k)
			continue
		}
		start := kw*w + phase
		from := countBelow(c.admLo, start+delta)
		in := charged.sum(len(c.adm)) - charged.sum(from)
		f := float64(s.Hi(i)-start+delta) / float64(w)
		if est := float64(sure[kw-1])*(1-f) + float64(in); est >= float64(c.n) {
			ev.Out[i] = AdmitOver
			ref := int32(-1)
			if in > 0 {
				ref = int32(c.adm[charged.find(charged.sum(from)+1)])
			}
			ev.overDetail(i, Detail{Ref: ref, Rank: int32(in + 1), Start: start, Level: est})
			if stop {
				return s.Hi(i), false
			}
			continue
		}
		charged.add(k)
	}
	return 0, true
}
