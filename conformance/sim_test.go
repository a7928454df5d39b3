package conformance

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// This file simulates servers and clients for the tests. The simulated
// limiters are written independently of the models they test: they decide on
// exact arrival times, one request at a time, the way a real server does.

// base is the wall-clock time the simulated runs start at: not on a second.
var base = time.Date(2025, 3, 1, 12, 0, 0, 123_456_789, time.UTC)

// phaseSpec is one phase of a simulated client schedule.
type phaseSpec struct {
	name string
	kind scenarios.PhaseKind
	mult float64 // rate as a multiple of the limit
	dur  time.Duration
}

// standardPhases is the plan the tests drive: under 0.5x for 2 s, over 2x for
// 3 s, pause 1 s, recovery 0.5x for 2 s.
var standardPhases = []phaseSpec{
	{"under", scenarios.PhaseUnder, 0.5, 2 * time.Second},
	{"over", scenarios.PhaseOver, 2, 3 * time.Second},
	{"pause", scenarios.PhasePause, 0, time.Second},
	{"recovery", scenarios.PhaseRecovery, 0.5, 2 * time.Second},
}

// limitOf builds a limit of n requests per w.
func limitOf(n int64, w time.Duration, algo scenarios.Algorithm) scenarios.Limit {
	return scenarios.Limit{Name: "per-second", Requests: n, Window: w, Scope: scenarios.ScopeKey, Algorithm: algo}
}

// planOf builds a plan testing l with the given phases.
func planOf(l scenarios.Limit, specs []phaseSpec) *plan.Plan {
	sc := &scenarios.Scenario{Name: "sim", Endpoints: []scenarios.Endpoint{{Name: "list", Method: "GET", Path: "/list"}},
		Limits: []scenarios.Limit{l}}
	p := &plan.Plan{Scenario: sc, Tested: 0}
	var at time.Duration
	for _, s := range specs {
		rate := s.mult * l.Rate()
		p.Phases = append(p.Phases, plan.Phase{Name: s.name, Kind: s.kind, Start: at, Duration: s.dur,
			Rate: rate, Endpoint: "list", Key: "k1", Requests: int64(rate * s.dur.Seconds())})
		at += s.dur
	}
	return p
}

// request is one simulated request before the server decides it.
type request struct {
	obs     results.Observation
	arrival time.Time
}

// latencyModel draws a request's latency and the fraction of it spent before
// the server saw the request.
type latencyModel func(r *rand.Rand) (time.Duration, float64)

func fixedLatency(d time.Duration) latencyModel {
	return func(*rand.Rand) (time.Duration, float64) { return d, 0.5 }
}

// jitteredLatency draws latencies uniformly in [d/2, 3d/2] and one-way shares in [0.25, 0.75].
func jitteredLatency(d time.Duration) latencyModel {
	return func(r *rand.Rand) (time.Duration, float64) {
		return d/2 + time.Duration(r.Int64N(int64(d))), 0.25 + r.Float64()/2
	}
}

// client schedules the requests of plan p for the keys, evenly paced per phase,
// every key at the phase's full rate.
func client(p *plan.Plan, keys []string, lat latencyModel, seed uint64) []*request {
	r := rand.New(rand.NewPCG(seed, 7))
	var reqs []*request
	for pi, ph := range p.Phases {
		if ph.Rate <= 0 {
			continue
		}
		gap := time.Duration(float64(time.Second) / ph.Rate)
		for k := range ph.Requests {
			for ki, key := range keys {
				sent := base.Add(ph.Start + time.Duration(k)*gap + time.Duration(ki)*gap/time.Duration(len(keys)))
				d, share := lat(r)
				reqs = append(reqs, &request{
					obs:     results.Observation{Phase: pi, Endpoint: ph.Endpoint, KeyID: key, Sent: sent, Latency: d},
					arrival: sent.Add(time.Duration(float64(d) * share)),
				})
			}
		}
	}
	slices.SortStableFunc(reqs, func(a, b *request) int { return a.obs.Sent.Compare(b.obs.Sent) })
	for i, q := range reqs {
		q.obs.Seq = uint64(i + 1)
	}
	return reqs
}

