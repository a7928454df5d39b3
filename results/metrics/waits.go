package metrics

import (
	"time"

	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/results"
)

// maxWaits is how many 429s Waits keeps at most: past it, it keeps every
// second one of those it kept and samples half as often from then on, so a
// long run's picture stays small and spread over the whole run.
const maxWaits = 400

// WaitPoint is one 429 that said when to come back: what it promised
// (Retry-After, and the Reset time as a wait from its answer) against the
// measured time from its answer to the send of the key's next admitted
// request (the client's wait; the limit lifted at most that long after).
type WaitPoint struct {
	Seq    uint64        `json:"seq"`
	Offset time.Duration `json:"offset"` // the 429's send time, since the start of the run
	// RetryAfter and Reset are the waits the 429 promised; each Has says
	// whether it carried one.
	RetryAfter    time.Duration `json:"retry_after"`
	HasRetryAfter bool          `json:"has_retry_after,omitempty"`
	Reset         time.Duration `json:"reset"`
	HasReset      bool          `json:"has_reset,omitempty"`
	// Measured is the time from the 429's answer to the send of the next
	// admitted request of its key; Recovered is false when none followed.
	Measured  time.Duration `json:"measured"`
	Recovered bool          `json:"recovered,omitempty"`
}

// Waits collects WaitPoints from a run's observations: each 429 with a
// Retry-After or a Reset, matched with the first admitted request of the
// same key sent after its answer, in the order the observations come. Like
// the Recorder, one goroutine feeds it.
type Waits struct {
	spec    headers.Spec
	start   time.Time
	stride  uint64 // keep every stride-th 429 that promised a wait
	seen    uint64
	points  []WaitPoint
	pending map[string][]int // key → indexes into points awaiting an admission
	answers map[int]time.Time
}

// NewWaits returns a Waits that reads the headers as spec says, for a run
// that started at start.
func NewWaits(spec headers.Spec, start time.Time) *Waits {
	return &Waits{spec: spec, start: start, stride: 1, pending: map[string][]int{}, answers: map[int]time.Time{}}
}

// Record takes one observation.
func (w *Waits) Record(o results.Observation) {
	switch {
	case o.Admitted():
		w.admit(o)
	case o.Limited():
		w.limit(o)
	}
}

// admit pairs o with the 429s of its key awaiting an admission; most
// admissions find none (a key's 429s are paired with the first admission
// after them), and then nothing is written.
func (w *Waits) admit(o results.Observation) {
	pending := w.pending[o.KeyID]
	if len(pending) == 0 {
		return
	}
	rest := pending[:0]
	for _, i := range pending {
		if at := w.answers[i]; !o.Sent.Before(at) {
			w.points[i].Measured, w.points[i].Recovered = o.Sent.Sub(at), true
			delete(w.answers, i)
			continue
		}
		rest = append(rest, i)
	}
	w.pending[o.KeyID] = rest
}

func (w *Waits) limit(o results.Observation) {
	c, _ := headers.Read(o.Headers, w.spec, o.Received())
	if !c.HasRetryAfter && !c.HasReset {
		return
	}
	w.seen++
	if (w.seen-1)%w.stride != 0 {
		return
	}
	p := WaitPoint{Seq: o.Seq, Offset: o.Sent.Sub(w.start), RetryAfter: c.RetryAfter, HasRetryAfter: c.HasRetryAfter}
	if c.HasReset {
		p.Reset, p.HasReset = max(c.Reset.Sub(o.Received()), 0), true
	}
	w.answers[len(w.points)] = o.Received()
	w.pending[o.KeyID] = append(w.pending[o.KeyID], len(w.points))
	w.points = append(w.points, p)
	if len(w.points) >= 2*maxWaits {
		w.halve()
	}
}

// halve keeps every other point and samples half as often from now on.
// Points keep the 429s whose number (in the order they came, from 0) is a
// multiple of stride.
func (w *Waits) halve() {
	keep := map[int]int{} // old index → new
	var pts []WaitPoint
	for i := 0; i < len(w.points); i += 2 {
		keep[i] = len(pts)
		pts = append(pts, w.points[i])
	}
	answers := map[int]time.Time{}
	for i, at := range w.answers {
		if j, ok := keep[i]; ok {
			answers[j] = at
		}
	}
	for k, idx := range w.pending {
		var rest []int
		for _, i := range idx {
			if j, ok := keep[i]; ok {
				rest = append(rest, j)
			}
		}
		w.pending[k] = rest
	}
	// The points kept were the 429s numbered 0, 2s, 4s, ... (s the old
	// stride): the multiples of the new stride, which samples on from there.
	w.points, w.answers, w.stride = pts, answers, w.stride*2
}

// Points are the 429s kept, in the order they came; a copy.
func (w *Waits) Points() []WaitPoint {
	return append([]WaitPoint(nil), w.points...)
}
