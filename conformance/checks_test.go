package conformance

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// simFamily is a simulated limiter family and the algorithm a scenario declares for it.
type simFamily struct {
	name   string
	algo   scenarios.Algorithm
	server func(n int64, w time.Duration, f fault) server
}

var simFamilies = []simFamily{
	{"clock-window", scenarios.AlgoFixedWindow, func(n int64, w time.Duration, f fault) server {
		// Windows start 0.37 s into our run. The slow fault doubles the window; it
		// starts 1.63 s in so that the under phase never fills a double window and
		// only the recovery is late.
		offset := 370 * time.Millisecond
		if f == faultSlow {
			offset = 1630 * time.Millisecond
		}
		return newClockWindow(n, w, base.Add(offset), f)
	}},
	{"first-request-window", scenarios.AlgoFixedWindow, func(n int64, w time.Duration, f fault) server {
		return newFirstRequestWindow(n, w, f)
	}},
	{"token-bucket", scenarios.AlgoTokenBucket, func(n int64, w time.Duration, f fault) server {
		return newTokenBucket(float64(n), float64(n)/w.Seconds(), f)
	}},
	{"sliding-log", scenarios.AlgoSlidingWindow, func(n int64, w time.Duration, f fault) server {
		return newSlidingLog(n, w, f)
	}},
	{"sliding-counter", scenarios.AlgoSlidingWindow, func(n int64, w time.Duration, f fault) server {
		return newSlidingCounter(n, w, base.Add(610*time.Millisecond), false, f)
	}},
	{"httprate-counter", scenarios.AlgoSlidingWindow, func(n int64, w time.Duration, f fault) server {
		return newSlidingCounter(n, w, base.Add(-250*time.Millisecond), true, f)
	}},
	{"first-admission-window", scenarios.AlgoFixedWindow, func(n int64, w time.Duration, f fault) server {
		// As first-request-window, but a request rejected in the penalty box
		// opens no window: after a late recovery the server's windows are
		// shifted against the ones the promise implies.
		s := newFirstRequestWindow(n, w, f)
		s.onAdmit = true
		return s
	}},
}

// approximate lists the families judged, once faulty, against another model:
// a sliding-window counter passes as a sliding window only when it is correct;
// a faulty one is judged against the sliding log, which also sees the
// counter's approximation (more than N in some rolling window, or a rejection
// with fewer) as over-admission or early rejection.
var approximate = map[string]bool{"sliding-counter": true, "httprate-counter": true}

// failing is the check each fault must fail, and no other: one defect fails
// one check (DESIGN.md). Rejecting early is also an early onset in every
// window, and admitting one too many a late one, but timing.onset points to
// the check that fails (see onsetResult) instead of failing again.
var failing = map[fault][]check.ID{
	faultOffByOne:  {check.LimitEnforced},
	faultEarly:     {check.LimitNoEarlyReject},
	faultSlow:      {check.RecoveryAfterWindow},
	faultStatus503: {check.LimitStatus},
}

var latencies = []struct {
	name string
	lat  latencyModel
}{
	{"0.2ms", fixedLatency(200 * time.Microsecond)},
	{"jitter5ms", jitteredLatency(5 * time.Millisecond)},
}

// simRuns hands each a run of the standard schedule for one key against
// every simulated family, declared and left open, correct and with each
// limit fault, at each latency: the corpus the tests that compare two ways
// of judging (or of summing up) a run agree on.
func simRuns(each func(name string, p *plan.Plan, obs []results.Observation)) {
	for _, fam := range simFamilies {
		for _, algo := range []scenarios.Algorithm{fam.algo, scenarios.AlgoAny} {
			for _, f := range []fault{faultNone, faultOffByOne, faultEarly, faultSlow} {
				for _, lat := range latencies {
					p := planOf(limitOf(20, time.Second, algo), standardPhases)
					obs := serve(client(p, []string{"k1"}, lat.lat, 3), fam.server(20, time.Second, f))
					each(fmt.Sprintf("%s/%s/%s/%s", fam.name, algo, f, lat.name), p, obs)
				}
			}
		}
	}
}

