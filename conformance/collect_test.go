package conformance

import (
	"math"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/results"
)

func TestLatencyMicros(t *testing.T) {
	tests := []struct {
		ns   int64
		want uint32
	}{
		{-5, 0},
		{0, 0},
		{1, 1}, // rounded up: the arrival interval only widens
		{1000, 1},
		{1001, 2},
		{int64(250 * time.Millisecond), 250_000},
		{math.MaxInt64, math.MaxUint32},
	}
	for _, tt := range tests {
		if got := latencyMicros(tt.ns); got != tt.want {
			t.Errorf("latencyMicros(%d) = %d; want %d", tt.ns, got, tt.want)
		}
	}
}

// TestCollectorReserves checks that the records of each key are allocated
// once at the size the plan sends, so a long run never copies them to grow.
func TestCollectorReserves(t *testing.T) {
	p := stdPlan()
	var want int64
	for _, ph := range p.Phases {
		want += ph.Requests
	}
	c := newCollector(p, p.TestedLimit())
	h := hand{start: time.Unix(1_700_000_000, 0)}
	h.add(0, 0, time.Millisecond, 200)
	c.observe(0, h.obs[0])
	if got := cap(c.byKey[0]); int64(got) != want {
		t.Errorf("cap(records of k1) = %d; want %d, the plan's requests with k1", got, want)
	}
}

// TestCollectorKeepsSeq checks that records give back each observation's Seq
// whatever the order and magnitude of the Seqs.
func TestCollectorKeepsSeq(t *testing.T) {
	p := stdPlan()
	c := newCollector(p, p.TestedLimit())
	seqs := []uint64{1 << 40, 1<<40 - 7, 1<<40 + 1_000_000, 3 << 40}
	for i, seq := range seqs[:3] {
		c.observe(i, results.Observation{Seq: seq, Endpoint: "list", KeyID: "k1", Sent: time.Unix(0, int64(i)), Status: 200})
	}
	for i, r := range c.byKey[0] {
		if got := c.seqOf(&r); got != seqs[i] {
			t.Errorf("seqOf(record %d) = %d; want %d", i, got, seqs[i])
		}
	}
}

// TestRetryAfterKeepsNoRecords checks that headers.retry-after keeps nothing
// per response of its own: it reads the records the model checks share and
// keeps a claim only for each 429 with a Retry-After.
func TestRetryAfterKeepsNoRecords(t *testing.T) {
	tests := []struct {
		name       string
		obs        []results.Observation
		wantClaims int
	}{
		{"no 429", answer(paced(0, 200, 50*time.Millisecond, 5*time.Millisecond), &clockWin{n: 1000, w: time.Second}, xrate(1000)), 0},
		{"429s with Retry-After", stdRun(xrate(20)), -1}, // -1: as many as the 429s
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkers := NewCheckers(stdPlan())
			for _, o := range tt.obs {
				for _, c := range checkers {
					c.Observe(o)
				}
			}
			model := checkers[0].(*modelChecker)
			retry := checkers[len(ids)-2].(*retryAfterChecker)
			if retry.col != model.run.col {
				t.Fatalf("retry-after reads its own collector; want the one the model checks share")
			}
			want := tt.wantClaims
			if want < 0 {
				want = limitedIn(tt.obs)
			}
			if got := len(retry.claims); got != want || want == 0 && cap(retry.claims) != 0 {
				t.Errorf("retry-after kept %d claims (capacity %d); want %d", got, cap(retry.claims), want)
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

// TestRetryAfterSharedOrAlone checks that headers.retry-after judges the same
// whether it reads the shared records or keeps its own.
func TestRetryAfterSharedOrAlone(t *testing.T) {
	short := edit(xrate(20), func(d decision, h map[string]string) {
		if _, ok := h["Retry-After"]; ok {
			h["Retry-After"] = "0"
		}
	})
	for _, w := range []writer{xrate(20), short} {
		obs := stdRun(w)
		p := stdPlan()
		alone := newRetryAfterChecker(p)
		for _, o := range obs {
			alone.Observe(o)
		}
		shared := judgeID(t, p, obs, HeadersRetryAfter)
		if got := alone.Result(); got.Status != shared.Status || got.Message != shared.Message {
			t.Errorf("retry-after alone = %s %q; shared = %s %q", got.Status, got.Message, shared.Status, shared.Message)
		}
	}
}
