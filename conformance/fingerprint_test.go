package conformance

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/model"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

func TestFingerprintOfSimulatedLimiters(t *testing.T) {
	tests := []struct {
		fam          simFamily
		f            fault
		Family, want string // want: the start of Params
	}{
		{simFamilies[0], faultNone, "fixed window", "20 per 1s, clock-aligned"},
		{simFamilies[0], faultOffByOne, "fixed window", "21 per 1s, clock-aligned"},
		{simFamilies[0], faultSlow, "fixed window", "20 per 2s, clock-aligned"},
		{simFamilies[1], faultEarly, "fixed window", "18 per 1s, first-request-aligned"},
		{simFamilies[2], faultNone, "token bucket", "burst 20, refill 20/s"},
		{simFamilies[2], faultOffByOne, "token bucket", "burst 21, refill 20/s"},
		{simFamilies[3], faultNone, "sliding log", "20 per 1s"},
		{simFamilies[4], faultNone, "sliding-window counter", "20 per 1s, windows starting"},
	}
	for _, tt := range tests {
		t.Run(tt.fam.name+"/"+string(tt.f), func(t *testing.T) {
			_, v := simulate(tt.fam, tt.fam.algo, 20, tt.f, fixedLatency(200*time.Microsecond), 21)
			fp := v.Fingerprint
			if fp == nil {
				t.Fatalf("Verdict.Fingerprint = nil; want %s, %s…", tt.Family, tt.want)
			}
			if fp.Family != tt.Family || !strings.HasPrefix(fp.Params, tt.want) {
				t.Errorf("Fingerprint = %s, %s; want %s, %s…", fp.Family, fp.Params, tt.Family, tt.want)
			}
			if fp.Explained != fp.Judged || fp.Judged != 160 || fp.Ambiguous != 0 {
				t.Errorf("Fingerprint explains %d of %d (%d ambiguous); want 160 of 160", fp.Explained, fp.Judged, fp.Ambiguous)
			}
			if want := fp.Family + ", " + fp.Params + ": explains 160 of 160 decisions"; fp.Summary != want {
				t.Errorf("Fingerprint.Summary = %q; want %q", fp.Summary, want)
			}
		})
	}
}

// smoothed is a leaky bucket of one at 20 a second, met at 40 a second for
// 3 s: every other request is admitted, 50 ms apart.
func smoothed(algo scenarios.Algorithm) Verdict {
	p := planOf(limitOf(20, time.Second, algo), []phaseSpec{{"over", scenarios.PhaseOver, 2, 3 * time.Second}})
	return Check(p, seqOf(serve(client(p, []string{"k1"}, fixedLatency(200*time.Microsecond), 1), newTokenBucket(1, 20, faultNone))))
}

func TestFingerprintNamesSmoothing(t *testing.T) {
	for _, algo := range []scenarios.Algorithm{scenarios.AlgoFixedWindow, scenarios.AlgoAny} {
		t.Run(string(algo), func(t *testing.T) {
			v := smoothed(algo)
			fp := v.Fingerprint
			if fp == nil {
				t.Fatal("Verdict.Fingerprint = nil; want the leaky bucket")
			}
			got := Fingerprint{Family: fp.Family, Params: fp.Params, Explained: fp.Explained, Judged: fp.Judged}
			want := Fingerprint{Family: "leaky bucket", Params: "1 per 50 ms (smoothing, burst 1)", Explained: 120, Judged: 120}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Fingerprint mismatch (-want +got):\n%s", diff)
			}
			c := resultOf(t, v, check.LimitNoEarlyReject)
			note := "the limiter smooths traffic: it admits one request every 50 ms (leaky bucket, burst 1); the promise of 20 per 1s lets a burst of 20 through"
			if c.Status != check.Fail || !strings.HasSuffix(c.Message, note) {
				t.Errorf("limit.no-early-reject = %s (%s); want fail ending %q", c.Status, c.Message, note)
			}
		})
	}
}

// A smoothing limiter that promised to smooth is not told it smooths.
func TestFingerprintSmoothingPromised(t *testing.T) {
	p := planOf(limitOf(20, time.Second, scenarios.AlgoLeakyBucket), []phaseSpec{{"over", scenarios.PhaseOver, 2, 3 * time.Second}})
	p.Scenario.Limits[0].Burst = 1
	v := Check(p, seqOf(serve(client(p, []string{"k1"}, fixedLatency(200*time.Microsecond), 1), newTokenBucket(1, 20, faultNone))))
	for _, c := range v.Checks {
		if strings.Contains(c.Message, "smooths") {
			t.Errorf("%s message = %q; want no smoothing note", c.ID, c.Message)
		}
	}
	if fp := v.Fingerprint; fp == nil || fp.Family != "leaky bucket" {
		t.Errorf("Verdict.Fingerprint = %+v; want the leaky bucket", fp)
	}
}

func TestVerdictFingerprint(t *testing.T) {
	if fp := New(nil, Options{}).Verdict().Fingerprint; fp != nil {
		t.Errorf("Verdict().Fingerprint with no plan = %+v; want nil", fp)
	}
	p, v := simulate(simFamilies[2], scenarios.AlgoTokenBucket, 20, faultNone, fixedLatency(200*time.Microsecond), 1)
	if fp := New(p, Options{}).Verdict().Fingerprint; fp != nil {
		t.Errorf("Verdict().Fingerprint with nothing observed = %+v; want nil", fp)
	}
	if v.Fingerprint == nil || v.Fingerprint.Family != "token bucket" {
		t.Errorf("Verdict.Fingerprint = %+v; want the token bucket", v.Fingerprint)
	}
}