// comparisonRuns hands each the corpus the tests that compare two ways of
// judging (or of summing up) a run agree on: simRuns, then 40 loud random
// runs of every algorithm (some rejected, some sent in a burst) drawn from
// the PCG stream stream, then the stored replays of testdata.
func comparisonRuns(t *testing.T, stream uint64, each func(name string, p *plan.Plan, obs []results.Observation)) {
	t.Helper()
	simRuns(each)
	algos := []scenarios.Algorithm{scenarios.AlgoAny, scenarios.AlgoFixedWindow, scenarios.AlgoSlidingWindow, scenarios.AlgoTokenBucket}
	for seed := range uint64(40) {
		algo := algos[seed%uint64(len(algos))]
		p, obs := randomRun(rand.New(rand.NewPCG(seed, stream)), algo)
		for k := range obs { // loud: some rejected, some in a burst
			switch {
			case k%5 == 2:
				obs[k].Status = 429
			case k%13 == 4 && k > 0:
				obs[k].Sent = obs[k-1].Sent
			}
		}
		each(fmt.Sprintf("seed %d (%s, %d requests)", seed, algo, len(obs)), p, obs)
	}
	dirs, _ := filepath.Glob("testdata/[fl]*-*")
	for _, dir := range dirs {
		p, obs := stored(t, dir)
		each(dir, p, obs)
	}
}

// simulate runs the standard schedule for one key against fam's server.
func simulate(fam simFamily, algo scenarios.Algorithm, n int64, f fault, lat latencyModel, seed uint64) (*plan.Plan, Verdict) {
	p := planOf(limitOf(n, time.Second, algo), standardPhases)
	obs := serve(client(p, []string{"k1"}, lat, seed), fam.server(n, time.Second, f))
	return p, Check(p, seqOf(obs))
}

func statusOf(v Verdict, id check.ID) (check.Result, bool) {
	for _, c := range v.Checks {
		if c.ID == id {
			return c, true
		}
	}
	return check.Result{}, false
}

func TestCheckCorrectLimitersPass(t *testing.T) {
	for _, fam := range simFamilies {
		for _, algo := range []scenarios.Algorithm{fam.algo, scenarios.AlgoAny} {
			for _, n := range []int64{20, 100} {
				for _, lat := range latencies {
					name := fmt.Sprintf("%s/%s/%d/%s", fam.name, algo, n, lat.name)
					t.Run(name, func(t *testing.T) {
						_, v := simulate(fam, algo, n, faultNone, lat.lat, uint64(n))
						for _, id := range []check.ID{check.LimitEnforced, check.LimitNoEarlyReject, check.LimitStatus, check.RecoveryAfterWindow} {
							c, _ := statusOf(v, id)
							if bucketBlurred(fam, id, c) {
								t.Logf("%s undecided: %s", id, c.Message)
								continue
							}
							if c.Status != check.Pass {
								t.Errorf("%s = %s (%s); want pass", id, c.Status, c.Message)
							}
						}
						if v.Status != check.Pass {
							t.Errorf("Verdict.Status = %s; want pass", v.Status)
						}
					})
				}
			}
		}
	}
}

// bucketBlurred reports whether c is limit.enforced or limit.no-early-reject
// undecided for a bucket because arrival times blur a request of its first
// burst: a bucket's capacity shows only in a burst from full, one request too
// many or too few alike, and at 100/s the 5 ms jitter frees about one
// request in it.
func bucketBlurred(fam simFamily, id check.ID, c check.Result) bool {
	blur := map[check.ID]string{
		check.LimitEnforced:      "none could show one request too many",
		check.LimitNoEarlyReject: "could show a rejection one request early: arrival times were uncertain",
	}[id]
	return fam.algo == scenarios.AlgoTokenBucket && blur != "" && c.Status == check.Skip && c.Undecided &&
		strings.Contains(c.Message, blur)
}

// knownGaps are the simulations where ratecheck still passes a fault, with
// why. It is the one left of the ten once exempted: a first-request-aligned
// window drifts a few milliseconds a window, and with 100 requests a second
// and 5 ms of jitter a clock-aligned window placed against the drift fits
// one extra admission a window into the arrival intervals that straddle its
// boundaries, while the point model blames only one decision. The test fails
// when such a cell stops passing, so that it is removed here.
var knownGaps = map[string]string{
	"first-request-window/off-by-one/100/jitter5ms":   "a clock alignment absorbs one extra admission a window",
	"first-admission-window/off-by-one/100/jitter5ms": "a clock alignment absorbs one extra admission a window",
}

