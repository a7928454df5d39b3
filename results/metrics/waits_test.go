package metrics

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/results"
)

func limited(seq uint64, key string, at, latency time.Duration, h map[string]string) results.Observation {
	return results.Observation{Seq: seq, KeyID: key, Sent: start.Add(at), Latency: latency, Status: 429, Headers: h}
}

func admitted(seq uint64, key string, at time.Duration) results.Observation {
	return results.Observation{Seq: seq, KeyID: key, Sent: start.Add(at), Latency: time.Millisecond, Status: 200}
}

// TestWaits: each 429 that promised a wait is paired with the next admitted
// request of its own key sent after its answer.
func TestWaits(t *testing.T) {
	w := NewWaits(headers.Spec{Convention: headers.ConventionVendor, Names: headers.Names{Reset: "X-Reset"}, ResetFormat: headers.ResetDeltaSeconds}, start)
	for _, o := range []results.Observation{
		limited(1, "a", time.Second, 10*time.Millisecond, map[string]string{"Retry-After": "2"}),
		limited(2, "a", 1100*time.Millisecond, 10*time.Millisecond, map[string]string{"X-Reset": "1"}),
		limited(3, "a", 1200*time.Millisecond, 10*time.Millisecond, nil), // promises nothing: not kept
		admitted(4, "b", 1500*time.Millisecond),                          // another key: no match
		admitted(5, "a", 1050*time.Millisecond),                          // sent before 2's answer, after 1's
		admitted(6, "a", 2500*time.Millisecond),
		limited(7, "a", 3*time.Second, 0, map[string]string{"Retry-After": "1"}), // nothing after it
	} {
		w.Record(o)
	}
	got := w.Points()
	if len(got) != 3 {
		t.Fatalf("%d points; want 3: %+v", len(got), got)
	}
	want := []struct {
		seq                   uint64
		retry, reset, measure time.Duration
		recovered             bool
	}{
		{1, 2 * time.Second, 0, 40 * time.Millisecond, true},
		{2, 0, time.Second, 1390 * time.Millisecond, true},
		{7, time.Second, 0, 0, false},
	}
	for i, w := range want {
		p := got[i]
		if p.Seq != w.seq || p.RetryAfter != w.retry || p.Reset != w.reset || p.Measured != w.measure || p.Recovered != w.recovered {
			t.Errorf("point %d = %+v; want seq %d retry-after %v reset %v measured %v recovered %v", i, p, w.seq, w.retry, w.reset, w.measure, w.recovered)
		}
	}
}

// TestWaitsDownsample: a long run keeps at most 2×maxWaits points, spread
// evenly over all its 429s, every one still matched.
func TestWaitsDownsample(t *testing.T) {
	w := NewWaits(headers.Spec{}, start)
	const n = 10_000
	for i := range n {
		at := time.Duration(i) * 10 * time.Millisecond
		w.Record(limited(uint64(2*i), "k", at, time.Millisecond, map[string]string{"Retry-After": "1"}))
		w.Record(admitted(uint64(2*i+1), "k", at+5*time.Millisecond))
	}
	got := w.Points()
	if len(got) < maxWaits || len(got) >= 2*maxWaits {
		t.Fatalf("%d points; want between %d and %d", len(got), maxWaits, 2*maxWaits)
	}
	step := got[1].Seq - got[0].Seq
	for i, p := range got {
		if p.Seq != uint64(i)*step {
			t.Fatalf("point %d is seq %d; want every %d-th 429 from the first (seq %d)", i, p.Seq, step/2, uint64(i)*step)
		}
		if !p.Recovered || p.Measured != 4*time.Millisecond {
			t.Fatalf("point %d = %+v; want matched 4 ms after its answer", i, p)
		}
	}
	if last := got[len(got)-1].Offset; last < time.Duration(n)*10*time.Millisecond*3/4 {
		t.Errorf("the last point is at %v; want the samples spread to the end of the run", last)
	}
}

// Waits, passing over the admissions no 429 of their key awaits, keeps the
// points the pairing of every admission (admitEvery, as first written)
// keeps: on random runs of several keys, 429s with and without a promised
// wait, long enough to be downsampled.
func TestWaitsAsPairingEvery(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 17))
	spec := headers.Spec{Convention: headers.ConventionVendor, Names: headers.Names{Reset: "X-Reset"}, ResetFormat: headers.ResetDeltaSeconds}
	for run := range 20 {
		got, want := NewWaits(spec, start), NewWaits(spec, start)
		var at time.Duration
		for seq := range uint64(3*maxWaits + r.IntN(2*maxWaits)) {
			at += time.Duration(r.IntN(20)) * time.Millisecond
			key := []string{"", "a", "b"}[r.IntN(3)]
			o := admitted(seq, key, at)
			if r.IntN(3) == 0 {
				h := []map[string]string{nil, {"Retry-After": "1"}, {"X-Reset": "2"}}[r.IntN(3)]
				o = limited(seq, key, at, time.Duration(r.IntN(30))*time.Millisecond, h)
			}
			got.Record(o)
			if o.Admitted() {
				want.admitEvery(o)
			} else {
				want.Record(o)
			}
		}
		if g, w := got.Points(), want.Points(); !slices.Equal(g, w) {
			t.Fatalf("run %d: %d points; pairing every admission keeps %d (or others)", run, len(g), len(w))
		}
	}
}

// admitEvery is admit as first written: the key's pending 429s looked up
// and written back for every admission.
func (w *Waits) admitEvery(o results.Observation) {
	rest := w.pending[o.KeyID][:0]
	for _, i := range w.pending[o.KeyID] {
		if at := w.answers[i]; !o.Sent.Before(at) {
			w.points[i].Measured, w.points[i].Recovered = o.Sent.Sub(at), true
			delete(w.answers, i)
			continue
		}
		rest = append(rest, i)
	}
	w.pending[o.KeyID] = rest
}
