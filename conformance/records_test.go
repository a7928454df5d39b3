package conformance

import (
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/response"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// TestCollectorReserves checks that the records of each key are allocated
// once at the size the plan sends, so a long run never copies them to grow.
func TestCollectorReserves(t *testing.T) {
	p := stdPlan()
	var want int64
	for _, ph := range p.Phases {
		want += ph.Requests
	}
	c := modelCollector(p, p.TestedLimit(), attribution(p))
	h := hand{start: time.Unix(1_700_000_000, 0)}
	h.add(0, 0, time.Millisecond, 200)
	c.Observe(0, h.obs[0])
	if got := cap(c.ByKey[0]); int64(got) != want {
		t.Errorf("cap(records of k1) = %d; want %d, the plan's requests with k1", got, want)
	}
}

// TestCollectorKeepsSeq checks that records give back each observation's Seq
// whatever the order and magnitude of the Seqs.
func TestCollectorKeepsSeq(t *testing.T) {
	p := stdPlan()
	c := modelCollector(p, p.TestedLimit(), attribution(p))
	seqs := []uint64{1 << 40, 1<<40 - 7, 1<<40 + 1_000_000, 3 << 40}
	for i, seq := range seqs[:3] {
		c.Observe(i, results.Observation{Seq: seq, Endpoint: "list", KeyID: "k1", Sent: time.Unix(0, int64(i)), Status: 200})
	}
	for i, r := range c.ByKey[0] {
		if got := c.SeqOf(&r); got != seqs[i] {
			t.Errorf("seqOf(record %d) = %d; want %d", i, got, seqs[i])
		}
	}
}

// TestClaimChecksKeepNoRecords checks that headers.reset and
// headers.retry-after keep nothing per response of their own: they read the
// records the model checks share and keep only the 429s they judge.
func TestClaimChecksKeepNoRecords(t *testing.T) {
	noLimit := answer(paced(0, 200, 50*time.Millisecond, 5*time.Millisecond), &clockWin{n: 1000, w: time.Second}, xrate(1000))
	tests := []struct {
		name string
		obs  []results.Observation
	}{
		{"no 429", noLimit},
		{"429s with Retry-After and reset", stdRun(xrate(20))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkers := New(stdPlan(), Options{}).cur.checkers
			for _, o := range tt.obs {
				for _, c := range checkers {
					c.Observe(o)
				}
			}
			shared := checkers[0].Checker.(*modelChecker).run.col
			stores := map[check.ID]*response.ClaimStore{
				check.HeadersReset:      &checkers[checkIndex(check.HeadersReset)].Checker.(*response.ResetChecker).Store,
				check.HeadersRetryAfter: &checkers[checkIndex(check.HeadersRetryAfter)].Checker.(*response.RetryAfterChecker).Store,
			}
			for id, st := range stores {
				if st.Col != shared {
					t.Errorf("%s reads its own collector; want the one the model checks share", id)
				}
				if got, want := len(st.Claims), limitedIn(tt.obs); got != want || want == 0 && cap(st.Claims) != 0 {
					t.Errorf("%s kept %d 429s (capacity %d); want %d", id, got, cap(st.Claims), want)
				}
			}
		})
	}
}

func limitedIn(obs []results.Observation) int {
	n := 0
	for _, o := range obs {
		if o.Limited() {
			n++
		}
	}
	return n
}

// TestClaimChecksSharedOrAlone checks that headers.reset and
// headers.retry-after judge the same whether they read the shared records or
// keep their own.
func TestClaimChecksSharedOrAlone(t *testing.T) {
	p := hdrPlan(20, 5*time.Second, scenarios.AlgoFixedWindow, xPromise)
	win := &clockWin{n: 20, w: 5 * time.Second}
	short := retryAs(func(decision) string { return "1" })
	early := resetAs(func(d decision) string { return strconv.FormatInt(ceilUnix(d.now.Add(time.Second)), 10) })
	for _, w := range []writer{xrate(20), short, early} {
		obs := answer(retrying(), win, w)
		for _, id := range []check.ID{check.HeadersReset, check.HeadersRetryAfter} {
			alone := responseMakers()[id](p, nil)
			for _, o := range obs {
				alone.Observe(o)
			}
			shared := judgeID(t, p, obs, id)
			if diff := cmp.Diff(shared, alone.Result()); diff != "" {
				t.Errorf("%s alone differs from shared (-shared +alone):\n%s", id, diff)
			}
		}
	}
}