func TestThousands(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {1198, "1,198"}, {1234567, "1,234,567"}, {-1200, "-1,200"}}
	for _, tt := range tests {
		if got := thousands(tt.n); got != tt.want {
			t.Errorf("thousands(%d) = %q; want %q", tt.n, got, tt.want)
		}
	}
}

// A fingerprint's words come from the model's fields (its parameters, a
// window's alignment, a counter's phase), never from the description the
// evaluation was given.
func TestFingerprintWordsFromFields(t *testing.T) {
	p := model.Params{N: 20, W: int64(time.Second), Burst: 20, Rate: 20 / float64(time.Second)}
	smooth := model.Params{N: 20, W: int64(time.Second), Burst: 1, Rate: 20 / float64(time.Second)}
	clock := &model.Alignment{Into: 370 * time.Millisecond, How: "from resets"}
	tests := []struct {
		f          model.Family
		p          model.Params
		align      *model.Alignment
		name, text string
	}{
		{model.Windows, p, nil, "fixed window", "20 per 1s, first-request-aligned"},
		{model.Windows, p, clock, "fixed window", "20 per 1s, clock-aligned 0.370 s into each 1s"},
		{model.Logs, p, nil, "sliding log", "20 per 1s"},
		{model.Counter, p, &model.Alignment{Into: 997 * time.Millisecond}, "sliding-window counter", "20 per 1s, windows starting 0.003 s before each whole 1s"},
		{model.Buckets, p, nil, "token bucket", "burst 20, refill 20/s"},
		{model.Buckets, smooth, nil, "leaky bucket", "1 per 50 ms (smoothing, burst 1)"},
	}
	for _, tt := range tests {
		f := &fit{family: tt.f, p: tt.p, ev: &model.Evaluation{Family: tt.f, Align: tt.align, Desc: "(not read)"}}
		fp := f.export()
		if fp.Family != tt.name || fp.Params != tt.text {
			t.Errorf("%T %+v: fingerprint %q, %q; want %q, %q", tt.f, tt.align, fp.Family, fp.Params, tt.name, tt.text)
		}
	}
}

// TestFingerprintPrefersTheTighterWindowFit replays a run of
// sethvargo/go-limiter (windows of 1s on a clock that starts at the key's
// first request), recorded on a loaded machine: a chain of
// first-request-aligned windows was refuted by no decision only because 259
// of 490 were ambiguous, and the fingerprint named it; the clock alignment
// explains every decision and must win. The verdict is unchanged: a chain
// nothing refutes is judged as it was.
func TestFingerprintPrefersTheTighterWindowFit(t *testing.T) {
	v := replay(t, "testdata/loaded-periodic-window-loose-chain")
	fp := v.Fingerprint
	if fp == nil || !strings.HasPrefix(fp.Params, "20 per 1s, clock-aligned") {
		t.Fatalf("fingerprint = %+v; want fixed windows of 20 per 1s, clock-aligned", fp)
	}
	if fp.Explained+fp.Ambiguous != fp.Judged || fp.Ambiguous >= fp.Judged/2 {
		t.Errorf("fingerprint explains %d and leaves %d ambiguous of %d; want nothing refuted and most explained",
			fp.Explained, fp.Ambiguous, fp.Judged)
	}
	for _, id := range []check.ID{check.LimitEnforced, check.LimitNoEarlyReject, check.TimingOnset, check.RecoveryAfterWindow} {
		if c := resultOf(t, v, id); c.Status != check.Pass {
			t.Errorf("%s = %s (%s); want pass", id, c.Status, c.Message)
		}
	}
}

// TestPointChainFollowsTheServersResets replays a run of the built-in
// target's clock-aligned windows (10 per 500 ms, cmd/ratecheck's short.yaml)
// recorded while the CPUs were busy, as in CI. A chain of first-request
// windows explains it (the traffic's period divides the window), and its
// point model, which places each request at its best estimate, put the
// server's first admission of the over phase 0.01 ms before the expiry of a
// window opened in the under phase: every later window it opened began a
// request late, with the server's rejections in it, and it blamed all 135;
// limit.no-early-reject, finding none it was sure came at the limit, left the
// run INCONCLUSIVE. An admission after a rejection that surely arrived
// before it shows the server opened a window between them, and the point
// chain now opens its own there: the run passes, each model check decided.
func TestPointChainFollowsTheServersResets(t *testing.T) {
	v, concluded := replayConcluded(t, "testdata/loaded-window-point-chain-drift")
	if concluded.Status != check.Pass {
		t.Errorf("verdict %s; want pass", concluded.Status)
	}
	for _, id := range []check.ID{check.LimitEnforced, check.LimitNoEarlyReject, check.TimingOnset, check.RecoveryAfterWindow} {
		if c := resultOf(t, v, id); c.Status != check.Pass || c.Undecided {
			t.Errorf("%s = %s, undecided %v (%s); want pass", id, c.Status, c.Undecided, c.Message)
		}
	}
}

// The fingerprint's candidates judged up to the ceiling (model.Rules.Ceiling)
// give the verdict of every candidate judged whole: the same results,
// messages and fingerprint, for the simulated limiters of every family with
// each fault, loud random runs of every algorithm and the stored replays.
func TestCappedCandidatesAgree(t *testing.T) {
	defer func() { capCandidates, quietJudging = true, true }()
	quietJudging = false
	judge := func(p *plan.Plan, obs []results.Observation, capped bool) Verdict {
		capCandidates = capped
		return Check(p, seqOf(obs))
	}
	agree := func(name string, p *plan.Plan, obs []results.Observation) {
		t.Helper()
		if whole, capped := judge(p, obs, false), judge(p, obs, true); !reflect.DeepEqual(whole, capped) {
			t.Errorf("%s: with the candidates capped, the verdict differs\nwhole:  %+v\ncapped: %+v", name, whole, capped)
		}
	}
	comparisonRuns(t, 18, agree)
}
