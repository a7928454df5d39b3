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

// streaksSettling is Streaks as first written: settling the admissions in
// flight itself, for every model judged.
func streaksSettling(s *series.Series, limiting func(i int) bool) [][]int {
	var out [][]int
	var cur []int     // the open streak, in send order
	var pending []int // admissions that may have arrived after a later rejection
	// before is the admission surely before every later rejection that may
	// have arrived last (see settle), or -1. Admissions move there from
	// pending once they surely arrived before the current request, so pending
	// holds about the admissions in flight, not every admission of a run
	// without rejections. It is settled when it has doubled since the last
	// time, which keeps the work linear when a latency spike holds many.
	before, settleAt := -1, minSettleOld
	for i, ok := range s.Known {
		switch {
		case !ok:
		case s.Adm[i]:
			if len(pending) >= settleAt {
				before, pending = settleOld(s, before, pending, s.Lo(i))
				settleAt = max(minSettleOld, 2*len(pending))
			}
			pending = append(pending, i)
		default:
			var cut int
			if cut, pending = settleOld(s, before, pending, s.Lo(i)); cut >= 0 && len(cur) > 0 {
				var ended []int
				ended, cur = splitAt(s, cur, cut, limiting)
				if len(ended) > 0 {
					out = append(out, ended)
				}
			}
			before = -1
			cur = append(cur, i)
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// minSettleOld is the fewest pending admissions streaks settles.
const minSettleOld = 256

// settleOld is settle as first written: it moves the admissions of pending that surely arrived before time at
// (their latest arrival is no later than at) into cut, which keeps the one
// that may have arrived last: the latest earliest arrival, the later request
// on a tie. It returns cut and the admissions left in pending, in send order.
// Requests are in send order, so lo rises: an admission surely before one
// request is surely before every later one too.
func settleOld(s *series.Series, cut int, pending []int, at int64) (int, []int) {
	left := pending[:0]
	for _, i := range pending {
		switch {
		case s.Hi(i) > at:
			left = append(left, i)
		case cut < 0 || s.Lo(i) > s.Lo(cut) || s.Lo(i) == s.Lo(cut) && i > cut:
			cut = i
		}
	}
	return cut, left
}

// Streaks, which reads where streaks may end from the series
// (Series.StreakCuts, found once), splits as settling the admissions in
// flight for each model did: random series with bursts, ties, unknown
// outcomes and latency spikes (past minSettle admissions in flight), each
// under several random judgements of which rejections were limiting.
func TestStreaksAsSettling(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 3))
	for run := range 200 {
		recs := make([]records.Record, r.IntN(3000))
		var at int64
		statuses := []int32{200, 200, 429, 429, 429, 0}
		for i := range recs {
			at += int64(r.IntN(3)) * int64(r.IntN(2_000_000)) // ties and bursts
			lat := uint32(r.IntN(5_000))
			if r.IntN(40) == 0 {
				lat = uint32(r.IntN(2_000_000)) // a spike over hundreds in flight
			}
			recs[i] = records.Record{Sent: at, Latency: lat, Status: statuses[r.IntN(len(statuses))]}
		}
		s := series.New("", recs, 0)
		for range 4 {
			limit := make([]bool, len(recs))
			p := r.Float64()
			for i := range limit {
				limit[i] = r.Float64() < p
			}
			limiting := func(i int) bool { return limit[i] }
			got, want := Streaks(s, limiting), streaksSettling(s, limiting)
			if !slices.EqualFunc(got, want, slices.Equal) {
				t.Fatalf("run %d (%d requests): %d streaks; settling for each model gives %d", run, len(recs), len(got), len(want))
			}
		}
	}
}

// Classifying passes over a series judged without a wrongful rejection:
// Rules.Evaluate chooses and tries what it does classifying every series,
// for fixed windows and token buckets, correct and admitting too many, under
// the open algorithm (whose families and alignments often only over-admit)
// and the sliding window.
func TestClassifySkipsUnwrongedAsClassifying(t *testing.T) {
	defer func() { skipUnwronged = true }()
	r := rand.New(rand.NewPCG(15, 16))
	for run := range 80 {
		const w = int64(time.Second)
		n := int64(5 + r.IntN(30))
		all := []*series.Series{series.New("", servedRun(r, n, w), 0)}
		algo := []scenarios.Algorithm{scenarios.AlgoAny, scenarios.AlgoSlidingWindow}[r.IntN(2)]
		limit := &scenarios.Limit{Name: "l", Requests: n, Window: time.Duration(w), Algorithm: algo}
		fams, err := FamiliesFor(limit)
		if err != nil {
			t.Fatal(err)
		}
		evaluate := func(skip bool) (*Evaluation, []*Evaluation) {
			skipUnwronged = skip
			a := &Rules{Limit: limit, P: ParamsOf(limit), Families: fams}
			return a.Evaluate(all)
		}
		got, gotTried := evaluate(true)
		want, wantTried := evaluate(false)
		if msg := sameEvaluation(got, want, true); msg != "" {
			t.Fatalf("run %d (%s): best %s", run, algo, msg)
		}
		if len(gotTried) != len(wantTried) {
			t.Fatalf("run %d (%s): %d tried; classifying every series %d", run, algo, len(gotTried), len(wantTried))
		}
		for k := range gotTried {
			if msg := sameEvaluation(gotTried[k], wantTried[k], false); msg != "" {
				t.Fatalf("run %d (%s): tried %d: %s", run, algo, k, msg)
			}
		}
	}
}