// serve lets srv decide every request in arrival order and returns the
// observations in send order.
func serve(reqs []*request, srv server) []results.Observation {
	order := slices.Clone(reqs)
	slices.SortStableFunc(order, func(a, b *request) int {
		return cmp.Or(a.arrival.Compare(b.arrival), cmp.Compare(a.obs.Seq, b.obs.Seq))
	})
	for _, q := range order {
		q.obs.Status = srv.decide(q.arrival, q.obs.KeyID)
	}
	out := make([]results.Observation, len(reqs))
	for i, q := range reqs {
		out[i] = q.obs
	}
	return out
}

// server is a simulated rate-limited API.
type server interface {
	decide(at time.Time, key string) int // the response status
}

// fault is how a simulated limiter departs from its promise.
type fault string

const (
	faultNone      fault = "correct"
	faultOffByOne  fault = "off-by-one"   // admits one more than the limit
	faultEarly     fault = "early-reject" // rejects two before the limit
	faultSlow      fault = "slow-recovery"
	faultStatus503 fault = "status-503" // limits with 503
	// faultCountsDenied counts a denied request as well (the sliding-window
	// counter only): HAProxy's http_req_rate, which a client retrying above
	// the limit keeps above it for as long as it retries.
	faultCountsDenied fault = "counts-denied"
)

func (f fault) limitedStatus() int {
	if f == faultStatus503 {
		return 503
	}
	return 429
}

// clockWindow is a fixed window aligned on the server's clock: windows start
// at offset + k·w.
type clockWindow struct {
	n      int64
	w      time.Duration
	offset time.Time
	f      fault
	counts map[string]map[int64]int64
}

func newClockWindow(n int64, w time.Duration, offset time.Time, f fault) *clockWindow {
	if f == faultSlow {
		w *= 2 // same count, twice the window
	}
	return &clockWindow{n: n, w: w, offset: offset, f: f, counts: map[string]map[int64]int64{}}
}

func (s *clockWindow) decide(at time.Time, key string) int {
	k := records.FloorDiv(at.Sub(s.offset).Nanoseconds(), int64(s.w))
	if s.counts[key] == nil {
		s.counts[key] = map[int64]int64{}
	}
	if s.counts[key][k] >= threshold(s.n, s.f) {
		return s.f.limitedStatus()
	}
	s.counts[key][k]++
	return 200
}

// threshold is how many requests a window limiter admits.
func threshold(n int64, f fault) int64 {
	switch f {
	case faultOffByOne:
		return n + 1
	case faultEarly:
		return n - 2
	}
	return n
}

// penalty is the slow-recovery fault of limiters without windows: after a
// rejection everything is rejected for 2 s.
const penalty = 2 * time.Second

// firstRequestWindow opens a window at the first request after the last
// expired, or with onAdmit at the first one it admits (a rejected request
// opens none: the two differ only while a penalty box rejects).
type firstRequestWindow struct {
	n       int64
	w       time.Duration
	f       fault
	onAdmit bool
	state   map[string]*fraServerKey
}

type fraServerKey struct {
	start, blocked time.Time
	count          int64
	open           bool
}

func newFirstRequestWindow(n int64, w time.Duration, f fault) *firstRequestWindow {
	return &firstRequestWindow{n: n, w: w, f: f, state: map[string]*fraServerKey{}}
}

func (s *firstRequestWindow) decide(at time.Time, key string) int {
	st := s.state[key]
	if st == nil {
		st = &fraServerKey{}
		s.state[key] = st
	}
	blocked := s.f == faultSlow && at.Before(st.blocked)
	if (!st.open || !at.Before(st.start.Add(s.w))) && !(blocked && s.onAdmit) {
		st.start, st.count, st.open = at, 0, true
	}
	if blocked {
		return 429
	}
	if st.count >= threshold(s.n, s.f) {
		st.blocked = at.Add(penalty)
		return s.f.limitedStatus()
	}
	st.count++
	return 200
}

