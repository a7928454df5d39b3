package main

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// onSchedule returns n sends at rate per second, with extra[i] added to send i.
func onSchedule(n int, rate float64, extra map[int]time.Duration) []send {
	out := make([]send, n)
	for i := range out {
		at := t0.Add(time.Duration(float64(i)/rate*float64(time.Second)) + extra[i])
		out[n-1-i] = send{Seq: uint64(i), At: at} // reversed: order must not matter
	}
	return out
}

// allBut0 delays sends 1..n-1 by d.
func allBut0(n int, d time.Duration) map[int]time.Duration {
	m := map[int]time.Duration{}
	for i := 1; i < n; i++ {
		m[i] = d
	}
	return m
}

func TestScheduleStats(t *testing.T) {
	late := map[int]time.Duration{}
	for i := 50; i < 53; i++ { // 3 of 200 requests 5 ms late: p99 (rank 198) is one of them
		late[i] = 5 * time.Millisecond
	}
	tests := []struct {
		name  string
		sends []send
		rate  float64
		want  sendStats
	}{
		{"empty", nil, 100, sendStats{}},
		{"one request", onSchedule(1, 100, nil), 100, sendStats{Requests: 1}},
		{"on time", onSchedule(101, 100, nil), 100, sendStats{Requests: 101, Achieved: 100}},
		{"three late", onSchedule(200, 1000, late), 1000, sendStats{Requests: 200, Achieved: 1000, LagP99: 5 * time.Millisecond}},
		{"unpaced has no lag", onSchedule(200, 1000, late), 0, sendStats{Requests: 200, Achieved: 1000}},
		// A late first request is the one late request: the median takes
		// the origin's error away.
		{"first late", onSchedule(11, 10, map[int]time.Duration{0: time.Second}), 10, sendStats{Requests: 11, Achieved: 10 / 0.9, LagP99: time.Second}},
		// A constant delay of every request but the first (timer overshoot)
		// is no deviation.
		{"all but first 200µs late", onSchedule(200, 1000, allBut0(200, 200*time.Microsecond)), 1000, sendStats{Requests: 200, Achieved: 199 / (0.199 + 0.0002), LagP99: 0}},
	}
	for _, tt := range tests {
		got := scheduleStats(tt.sends, tt.rate)
		// The achieved rate is a float from durations: compare it to 1e-6.
		if d := got.Achieved - tt.want.Achieved; d > 1e-6 || d < -1e-6 {
			t.Errorf("%s: scheduleStats(…, %v).Achieved = %v; want %v", tt.name, tt.rate, got.Achieved, tt.want.Achieved)
		}
		got.Achieved, tt.want.Achieved = 0, 0
		if got != tt.want {
			t.Errorf("%s: scheduleStats(…, %v) = %+v; want %+v", tt.name, tt.rate, got, tt.want)
		}
	}
}

func TestPercentile(t *testing.T) {
	ms := func(vs ...int) []time.Duration {
		out := make([]time.Duration, len(vs))
		for i, v := range vs {
			out[i] = time.Duration(v) * time.Millisecond
		}
		return out
	}
	tests := []struct {
		ds   []time.Duration
		p    float64
		want time.Duration
	}{
		{nil, 99, 0},
		{ms(7), 99, 7 * time.Millisecond},
		{ms(5, 1, 4, 2, 3), 50, 3 * time.Millisecond},
		{ms(5, 1, 4, 2, 3), 100, 5 * time.Millisecond},
		{ms(5, 1, 4, 2, 3), 1, 1 * time.Millisecond},
		{ms(10, 9, 8, 7, 6, 5, 4, 3, 2, 1), 99, 10 * time.Millisecond},
		{ms(10, 9, 8, 7, 6, 5, 4, 3, 2, 1), 90, 9 * time.Millisecond},
	}
	for _, tt := range tests {
		in := append([]time.Duration(nil), tt.ds...)
		if got := percentile(in, tt.p); got != tt.want {
			t.Errorf("percentile(%v, %v) = %v; want %v", tt.ds, tt.p, got, tt.want)
		}
	}
}
