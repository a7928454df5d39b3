// Package metrics owns the run's numbers: latency in an HdrHistogram, counts per
// status and per phase, achieved rates. A Recorder is fed by one goroutine and
// hands out Snapshots, plain values that readers may keep. It imports results and
// hdrhistogram-go only; in particular not scenarios (Phase is its own input type).
package metrics

import "time"

// Snapshot is the state of a run's metrics at one moment; a plain value.
type Snapshot struct {
	Elapsed  time.Duration `json:"elapsed"`
	Requests int64         `json:"requests"`
	Errors   int64         `json:"errors"` // transport errors (no response)
	// FirstError is the first transport error's message, "" when none.
	FirstError string          `json:"first_error,omitempty"`
	Statuses   map[int]int64   `json:"statuses"` // count per HTTP status; 0 counts transport errors
	Latency    LatencySummary  `json:"latency"`
	Phases     []PhaseSnapshot `json:"phases"`
	// Recent holds counts per status for the last seconds, oldest first, one entry per second.
	Recent []SecondCounts `json:"-"`
	// Remaining is the followed Remaining header over the same seconds as
	// Recent (Recorder.FollowRemaining); nil when none is followed.
	Remaining *RemainingSnapshot `json:"-"`
	// WindowUse is, for each window length followed (Recorder.FollowWindows),
	// the requests admitted within the last such window up to now, every
	// key together, counted by the second they were sent; nil when none is
	// followed.
	WindowUse map[time.Duration]int64 `json:"-"`
}

// LatencySummary holds latency percentiles of the requests that got an answer
// (transport errors have no latency to speak of). Min, Mean and Max are exact;
// the percentiles come from an HdrHistogram with 3 significant figures.
type LatencySummary struct {
	Min  time.Duration `json:"min"`
	Mean time.Duration `json:"mean"`
	P50  time.Duration `json:"p50"`
	P90  time.Duration `json:"p90"`
	P99  time.Duration `json:"p99"`
	Max  time.Duration `json:"max"`
	// OutOfRange counts latencies the histogram cannot hold (negative, or over
	// 60 s). They are recorded at the nearest bound, so percentiles there are
	// understated; Max stays exact.
	OutOfRange int64 `json:"out_of_range,omitempty"`
}

// PhaseSnapshot holds one phase's counts and achieved rate.
type PhaseSnapshot struct {
	Name          string        `json:"name"`
	Kind          string        `json:"kind"`
	RequestedRate float64       `json:"requested_rate"` // requests per second asked for
	AchievedRate  float64       `json:"achieved_rate"`  // (requests − 1) ÷ span of their send times (requests before the last burst, for a bursting phase); 0 with no interval
	Planned       int64         `json:"planned"`        // requests the plan asked for
	Requests      int64         `json:"requests"`       // requests sent
	Admitted      int64         `json:"admitted"`
	Limited       int64         `json:"limited"` // 429 answers
	Other         int64         `json:"other"`   // other statuses and transport errors
	Duration      time.Duration `json:"duration"`
	// SendLag is how late requests were sent against the plan's schedule (send
	// time minus start + k/rate): the open-model measure of a load generator
	// falling behind. Zero for a pause.
	SendLag LatencySummary `json:"send_lag"`
	// Latency is the latency of the phase's answered requests, as
	// Snapshot.Latency is the whole run's.
	Latency LatencySummary `json:"latency"`
}

// SecondCounts are the answers to the requests sent in one second of the run
// (counted by send time, so a slow answer stays with the second that caused it).
type SecondCounts struct {
	Second   int   `json:"second"`
	Admitted int64 `json:"admitted"`
	Limited  int64 `json:"limited"`
	Other    int64 `json:"other"`
}
