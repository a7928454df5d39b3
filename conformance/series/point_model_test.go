package series

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/records"
)

// TestPointFirstRequestFollowsTheServersResets checks the point model of
// first-request-aligned windows (10 per 500 ms) on 40 requests a second:
// a chain that one early point arrival moved a request late opens its next
// window where the server shows it opened one, and only there.
func TestPointFirstRequestFollowsTheServersResets(t *testing.T) {
	const ms = int64(time.Millisecond)
	// burst is one window of the over phase from start: admit admissions,
	// then rejections up to 20 requests, 25 ms apart.
	burst := func(start int64, admit int) (sent []int64, adm []bool) {
		for k := range 20 {
			sent = append(sent, start+int64(k)*25*ms)
			adm = append(adm, k < admit)
		}
		return sent, adm
	}
	tests := []struct {
		name    string
		lat     time.Duration
		admit   int // admissions per window
		blamed0 int // decisions of the first over window blamed (the chain is a request late)
		blamed1 int // and of the next
	}{
		// The first request opens a window until 503.5 ms; the server's
		// next window opened at 502 ms, so the chain opens at 527 ms and
		// blames the first window's 10 rejections; at 1,002 ms the server
		// admits after a rejection surely before: the chain opens there.
		{"a correct limiter: the chain is back in step", time.Millisecond, 10, 10, 0},
		// The same, admitting 11: the chain a request late holds 10 and
		// blames nothing; the server's next window opens while the
		// chain's is full (blamed, as the point arrivals place it), and in
		// step again the chain blames its eleventh admission.
		{"one too many stays blamed", time.Millisecond, 11, 0, 2},
		// 30 ms answers: no rejection surely arrived before the next
		// admission, so the chain keeps its own windows and goes on blaming.
		{"no sure order: the chain keeps its windows", 30 * time.Millisecond, 10, 10, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sent, adm := []int64{3 * ms}, []bool{true}
			for _, start := range []int64{502 * ms, 1002 * ms} {
				s, a := burst(start, tt.admit)
				sent, adm = append(sent, s...), append(adm, a...)
			}
			recs := make([]records.Record, len(sent))
			for i := range sent {
				recs[i] = records.Record{Sent: sent[i], Latency: records.LatencyMicros(int64(tt.lat)), Seq: int32(i), Status: 200}
				if !adm[i] {
					recs[i].Status = 429
				}
			}
			s := New("k", recs, 0)
			blamed := pointFirstRequest(s, 500*ms, 10)
			count := func(from, to int) (n int) {
				for _, b := range blamed[from:to] {
					if b {
						n++
					}
				}
				return n
			}
			if got := count(1, 21); got != tt.blamed0 {
				t.Errorf("first over window: %d blamed; want %d (%v)", got, tt.blamed0, blamed[1:21])
			}
			if got := count(21, 41); got != tt.blamed1 {
				t.Errorf("second over window: %d blamed; want %d (%v)", got, tt.blamed1, blamed[21:41])
			}
		})
	}
}

// The point models read the requests in order of estimated arrival from a
// list made once per series: the same order, and the same blames, as a
// list sorted afresh for each (sortByMid), after other point models read
// it side by side.
func TestPointModelsByMidMadeOnce(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 12))
	statuses := []int32{200, 200, 200, 429, 0}
	for run := range 100 {
		recs := make([]records.Record, 1+r.IntN(1000))
		var at int64
		for i := range recs {
			at += int64(r.IntN(3)) * 1e6
			recs[i] = records.Record{Sent: at, Latency: uint32(r.IntN(20_000)), Status: statuses[r.IntN(len(statuses))]}
		}
		fresh, reused := New("", recs, 0), New("", recs, 0)
		w, n := int64(1+r.IntN(100))*1e6, int64(1+r.IntN(20))
		var wg sync.WaitGroup
		wg.Go(func() { PointLog(reused, w, n) })
		wg.Go(func() { PointBucket(reused, float64(n), float64(n)/float64(w)) })
		wg.Wait()
		if !slices.Equal(byMid(reused), sortByMid(fresh)) {
			t.Fatalf("run %d: the order made once differs from one sorted afresh", run)
		}
		if got, want := PointLog(reused, w, n), PointLog(fresh, w, n); !slices.Equal(got, want) {
			t.Fatalf("run %d: the sliding log's point blames differ", run)
		}
		if got, want := PointCounter(reused, 0, w, n), PointCounter(fresh, 0, w, n); !slices.Equal(got, want) {
			t.Fatalf("run %d: the counter's point blames differ", run)
		}
	}
}
