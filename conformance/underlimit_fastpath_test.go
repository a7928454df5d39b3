package conformance

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// randomRun makes a run of a few phases at random fractions of the limit,
// over one to three keys, with random latencies (a spike now and then) and,
// when faulty, one answer somewhere that is not an admission.
func randomRun(rng *rand.Rand, algo scenarios.Algorithm) (*plan.Plan, []results.Observation) {
	n := int64(5 + rng.IntN(40))
	w := []time.Duration{100 * time.Millisecond, time.Second}[rng.IntN(2)]
	var specs []phaseSpec
	for x := range 1 + rng.IntN(3) {
		specs = append(specs, phaseSpec{name: fmt.Sprintf("p%d", x), kind: scenarios.PhaseUnder,
			mult: 0.05 + 1.3*rng.Float64(), dur: time.Duration(1+rng.IntN(4)) * w})
	}
	p := planOf(limitOf(n, w, algo), specs)
	keys := 1 + rng.IntN(3)
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	var obs []results.Observation
	for ph, spec := range specs {
		rate := spec.mult * float64(n) / w.Seconds()
		for at := time.Duration(0); at < spec.dur; at += time.Duration(rng.ExpFloat64() / rate * float64(time.Second)) {
			lat := time.Duration(200+rng.IntN(3000)) * time.Microsecond
			if rng.IntN(200) == 0 {
				lat = time.Duration(rng.IntN(int(w)))
			}
			obs = append(obs, results.Observation{Seq: uint64(len(obs) + 1), Phase: ph, Endpoint: "list",
				KeyID: fmt.Sprintf("k%d", rng.IntN(keys)), Sent: start.Add(p.Phases[ph].Start + at), Latency: lat, Status: 200})
		}
	}
	if len(obs) > 0 && rng.IntN(4) == 0 {
		obs[rng.IntN(len(obs))].Status = []int{429, 503, 401, 0}[rng.IntN(4)]
	}
	return p, obs
}

// A run judged quietly from its counts gets the verdict the replay of every
// request gives: the same results, messages, fingerprint and recovery. Runs
// at random fractions of their limits are judged both ways, for every
// algorithm family; enough of them must be quiet, and enough not, for the
// comparison to mean something.
func TestQuietVerdictMatchesReplay(t *testing.T) {
	defer func() { quietJudging = true }()
	algos := []scenarios.Algorithm{scenarios.AlgoAny, scenarios.AlgoFixedWindow, scenarios.AlgoSlidingWindow, scenarios.AlgoTokenBucket}
	quiet, loud := 0, 0
	for seed := range uint64(160) {
		algo := algos[seed%uint64(len(algos))]
		p, obs := randomRun(rand.New(rand.NewPCG(seed, 7)), algo)
		quietJudging = true
		j := New(p, Options{})
		for _, o := range obs {
			j.Observe(o)
		}
		got := j.Verdict()
		if a := j.cur.run.analysis(); a.quiet > 0 {
			quiet++
		} else {
			loud++
		}
		quietJudging = false
		want := Check(p, seqOf(obs))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("seed %d (%s, %d requests): the quiet verdict differs from the replay\nquiet:  %+v\nreplay: %+v", seed, algo, len(obs), got, want)
		}
	}
	if quiet < 30 || loud < 30 {
		t.Errorf("%d runs were judged quietly and %d by replay; want at least 30 of each", quiet, loud)
	}
}

// One request that is not admitted, or a window that may have held more than
// the limit, makes a run loud: it is replayed.
func TestQuietness(t *testing.T) {
	const ms = time.Millisecond
	w := time.Second
	tests := []struct {
		name  string
		sends []time.Duration // of key k1, 1 ms latency, all admitted unless status says
		n     int64
		lat   time.Duration
		bad   int // index of a request answered 503, or -1
		quiet bool
	}{
		{"under the limit", []time.Duration{0, 300 * ms, 1500 * ms, 2900 * ms}, 2, ms, -1, true},
		{"one window may hold three", []time.Duration{0, 400 * ms, 1005 * ms}, 2, ms, -1, false},
		{"a window and two stretches apart", []time.Duration{0, 1260 * ms, 1500 * ms}, 2, ms, -1, true},
		{"a rejection", []time.Duration{0, 300 * ms}, 5, ms, 1, false},
		{"a latency beyond the window widens the span", []time.Duration{0, 4500 * ms}, 1, 3 * w, -1, false},
		{"far apart", []time.Duration{0, 4500 * ms}, 1, ms, -1, true},
	}
	for _, tt := range tests {
		limit := limitOf(tt.n, w, scenarios.AlgoAny)
		q := records.NewQuietness(&limit, quietOK(&limit))
		for i, at := range tt.sends {
			r := records.Record{Sent: int64(at), Latency: uint32(tt.lat / time.Microsecond), Status: 200}
			if i == tt.bad {
				r.Status = 503
			}
			q.Add(0, &r)
		}
		if got := q.Holds(tt.n); got != tt.quiet {
			t.Errorf("%s: quiet = %v; want %v", tt.name, got, tt.quiet)
		}
	}
	bucket := limitOf(10, w, scenarios.AlgoTokenBucket)
	q := records.NewQuietness(&bucket, quietOK(&bucket))
	q.Add(0, &records.Record{Status: 200})
	if q.Holds(10) {
		t.Errorf("a token bucket's run was quiet; want it replayed (its burst may be under the limit)")
	}
}

