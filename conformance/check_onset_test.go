package conformance

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/model"
	"github.com/ratecheck/ratecheck/conformance/series"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// onsetReq is one hand-made request: when it was sent, how long it took, the answer.
type onsetReq struct {
	at, latency time.Duration
	status      int
}

// quick is a request answered in 0.2 ms.
func quick(at time.Duration, status int) onsetReq {
	return onsetReq{at, 200 * time.Microsecond, status}
}

func TestOnsetWindows(t *testing.T) {
	ms := time.Millisecond
	// A first-request-aligned window of 3 per 1 s: requests 100 ms apart from 0,
	// then the same again from 1.5 s.
	burst := func(statuses ...int) []onsetReq {
		var out []onsetReq
		for _, from := range []time.Duration{0, 1500 * ms} {
			for k, st := range statuses {
				out = append(out, quick(from+time.Duration(k)*100*ms, st))
			}
		}
		return out
	}
	tests := []struct {
		name   string
		reqs   []onsetReq
		status check.Status
		want   string   // in the message
		see    check.ID // the check a wrong onset points to
	}{
		{"on time", burst(200, 200, 200, 429, 429), check.Pass,
			"in all 2 windows that reached the limit, the first rejection came at request 4 of the window", ""},
		{"early onset", burst(200, 200, 429, 429), check.Skip,
			"2 of 2 windows that reached the limit (2 early; first at +0.200 s: first 429 came at request 3 of the window (1 early, 100 ms)", check.LimitNoEarlyReject},
		{"late onset", burst(200, 200, 200, 200, 429), check.Skip,
			"first 429 came at request 5 of the window (1 late, 100 ms)", check.LimitEnforced},
		{"never limited", burst(200, 200), check.Skip, "no window reached the limit", ""},
		// The rejection at 200 ms took 500 ms: the admission sent at 300 ms may
		// have arrived before it, so it may have been request 4.
		{"ambiguous onset", []onsetReq{quick(0, 200), quick(100*ms, 200), {200 * ms, 500 * ms, 429},
			quick(300*ms, 200), quick(400*ms, 429)}, check.Pass, "onsets off by requests within the timing tolerance not counted", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := hand{start: base}
			for _, r := range tt.reqs {
				h.add(0, r.at, r.latency, r.status)
			}
			p := fixedPlan(3, time.Second, plan.Phase{Name: "over", Kind: scenarios.PhaseOver, Duration: 3 * time.Second})
			v := Check(p, seqOf(h.obs))
			c := resultOf(t, v, check.TimingOnset)
			if c.Status != tt.status || !strings.Contains(c.Message, tt.want) || c.See != tt.see {
				t.Errorf("timing.onset = %s, see %q (%s); want %s, see %q, containing %q", c.Status, c.See, c.Message, tt.status, tt.see, tt.want)
			}
			if tt.see != "" && resultOf(t, v, tt.see).Status != check.Fail {
				t.Errorf("%s = %s; want fail, the check timing.onset points to", tt.see, resultOf(t, v, tt.see).Status)
			}
		})
	}
}

func TestOnsetBucket(t *testing.T) {
	ms := time.Millisecond
	// bucketPlan: burst 2, refilled 1 a second.
	tests := []struct {
		name   string
		reqs   []onsetReq
		status check.Status
		want   string
	}{
		{"on time", []onsetReq{quick(0, 200), quick(10*ms, 200), quick(20*ms, 429)}, check.Pass,
			"the first rejection came once the bucket had no token left"},
		{"early onset", []onsetReq{quick(0, 200), quick(10*ms, 429)}, check.Skip,
			"first 429 came with at least 1.01 tokens left (1 early, 1.01 s of refill)"},
		{"late onset", []onsetReq{quick(0, 200), quick(10*ms, 200), quick(20*ms, 200), quick(30*ms, 429)}, check.Skip,
			"first 429 came after 1 admission beyond the limit (1 late, 10 ms)"},
		{"late recovery is not an onset", []onsetReq{quick(0, 200), quick(10*ms, 200), quick(20*ms, 429), quick(2500*ms, 429)}, check.Pass,
			"in all 1 rejection streak"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := hand{start: base}
			for _, r := range tt.reqs {
				h.add(0, r.at, r.latency, r.status)
			}
			c := resultOf(t, Check(bucketPlan(), seqOf(h.obs)), check.TimingOnset)
			if c.Status != tt.status || !strings.Contains(c.Message, tt.want) {
				t.Errorf("timing.onset = %s (%s); want %s containing %q", c.Status, c.Message, tt.status, tt.want)
			}
		})
	}
}

// judgeOnset, which looks only at the requests between the streaks when the
// family has no windows, judges every onset as looking at every request
// (judgeOnsetWhole) did: for the simulated limiters of every family with
// each fault, loud random runs of every algorithm and the stored replays.
func TestJudgeOnsetAsWhole(t *testing.T) {
	defer func() { quietJudging = true }()
	quietJudging = false
	onsets, unwindowed := 0, 0
	agree := func(name string, p *plan.Plan, obs []results.Observation) {
		t.Helper()
		j := New(p, Options{})
		for _, o := range obs {
			j.Observe(o)
		}
		a := j.cur.run.analysis()
		if a.eval == nil || len(a.series) == 0 {
			return
		}
		for x, s := range a.series {
			ev := &a.eval.States[x]
			prev := -1
			limiting := func(i int) bool { return ev.Out[i] == series.RejectOK }
			for _, streak := range model.Streaks(s, limiting) {
				r := model.Ref{S: s, Ev: ev, I: streak[0]}
				if got, want := a.judgeOnset(r, prev, streak), a.judgeOnsetWhole(r, prev, streak); !reflect.DeepEqual(got, want) {
					t.Fatalf("%s: onset at request %d: %+v; looking at every request gives %+v", name, r.I, got, want)
				}
				onsets++
				if !a.eval.Family.Windowed() {
					unwindowed++
				}
				prev = streak[len(streak)-1]
			}
		}
	}
	comparisonRuns(t, 20, agree)
	if unwindowed < 100 {
		t.Errorf("%d onsets judged, %d of them without windows; want many of both", onsets, unwindowed)
	}
}

// judgeOnsetWhole is judgeOnset as first written, looking at every request.
func (a *analysis) judgeOnsetWhole(r model.Ref, prev int, streak []int) onset {
	s, ev := r.S, r.Ev
	win := a.eval.Family.Windowed()
	var adm []int
	over, total := 0, 0
	for i := range s.Reqs {
		if !s.Adm[i] {
			continue
		}
		before := i > prev && i < r.I
		if win && !sameWindow(ev, i, r.I) || !win && !before {
			continue
		}
		total++
		if before {
			adm = append(adm, i)
		}
		if ev.Out[i] == series.AdmitOver {
			over++
		}
	}
	o := onset{first: r}
	wrong := ev.Out[r.I] == series.RejectEarly || ev.Out[r.I] == series.RejectWrong
	switch {
	case wrong:
		o.early, o.blamed = a.eval.Family.EarlyBy(a.Limit.Requests, len(adm), r.Ev.DetOf(r.I)), check.LimitNoEarlyReject
	case over > 0:
		o.late, o.blamed = over, check.LimitEnforced
	case win:
		o.fuzzy = int64(len(adm)) != a.Limit.Requests
	}
	o.note = a.onsetNote(r, adm, streak, total, o)
	return o
}
