package model

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/conformance/series"
	"github.com/ratecheck/ratecheck/scenarios"
)

// A bucket chosen among the families of an open algorithm, explained from
// what its counted evaluation kept, is the evaluation judging it again
// with details gave: the same description, score, outcomes, point counts
// and every request's detail, for token buckets that refill too fast, hold
// too much, or refuse too early, at rates under and over the limit, with
// latencies and spikes.
func TestBucketExplainedAsJudgedAgain(t *testing.T) {
	defer func() { explainCounted = true }()
	r := rand.New(rand.NewPCG(15, 8))
	chosen := 0 // runs whose best evaluation was a bucket explained
	for run := range 120 {
		const w = int64(time.Second)
		n := int64(5 + r.IntN(30))
		burst := float64(n) * []float64{1, 1, 1.5, 0.5}[r.IntN(4)] // what the server holds
		rate := float64(n) / float64(w) * []float64{1, 1.3, 0.7}[r.IntN(3)]
		gap := w / (n * int64(1+r.IntN(3)))
		var recs []records.Record
		var at, last int64
		tokens := burst
		for at < 8*w {
			at += gap/2 + r.Int64N(gap+1)
			lat := uint32(500 + r.IntN(5_000))
			if r.IntN(100) == 0 {
				lat = uint32(r.IntN(2_000_000)) // a spike
			}
			arrive := at + int64(lat)*100
			tokens = min(burst, tokens+rate*float64(max(0, arrive-last)))
			last = max(last, arrive)
			status := int32(429)
			if tokens >= 1 {
				status, tokens = 200, tokens-1
			}
			recs = append(recs, records.Record{Sent: at, Latency: lat, Status: status})
		}
		all := []*series.Series{series.New("", recs, 0)}
		limit := &scenarios.Limit{Name: "l", Requests: n, Window: time.Duration(w), Algorithm: scenarios.AlgoAny}
		fams, err := FamiliesFor(limit)
		if err != nil {
			t.Fatal(err)
		}
		judge := func(explain bool) *Evaluation {
			explainCounted = explain
			a := &Rules{Limit: limit, P: ParamsOf(limit), Families: fams}
			best, _ := a.Evaluate(all)
			return best
		}
		got, want := judge(true), judge(false)
		if got.Family != want.Family || got.Desc != want.Desc || got.score() != want.score() || len(got.States) != len(want.States) {
			t.Fatalf("run %d: best %q score %+v; judging again gives %q %+v", run, got.Desc, got.score(), want.Desc, want.score())
		}
		for x, g := range got.States {
			w := want.States[x]
			if !slices.Equal(g.Out, w.Out) || g.PointOver != w.PointOver || g.PointWrong != w.PointWrong ||
				!slices.Equal(g.AmbAdm, w.AmbAdm) || !slices.Equal(g.AmbRej, w.AmbRej) {
				t.Fatalf("run %d (%s): outcomes or point counts differ from judging again", run, got.Desc)
			}
			for i := range g.Out {
				gd, wd := g.DetOf(i), w.DetOf(i)
				if gd.Ref != wd.Ref || gd.Rank != wd.Rank || gd.Start != wd.Start || math.Float64bits(gd.Level) != math.Float64bits(wd.Level) {
					t.Fatalf("run %d (%s), request %d: detail %+v; judging again gives %+v", run, got.Desc, i, gd, wd)
				}
			}
		}
		if got.Family == Buckets {
			chosen++
		}
	}
	if chosen < 10 {
		t.Errorf("a bucket was chosen in %d of 120 runs; want the runs to reach it often", chosen)
	}
}