// Records moved to disk come back as they went: judging a run whose records
// spilled after a handful gives the verdict of a run kept in memory, for runs
// with rejections, failures and several keys, and for the stored replays.
func TestSpilledRecordsJudgeAlike(t *testing.T) {
	defer func(n int) { records.SpillAfter, quietJudging = n, true }(records.SpillAfter)
	quietJudging = false
	judge := func(p *plan.Plan, obs []results.Observation, after int) (Verdict, bool) {
		records.SpillAfter = after
		var sp *memSpill
		j := New(p, Options{Spill: inMemory(&sp)})
		for _, o := range obs {
			j.Observe(o)
		}
		spilled := j.cur.run.col.Spilled != nil
		v := j.Verdict()
		if spilled && !sp.closed {
			t.Errorf("the spill was not closed after judging")
		}
		return v, spilled
	}
	spills := 0
	for seed := range uint64(40) {
		p, obs := randomRun(rand.New(rand.NewPCG(seed, 11)), scenarios.AlgoAny)
		for k := range obs { // make it loud: every fifth request rejected
			if k%5 == 4 {
				obs[k].Status = 429
			}
		}
		inMemory, _ := judge(p, obs, 1<<30)
		onDisk, spilled := judge(p, obs, 7)
		if spilled {
			spills++
		}
		if !reflect.DeepEqual(inMemory, onDisk) {
			t.Errorf("seed %d: the verdict from spilled records differs\ndisk:   %+v\nmemory: %+v", seed, onDisk, inMemory)
		}
	}
	if spills < 30 {
		t.Errorf("%d of 40 runs spilled; want nearly all (those over 7 requests)", spills)
	}
	for _, dir := range []string{"testdata/fra-burst-expiry", "testdata/fra-penalty-box"} {
		p, obs := stored(t, dir)
		onDisk, spilled := judge(p, obs, 7)
		if inMemory, _ := judge(p, obs, 1<<30); !spilled || !reflect.DeepEqual(inMemory, onDisk) {
			t.Errorf("%s: spilled %v; the verdict from spilled records differs from the one kept in memory", dir, spilled)
		}
	}
}

// Where no spill can be made the records stay in memory and the verdict is
// the same; a spill that fails makes the model checks skip, saying why,
// rather than judge part of the run.
func TestSpillFailures(t *testing.T) {
	defer func(n int) { records.SpillAfter, quietJudging = n, true }(records.SpillAfter)
	quietJudging = false
	var p *plan.Plan
	var obs []results.Observation
	for seed := uint64(0); len(obs) < 50; seed++ {
		p, obs = randomRun(rand.New(rand.NewPCG(seed, 13)), scenarios.AlgoAny)
	}
	for k := range obs {
		if k%5 == 4 {
			obs[k].Status = 429
		}
	}
	feed := func(o Options) *Judge {
		j := New(p, o)
		for _, ob := range obs {
			j.Observe(ob)
		}
		return j
	}
	records.SpillAfter = 1 << 30
	want := feed(Options{}).Verdict()

	records.SpillAfter = 7
	tries := 0
	j := feed(Options{Spill: func() (records.Spill, error) { tries++; return nil, fmt.Errorf("no room") }})
	if col := j.cur.run.col; col.Spilled != nil || !col.NoSpill || tries != 1 {
		t.Fatalf("with no spill: spilled %v, given up %v, %d tries; want no spill, and no more tries", col.Spilled != nil, col.NoSpill, tries)
	}
	if got := j.Verdict(); !reflect.DeepEqual(got, want) {
		t.Errorf("with no spill the verdict differs from the one in memory")
	}

	for _, fail := range []struct {
		name string
		make func(*memSpill)
		want string
	}{
		{"a write fails", func(m *memSpill) { m.fail = true }, "writing the records: the disk is full"},
		{"reading back fails", func(m *memSpill) { m.gone = true }, "reading the records back: the file went away"},
	} {
		var sp *memSpill
		j := feed(Options{Spill: func() (records.Spill, error) {
			sp = &memSpill{}
			fail.make(sp)
			return sp, nil
		}})
		if j.cur.run.col.Spilled == nil {
			t.Fatalf("%d records did not spill after %d", j.cur.run.col.N, records.SpillAfter)
		}
		got := resultOf(t, j.Verdict(), check.LimitEnforced)
		if got.Status != check.Skip || !strings.Contains(got.Message, "could not be read back") || !strings.Contains(got.Message, fail.want) {
			t.Errorf("%s: limit.enforced = %s (%s); want skip saying the records could not be read back: %s", fail.name, got.Status, got.Message, fail.want)
		}
		if !sp.closed {
			t.Errorf("%s: the spill was not closed", fail.name)
		}
	}
}

// quietOK is whether limit's family judges quiet runs, as modelCollector asks.
func quietOK(l *scenarios.Limit) bool {
	_, ok := quietFamily(l)
	return ok
}
