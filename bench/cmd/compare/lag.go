package main

import (
	"math"
	"slices"
	"time"
)

// send is one request's sequence number and real send time.
type send struct {
	Seq uint64
	At  time.Time
}

// sendStats says how a run kept to its constant-rate schedule.
type sendStats struct {
	Requests int64
	// Achieved is (n − 1) ÷ (last send − first send), in requests per second:
	// the rate the sends really had, the same formula as ratecheck's
	// achieved_rate. 0 below 2 requests.
	Achieved float64
	// LagP99 is the 99th percentile (nearest rank) of the send-time
	// deviation: each request's offset from the schedule,
	// sent_i − (first + i/rate) with i counted from the first request in
	// sequence order, minus the median offset. Taking away the median makes
	// it independent of where each tool starts its schedule (see lagP99).
	// 0 when rate is 0 (an unpaced run has no schedule).
	LagP99 time.Duration
}

// scheduleStats computes sendStats for sends made at rate requests per second
// (0: unpaced). sends may come in any order; it is sorted by Seq in place.
func scheduleStats(sends []send, rate float64) sendStats {
	st := sendStats{Requests: int64(len(sends))}
	if len(sends) == 0 {
		return st
	}
	slices.SortFunc(sends, func(a, b send) int { return cmpUint(a.Seq, b.Seq) })
	first, last := sends[0].At, sends[0].At
	for _, s := range sends {
		if s.At.Before(first) {
			first = s.At
		}
		if s.At.After(last) {
			last = s.At
		}
	}
	if span := last.Sub(first); len(sends) > 1 && span > 0 {
		st.Achieved = float64(len(sends)-1) / span.Seconds()
	}
	if rate > 0 {
		st.LagP99 = lagP99(sends, rate)
	}
	return st
}

// lagP99 is the 99th percentile of the offsets sent_i − (origin + i/rate)
// minus their median, over sends sorted by Seq, with origin the send time of
// the first request in sequence order and i its distance in sequence numbers
// from that request.
//
// The median is taken away because the first request is no fair origin: a
// pacer that sends hit 0 at once (ratecheck's, due at 0) gives it no timer
// overshoot, while every later hit waits in time.Sleep and wakes a little
// late, so all offsets but the first carry a constant ~0.1–0.3 ms; vegeta's
// ConstantPacer sleeps before hit 0 too. Measured from the first request,
// that constant alone made ratecheck look 0.2 ms worse at 1,000/s with the
// same jitter.
func lagP99(sends []send, rate float64) time.Duration {
	origin, seq0 := sends[0].At, sends[0].Seq
	lags := make([]time.Duration, len(sends))
	for k, s := range sends {
		ideal := time.Duration(float64(s.Seq-seq0) / rate * float64(time.Second))
		lags[k] = s.At.Sub(origin) - ideal
	}
	p99 := percentile(lags, 99) // sorts lags
	return p99 - lags[(len(lags)-1)/2]
}

// percentile returns the nearest-rank p-th percentile (0 < p ≤ 100) of ds,
// sorting ds in place; 0 for no values.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	rank := int(math.Ceil(p / 100 * float64(len(ds))))
	return ds[min(max(rank, 1), len(ds))-1]
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
