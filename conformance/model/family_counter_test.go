package model

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/conformance/series"
	"github.com/ratecheck/ratecheck/scenarios"
)

// The counter family, passing over the phases it tries for late recoveries
// only when they over-admit, evaluates as judging them whole did: the same
// phase, description, score and outcomes, for servers limiting by fixed
// windows that admit too many, keep rejecting past the window (late
// recoveries only, which the counter may keep), or both, at rates under
// and over the limit, with latencies and retries.
func TestCounterSkipsOverAdmittingAsJudgingWhole(t *testing.T) {
	defer func() { judgeOverAdmitting = false }()
	r := rand.New(rand.NewPCG(8, 21))
	kept := 0 // evaluations with details: a phase of late recoveries only was kept
	for run := range 80 {
		const w = int64(time.Second)
		n := int64(5 + r.IntN(30))
		extra := []int64{0, 0, 1, 3}[r.IntN(4)]        // admitted past n in a window
		penalty := []int64{0, w / 2, 2 * w}[r.IntN(3)] // rejecting this long past the window
		gap := w / (n * int64(1+r.IntN(3)))
		var recs []records.Record
		var at, winStart, count, closedUntil int64
		for at < 12*w {
			at += gap/2 + r.Int64N(gap+1)
			lat := uint32(500 + r.IntN(5_000))
			arrive := at + int64(lat)*500
			if arrive-winStart >= w {
				winStart, count = arrive-(arrive-winStart)%w, 0
			}
			status := int32(200)
			switch {
			case arrive < closedUntil:
				status = 429
			case count >= n+extra:
				status, closedUntil = 429, winStart+w+penalty
			default:
				count++
			}
			recs = append(recs, records.Record{Sent: at, Latency: lat, Status: status})
		}
		s := series.New("", recs, 0)
		limit := &scenarios.Limit{Name: "l", Requests: n, Window: time.Duration(w), Algorithm: scenarios.AlgoSlidingWindow}
		a := &Rules{Limit: limit, P: ParamsOf(limit)}
		judgeOverAdmitting = false
		got := Counter.Evaluate(a, []*series.Series{s})
		judgeOverAdmitting = true
		want := Counter.Evaluate(a, []*series.Series{s})
		if got.Phase != want.Phase || got.Desc != want.Desc || got.score() != want.score() || len(got.States) != len(want.States) {
			t.Fatalf("run %d (n %d, extra %d, penalty %d ms): phase %d %q score %+v; judging whole gives %d %q %+v",
				run, n, extra, penalty/1e6, got.Phase, got.Desc, got.score(), want.Phase, want.Desc, want.score())
		}
		for x := range got.States {
			if !slices.Equal(got.States[x].Out, want.States[x].Out) {
				t.Fatalf("run %d (n %d, extra %d, penalty %d ms): outcomes differ from judging whole", run, n, extra, penalty/1e6)
			}
		}
		if len(got.States) > 0 {
			kept++
		}
	}
	if kept < 5 {
		t.Errorf("%d of 80 evaluations kept a phase; want the runs without over-admissions to reach one", kept)
	}
}