// TestCheckFaultsFailOnlyTheirCheck: every fault fails its own check and no
// other: where the timing tolerance leaves the check undecidable it skips
// (and the run is not a pass), and the one fault no run can show (off-by-one
// in a sliding-window counter) passes only saying why; knownGaps lists what
// is still missed.
func TestCheckFaultsFailOnlyTheirCheck(t *testing.T) {
	for _, fam := range simFamilies {
		for _, f := range []fault{faultOffByOne, faultEarly, faultSlow, faultStatus503} {
			for _, n := range []int64{20, 100} {
				for _, lat := range latencies {
					name := fmt.Sprintf("%s/%s/%d/%s", fam.name, f, n, lat.name)
					t.Run(name, func(t *testing.T) {
						_, v := simulate(fam, fam.algo, n, f, lat.lat, uint64(n)+1)
						for _, c := range v.Checks {
							want := slices.Contains(failing[f], c.ID)
							loose := approximate[fam.name] && (c.ID == check.LimitEnforced || c.ID == check.LimitNoEarlyReject || c.ID == check.TimingOnset)
							switch got := c.Status == check.Fail; {
							case got == want, loose, knownGaps[name] != "" && c.Status == check.Pass:
							case want && c.Status == check.Skip:
								t.Logf("%s undecided: %s", c.ID, c.Message)
							case want && strings.Contains(c.Message, "not detectable: "):
								t.Logf("%s blind spot: %s", c.ID, c.Message)
							default:
								t.Errorf("%s = %s (%s); want failed=%v", c.ID, c.Status, c.Message, want)
							}
							if c.See != "" && !slices.Contains(failing[f], c.See) && !loose {
								t.Errorf("%s points to %s (%s); want it to point to the check that fails, %s", c.ID, c.See, c.Message, failing[f])
							}
						}
						if gap := knownGaps[name]; gap != "" {
							if v.Status != check.Pass {
								t.Errorf("Verdict.Status = %s; knownGaps says it passes (%s): remove it there", v.Status, gap)
							}
							return
						}
						if v.Status == check.Pass && !blindSpot(v) {
							t.Errorf("Verdict.Status = pass; want fail, or not a pass")
						}
					})
				}
			}
		}
	}
}

// blindSpot reports whether v passed limit.enforced saying the fault cannot
// be shown.
func blindSpot(v Verdict) bool {
	c, _ := statusOf(v, check.LimitEnforced)
	return c.Status == check.Pass && strings.Contains(c.Message, "not detectable: ")
}

// A sliding-window counter that counts denied requests too (HAProxy's
// http_req_rate) admits as a counter does, so limit.enforced passes, and keeps
// a client retrying above the limit out for as long as it retries, which only
// recovery.after-window fails. The over phase starts at ten places in the
// counter's window: where it follows the under phase's requests closely the
// counter's estimate lets 21 through within a second, which judged against
// the sliding log instead is an over-admission, one defect failing two
// checks, the wrong one first.
func TestCheckCounterRatingDeniedFailsRecoveryAlone(t *testing.T) {
	for _, fam := range simFamilies {
		if !approximate[fam.name] {
			continue
		}
		for _, algo := range []scenarios.Algorithm{scenarios.AlgoSlidingWindow, scenarios.AlgoAny} {
			for _, n := range []int64{20, 100} {
				for d := range 10 {
					start := time.Duration(d) * 100 * time.Millisecond
					t.Run(fmt.Sprintf("%s/%s/%d/over+%v", fam.name, algo, n, start), func(t *testing.T) {
						specs := slices.Clone(standardPhases)
						specs[0].dur += start
						p := planOf(limitOf(n, time.Second, algo), specs)
						obs := serve(client(p, []string{"k1"}, jitteredLatency(5*time.Millisecond), uint64(d)), fam.server(n, time.Second, faultCountsDenied))
						for _, c := range Check(p, seqOf(obs)).Checks {
							if got, want := c.Status == check.Fail, c.ID == check.RecoveryAfterWindow; got != want {
								t.Errorf("%s = %s (%s); want failed=%v", c.ID, c.Status, c.Message, want)
							}
						}
					})
				}
			}
		}
	}
}

