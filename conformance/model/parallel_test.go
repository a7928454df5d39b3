package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/conformance/series"
	"github.com/ratecheck/ratecheck/scenarios"
)

// InOrder folds every result in index order however many workers run the
// jobs, and a fold that stops sees nothing after.
func TestInOrder(t *testing.T) {
	for _, workers := range []int{0, 1, 2, 5} {
		for _, stopAt := range []int{-1, 0, 3, 9} {
			var got []int
			InOrder(10, workers, func(k int) int { return k * k }, func(k, v int) bool {
				if v != k*k {
					t.Errorf("workers %d: fold(%d, %d); want the result of job %d, %d", workers, k, v, k, k*k)
				}
				got = append(got, k)
				return k != stopAt
			})
			want := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
			if stopAt >= 0 {
				want = want[:stopAt+1]
			}
			if !slices.Equal(got, want) {
				t.Errorf("InOrder(10, %d) stopping at %d folded %v; want %v", workers, stopAt, got, want)
			}
		}
	}
}

// Rules.Evaluate with workers, the first family judged beside the others,
// chooses and tries what it does judging them in turn: the same best
// evaluation (description, score, outcomes, point counts, details) and the
// same tried ones, in order, for fixed windows and token buckets, correct
// (the first family explains them, or the last does) and faulty, under the
// open algorithm and the sliding window.
func TestEvaluateSideBySideAsInTurn(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 9))
	stopped := 0 // runs the first family explained
	for run := range 80 {
		const w = int64(time.Second)
		n := int64(5 + r.IntN(30))
		all := []*series.Series{series.New("", servedRun(r, n, w), 0)}
		algo := []scenarios.Algorithm{scenarios.AlgoAny, scenarios.AlgoAny, scenarios.AlgoSlidingWindow}[r.IntN(3)]
		limit := &scenarios.Limit{Name: "l", Requests: n, Window: time.Duration(w), Algorithm: algo}
		fams, err := FamiliesFor(limit)
		if err != nil {
			t.Fatal(err)
		}
		evaluate := func(workers int) (*Evaluation, []*Evaluation) {
			a := &Rules{Limit: limit, P: ParamsOf(limit), Families: fams, Workers: workers}
			return a.Evaluate(all)
		}
		got, gotTried := evaluate(2)
		want, wantTried := evaluate(1)
		if msg := sameEvaluation(got, want, true); msg != "" {
			t.Fatalf("run %d (%s): best %s", run, algo, msg)
		}
		if len(gotTried) != len(wantTried) {
			t.Fatalf("run %d (%s): %d tried; in turn %d", run, algo, len(gotTried), len(wantTried))
		}
		for k := range gotTried {
			if msg := sameEvaluation(gotTried[k], wantTried[k], false); msg != "" {
				t.Fatalf("run %d (%s): tried %d: %s", run, algo, k, msg)
			}
		}
		if len(wantTried) == 0 && len(fams) > 1 {
			stopped++
		}
	}
	if stopped < 5 {
		t.Errorf("the first family explained %d of 80 runs; want several", stopped)
	}
}

// sameEvaluation says how got differs from want, "" when it does not: its
// family, description, score and outcomes, and with details its point
// counts and every request's detail.
func sameEvaluation(got, want *Evaluation, details bool) string {
	if got.Family != want.Family || got.Desc != want.Desc || got.score() != want.score() || len(got.States) != len(want.States) {
		return fmt.Sprintf("%q score %+v; want %q %+v", got.Desc, got.score(), want.Desc, want.score())
	}
	for x, g := range got.States {
		w := want.States[x]
		if !slices.Equal(g.Out, w.Out) {
			return fmt.Sprintf("%q: outcomes differ", got.Desc)
		}
		if !details {
			continue
		}
		if g.PointOver != w.PointOver || g.PointWrong != w.PointWrong || !slices.Equal(g.AmbAdm, w.AmbAdm) || !slices.Equal(g.AmbRej, w.AmbRej) {
			return fmt.Sprintf("%q: point counts differ", got.Desc)
		}
		for i := range g.Out {
			gd, wd := g.DetOf(i), w.DetOf(i)
			if gd.Ref != wd.Ref || gd.Rank != wd.Rank || gd.Start != wd.Start || math.Float64bits(gd.Level) != math.Float64bits(wd.Level) {
				return fmt.Sprintf("%q, request %d: detail %+v; want %+v", got.Desc, i, gd, wd)
			}
		}
	}
	return ""
}

// servedRun is about 8 windows of w of requests answered by a fixed window
// on the clock or a token bucket, of about n a window, correct or admitting
// too many, with latencies and spikes.
func servedRun(r *rand.Rand, n, w int64) []records.Record {
	bucket := r.IntN(2) == 0
	extra := []int64{0, 0, 1, 3}[r.IntN(4)] // admitted past n
	burst := float64(n + extra)
	rate := float64(n+extra) / float64(w)
	gap := w / (n * int64(1+r.IntN(3)))
	var recs []records.Record
	var at, last, winStart, count int64
	tokens := burst
	for at < 8*w {
		at += gap/2 + r.Int64N(gap+1)
		lat := uint32(500 + r.IntN(5_000))
		if r.IntN(100) == 0 {
			lat = uint32(r.IntN(2_000_000)) // a spike
		}
		arrive := at + int64(lat)*100
		status := int32(429)
		if bucket {
			tokens = min(burst, tokens+rate*float64(max(0, arrive-last)))
			last = max(last, arrive)
			if tokens >= 1 {
				status, tokens = 200, tokens-1
			}
		} else {
			if arrive-winStart >= w {
				winStart, count = arrive-arrive%w, 0
			}
			if count < n+extra {
				status = 200
				count++
			}
		}
		recs = append(recs, records.Record{Sent: at, Latency: lat, Status: status})
	}
	return recs
}