// tokenBucket refills rate tokens a second up to burst.
type tokenBucket struct {
	burst, rate float64
	f           fault
	state       map[string]*bucketKey
}

type bucketKey struct {
	tokens        float64
	last, blocked time.Time
}

func newTokenBucket(burst, rate float64, f fault) *tokenBucket {
	if f == faultOffByOne {
		burst++
	}
	return &tokenBucket{burst: burst, rate: rate, f: f, state: map[string]*bucketKey{}}
}

func (s *tokenBucket) decide(at time.Time, key string) int {
	st := s.state[key]
	if st == nil {
		st = &bucketKey{tokens: s.burst, last: at}
		s.state[key] = st
	}
	st.tokens = min(s.burst, st.tokens+s.rate*at.Sub(st.last).Seconds())
	st.last = at
	need := 1.0
	if s.f == faultEarly {
		need = 3
	}
	if s.f == faultSlow && at.Before(st.blocked) {
		return 429
	}
	if st.tokens < need {
		st.blocked = at.Add(penalty)
		return s.f.limitedStatus()
	}
	st.tokens--
	return 200
}

// slidingLog admits while fewer than n admitted requests arrived in the last w.
type slidingLog struct {
	n     int64
	w     time.Duration
	f     fault
	state map[string]*logKey
}

type logKey struct {
	log     []time.Time
	blocked time.Time
}

func newSlidingLog(n int64, w time.Duration, f fault) *slidingLog {
	return &slidingLog{n: n, w: w, f: f, state: map[string]*logKey{}}
}

func (s *slidingLog) decide(at time.Time, key string) int {
	st := s.state[key]
	if st == nil {
		st = &logKey{}
		s.state[key] = st
	}
	for len(st.log) > 0 && !st.log[0].After(at.Add(-s.w)) {
		st.log = st.log[1:]
	}
	if s.f == faultSlow && at.Before(st.blocked) {
		return 429
	}
	if int64(len(st.log)) >= threshold(s.n, s.f) {
		st.blocked = at.Add(penalty)
		return s.f.limitedStatus()
	}
	st.log = append(st.log, at)
	return 200
}

// slidingCounter estimates the last w as prev·(1−f) + curr over windows
// starting at offset + k·w. rounded admits while round(est)+1 ≤ n, as
// go-chi/httprate does; otherwise while est+1 ≤ n.
type slidingCounter struct {
	n       int64
	w       time.Duration
	offset  time.Time
	rounded bool
	f       fault
	state   map[string]*counterKey
}

type counterKey struct {
	idx, prev, curr int64
	blocked         time.Time
}

func newSlidingCounter(n int64, w time.Duration, offset time.Time, rounded bool, f fault) *slidingCounter {
	return &slidingCounter{n: n, w: w, offset: offset, rounded: rounded, f: f, state: map[string]*counterKey{}}
}

func (s *slidingCounter) decide(at time.Time, key string) int {
	el := at.Sub(s.offset)
	k := records.FloorDiv(int64(el), int64(s.w))
	st := s.state[key]
	if st == nil {
		st = &counterKey{idx: k}
		s.state[key] = st
	}
	if k != st.idx {
		st.prev = 0
		if k == st.idx+1 {
			st.prev = st.curr
		}
		st.curr, st.idx = 0, k
	}
	frac := float64(records.FloorMod(int64(el), int64(s.w))) / float64(s.w)
	est := float64(st.prev)*(1-frac) + float64(st.curr)
	if s.rounded {
		est = math.Round(est)
	}
	if s.f == faultSlow && at.Before(st.blocked) {
		return 429
	}
	if est+1 > float64(threshold(s.n, s.f)) {
		st.blocked = at.Add(penalty)
		if s.f == faultCountsDenied {
			st.curr++
		}
		return s.f.limitedStatus()
	}
	st.curr++
	return 200
}

// seqOf feeds observations as an iterator.
func seqOf(obs []results.Observation) func(func(results.Observation) bool) {
	return func(yield func(results.Observation) bool) {
		for _, o := range obs {
			if !yield(o) {
				return
			}
		}
	}
}