// With `any` a faulty limiter may be best explained by another family (a bucket
// that rejects early looks like a sliding log that admits too much), so only the
// verdict is certain: it is no pass, unless it says the fault cannot be shown.
func TestCheckAnyStillFailsFaults(t *testing.T) {
	for _, fam := range simFamilies {
		for _, f := range []fault{faultOffByOne, faultEarly, faultSlow, faultStatus503} {
			t.Run(fam.name+"/"+string(f), func(t *testing.T) {
				_, v := simulate(fam, scenarios.AlgoAny, 20, f, fixedLatency(200*time.Microsecond), 3)
				if v.Status == check.Pass && !blindSpot(v) {
					t.Errorf("Verdict.Status = %s; want fail (%+v)", v.Status, v.Checks)
				}
			})
		}
	}
}

func TestCheckAnyNamesTheFamily(t *testing.T) {
	tests := []struct {
		fam  simFamily
		want string
	}{
		{simFamilies[0], "judged as fixed-window"},
		{simFamilies[2], "judged as token-bucket"},
		{simFamilies[3], "judged as sliding-window"},
	}
	for _, tt := range tests {
		_, v := simulate(tt.fam, scenarios.AlgoAny, 20, faultNone, fixedLatency(200*time.Microsecond), 5)
		c, _ := statusOf(v, check.LimitEnforced)
		if !strings.Contains(c.Message, tt.want) || !strings.Contains(c.Message, "(best of any)") {
			t.Errorf("%s: limit.enforced message = %q; want it to contain %q and (best of any)", tt.fam.name, c.Message, tt.want)
		}
	}
}

// "20 per second, bursts of up to 40" with the algorithm left open (any) is
// some bucket: a bucket of 40 refilled at 20/s keeps it, one of 41 admits too
// much, and a correct window of 20 per second breaks the burst promise. Without
// the burst, any judges the same window correct.
func TestAnyWithABurstIsABucket(t *testing.T) {
	tests := []struct {
		name   string
		burst  bool
		server func() server
		want   map[check.ID]check.Status
	}{
		{"bucket of 40", true, func() server { return newTokenBucket(40, 20, faultNone) },
			map[check.ID]check.Status{check.LimitEnforced: check.Pass, check.LimitNoEarlyReject: check.Pass}},
		{"bucket of 41", true, func() server { return newTokenBucket(41, 20, faultNone) },
			map[check.ID]check.Status{check.LimitEnforced: check.Fail}},
		{"window of 20", true, func() server { return newClockWindow(20, time.Second, base, faultNone) },
			map[check.ID]check.Status{check.LimitEnforced: check.Pass, check.LimitNoEarlyReject: check.Fail}},
		{"window of 20, no burst promised", false, func() server { return newClockWindow(20, time.Second, base, faultNone) },
			map[check.ID]check.Status{check.LimitEnforced: check.Pass, check.LimitNoEarlyReject: check.Pass}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := limitOf(20, time.Second, scenarios.AlgoAny)
			l.Burst, l.BurstDeclared = 20, tt.burst
			if tt.burst {
				l.Burst = 40
			}
			p := planOf(l, standardPhases)
			v := Check(p, seqOf(serve(client(p, []string{"k1"}, fixedLatency(200*time.Microsecond), 1), tt.server())))
			for id, want := range tt.want {
				if c := resultOf(t, v, id); c.Status != want {
					t.Errorf("%s = %s (%s); want %s", id, c.Status, c.Message, want)
				}
			}
		})
	}
}

// Far away, a sliding log admitting one too many in every rolling window, or
// rejecting two before the limit, fits a sliding-window counter as well as a
// correct one does: its check must not pass it, whichever family explains
// the run: it fails, or is undecided, which makes the verdict INCONCLUSIVE.
// (A counter chosen to explain the run counted every episode clean and every
// rejection limiting, and passed them, while the correct log came out
// undecided.)
func TestCheckFarFaultIsNoPass(t *testing.T) {
	for _, tc := range []struct {
		f  fault
		id check.ID
	}{{faultOffByOne, check.LimitEnforced}, {faultEarly, check.LimitNoEarlyReject}} {
		for seed := range uint64(12) {
			t.Run(fmt.Sprintf("%s/%d", tc.f, seed), func(t *testing.T) {
				_, v := simulate(simFamilies[3], scenarios.AlgoSlidingWindow, 20, tc.f, jitteredLatency(200*time.Millisecond), seed)
				c, _ := statusOf(v, tc.id)
				if c.Status == check.Pass || c.Status == check.Skip && !c.Undecided {
					t.Errorf("%s = %s, undecided %v (%s); want a failure or undecided", tc.id, c.Status, c.Undecided, c.Message)
				}
			})
		}
	}
}
