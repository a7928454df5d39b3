package conformance

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// contractYAML is a contract with two keys, an endpoint the limit excludes
// and exact X-RateLimit headers; SCOPE is replaced.
const contractYAML = `name: contract
auth:
  header: X-Key
  keys:
    primary: ${K1}
    second: ${K2}
endpoints:
  - {name: list, method: GET, path: /list}
  - {name: health, method: GET, path: /health}
limits:
  - name: ps
    requests: 20
    window: 1s
    scope: SCOPE
    exclude: [health]
headers:
  convention: x-ratelimit
`

func contractPlan(t *testing.T, scope string, opts ...plan.Option) *plan.Plan {
	t.Helper()
	sc, err := scenarios.Parse("contract.yaml", []byte(strings.Replace(contractYAML, "SCOPE", scope, 1)))
	if err != nil {
		t.Fatal(err)
	}
	return plan.New(sc, opts...)
}

// reply gives the status and Remaining of request k of phase ph, or
// status 0 to leave the request out.
type reply func(ph plan.Phase, k int64) (status int, remaining int64)

// contractRun answers every request of p's contract phases with f, each
// 1 ms after the last, 2 ms each.
func contractRun(p *plan.Plan, f reply) []results.Observation {
	start := time.Unix(1_700_000_000, 0)
	var out []results.Observation
	for i, ph := range p.Phases {
		if !ph.Kind.Contract() {
			continue
		}
		for k := int64(0); k < ph.Requests; k++ {
			st, rem := f(ph, k)
			if st == 0 {
				continue
			}
			out = append(out, results.Observation{
				Seq: p.FirstSeq(i) + uint64(k), Phase: i, Endpoint: ph.Endpoint, KeyID: ph.Key,
				Sent: start.Add(ph.Start + time.Duration(k)*time.Millisecond), Latency: 2 * time.Millisecond, Status: st,
				Headers: map[string]string{"X-Ratelimit-Limit": "20", "X-Ratelimit-Remaining": strconv.FormatInt(rem, 10)},
			})
		}
	}
	return out
}

// lastCountedRejected answers as base, but rejects the whole last counted
// burst (5 requests) of each attempt: what a limit that charged the
// requests in between does on a fresh budget.
func lastCountedRejected(base reply) reply {
	return with(base, scenarios.PhaseCounted, func(ph plan.Phase, k int64) (int, int64) {
		if ph.Requests == 5 {
			return 429, 0
		}
		return 200, 19 - k
	})
}

// honest answers as a limit of 20 per key that excludes health: A's exhaust
// burst passes 20 and rejects the rest, the counted ones fit.
func honest(ph plan.Phase, k int64) (int, int64) {
	switch ph.Kind {
	case scenarios.PhaseExhaust:
		if k < 20 {
			return 200, 19 - k
		}
		return 429, 0
	case scenarios.PhaseConfirm:
		return 429, 0
	case scenarios.PhaseCounted:
		if ph.Requests == 5 {
			return 200, 4 - k
		}
		return 200, 19 - k
	case scenarios.PhaseNoKey, scenarios.PhaseBadKey:
		return 401, 0
	case scenarios.PhaseNoScope:
		return 403, 0
	}
	return 200, 19 - k // the other key, the excluded calls
}

// with changes the replies of every phase of one kind.
func with(base reply, kind scenarios.PhaseKind, f reply) reply {
	return func(ph plan.Phase, k int64) (int, int64) {
		if ph.Kind == kind {
			return f(ph, k)
		}
		return base(ph, k)
	}
}

func status(st int, rem int64) reply {
	return func(plan.Phase, int64) (int, int64) { return st, rem }
}

// nth makes f reply only the n-th (0-based) phase of its kind.
func nth(p *plan.Plan, kind scenarios.PhaseKind, n int, f, base reply) reply {
	starts := []time.Duration{}
	for _, ph := range p.Phases {
		if ph.Kind == kind {
			starts = append(starts, ph.Start)
		}
	}
	return func(ph plan.Phase, k int64) (int, int64) {
		if ph.Kind == kind && n < len(starts) && ph.Start == starts[n] {
			return f(ph, k)
		}
		return base(ph, k)
	}
}

func judgeContract(p *plan.Plan, obs []results.Observation, id check.ID) check.Result {
	j := New(p, Options{})
	for _, o := range obs {
		j.Observe(o)
	}
	for _, c := range j.Verdict().Checks {
		if c.ID == id {
			return c
		}
	}
	return check.Result{}
}

// TestIsolationChecks judges limit.per-key and limit.per-ip on answers made
// by hand.
func TestIsolationChecks(t *testing.T) {
	key, global := contractPlan(t, "key"), contractPlan(t, "global")
	ip, ipOne := contractPlan(t, "ip", plan.Sources(2)), contractPlan(t, "ip")
	tests := []struct {
		name  string
		plan  *plan.Plan
		id    check.ID
		reply reply
		want  check.Status
		msg   string
	}{
		{"separate budgets", key, check.LimitPerKey, honest, check.Pass, "all admitted while key A was rejected right before"},
		{"one shared budget", key, check.LimitPerKey, with(honest, scenarios.PhaseOtherKey, status(429, 0)), check.Fail, "the clients share one budget"},
		{"one rejection of the other key fails", key, check.LimitPerKey,
			nth(key, scenarios.PhaseOtherKey, 1, func(_ plan.Phase, k int64) (int, int64) {
				if k == 4 {
					return 429, 0
				}
				return 200, 19 - k
			}, honest), check.Fail, "rejected (429) on 1 of its 10 requests"},
		{"A admitted after B in both attempts: a window may have ended", key, check.LimitPerKey, with(honest, scenarios.PhaseConfirm, status(200, 19)), check.Skip, "in none of 2 attempts"},
		{"A admitted after B in the first attempt only", key, check.LimitPerKey, nth(key, scenarios.PhaseConfirm, 0, status(200, 19), honest), check.Pass, "right after"},
		{"the burst's last-sent request admitted, an earlier one rejected", key, check.LimitPerKey,
			with(honest, scenarios.PhaseExhaust, func(ph plan.Phase, k int64) (int, int64) {
				// A burst is decided in arrival order: here the last one sent
				// arrived among the first twenty.
				if k == ph.Requests-1 || k < 19 {
					return 200, 1
				}
				return 429, 0
			}), check.Pass, "right before"},
		{"A never exhausted", key, check.LimitPerKey, with(honest, scenarios.PhaseExhaust, status(200, 5)), check.Skip, "in none of 2 attempts"},
		{"B's Remaining shows A's use", key, check.LimitPerKey, with(honest, scenarios.PhaseOtherKey, status(200, 0)), check.Fail, "shows in its headers"},
		{"B refused its key", key, check.LimitPerKey, with(honest, scenarios.PhaseOtherKey, status(401, 0)), check.Skip, "no rate-limit decision"},
		{"global limit shared", global, check.LimitPerKey, with(honest, scenarios.PhaseOtherKey, status(429, 0)), check.Pass, "share the budget"},
		{"global limit kept apart", global, check.LimitPerKey, honest, check.Fail, "each key has a budget of its own"},
		{"per-key check of an ip limit", ip, check.LimitPerKey, honest, check.Skip, "see limit.per-ip"},
		{"per IP, separate", ip, check.LimitPerIP, honest, check.Pass, "other source address's"},
		{"per IP as global", ip, check.LimitPerIP, with(honest, scenarios.PhaseOtherSource, status(429, 0)), check.Fail, "share one budget"},
		{"per IP with one address", ipOne, check.LimitPerIP, honest, check.Skip, "only one source address is available"},
		{"per IP of a per-key limit", key, check.LimitPerIP, honest, check.Skip, "is not per IP"},
		{"lean", contractPlan(t, "key", plan.Lean()), check.LimitPerKey, honest, check.Skip, "--lean"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := judgeContract(tt.plan, contractRun(tt.plan, tt.reply), tt.id)
			if got.Status != tt.want || !strings.Contains(got.Message, tt.msg) {
				t.Errorf("%s = %s (%s); want %s containing %q", tt.id, got.Status, got.Message, tt.want, tt.msg)
			}
			if got.Status == check.Fail && (got.Evidence == nil || len(got.Evidence.Requests) == 0) {
				t.Errorf("%s failed without evidence", tt.id)
			}
		})
	}
}

// TestIsolationBesideASharedLimit: a per-key limit beside a global one
// that counts both keys. The plan starts each isolation attempt with the
// global budget fresh, so B's 429s are the per-key limit's fault; where
// the attempt alone charges the global limit beyond its budget (25 a
// second, against A's 22 and B's 5), B's 429s may be the global limit's
// and prove nothing.
func TestIsolationBesideASharedLimit(t *testing.T) {
	for _, tt := range []struct {
		global int
		want   check.Status
		msg    string
	}{
		{100, check.Fail, "the clients share one budget"},
		{25, check.Skip, `limit "overall" (25 per 1s, global) counts both clients' requests`},
	} {
		overall := "  - {name: overall, requests: " + strconv.Itoa(tt.global) + ", window: 1s, scope: global}\nheaders:"
		src := strings.Replace(strings.Replace(contractYAML, "SCOPE", "key", 1), "headers:", overall, 1)
		sc, err := scenarios.Parse("contract.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		p := plan.New(sc, plan.TestLimit("ps"))
		for i, ph := range p.Phases {
			if ph.Kind == scenarios.PhaseExhaust && (i == 0 || p.Phases[i-1].Kind != scenarios.PhasePause) {
				t.Errorf("global %d: exhaust phase %d follows %s, not a pause that freshens the global budget", tt.global, i, p.Phases[i-1].Kind)
			}
		}
		got := judgeContract(p, contractRun(p, with(honest, scenarios.PhaseOtherKey, status(429, 0))), check.LimitPerKey)
		if got.Status != tt.want || !strings.Contains(got.Message, tt.msg) {
			t.Errorf("global %d: limit.per-key = %s (%s); want %s containing %q", tt.global, got.Status, got.Message, tt.want, tt.msg)
		}
	}
}

// TestIsolationBesideEarlyRejections: a limiter that rejects under its
// budget (here every request of the under phase) explains the other
// client's 429s as well as a shared budget: limit.per-key points to
// limit.no-early-reject instead of failing the same defect again. Found
// against labstack/echo's limiter configured as 1 a second with a burst of
// 1 for "60 per minute": the other address's burst was refused but one.
func TestIsolationBesideEarlyRejections(t *testing.T) {
	p := contractPlan(t, "key")
	start := time.Unix(1_700_000_000, 0)
	var obs []results.Observation
	for i, ph := range p.Phases {
		if ph.Kind != scenarios.PhaseUnder {
			continue
		}
		for k := int64(0); k < ph.Requests; k++ {
			obs = append(obs, results.Observation{Seq: p.FirstSeq(i) + uint64(k), Phase: i, Endpoint: ph.Endpoint, KeyID: ph.Key,
				Sent: start.Add(ph.Start + ph.Due(uint64(k))), Latency: 2 * time.Millisecond, Status: 429})
		}
	}
	obs = append(obs, contractRun(p, with(honest, scenarios.PhaseOtherKey, status(429, 0)))...)
	j := New(p, Options{})
	for _, o := range obs {
		j.Observe(o)
	}
	v := j.Verdict()
	early, _ := statusOf(v, check.LimitNoEarlyReject)
	iso, _ := statusOf(v, check.LimitPerKey)
	if early.Status != check.Fail {
		t.Fatalf("limit.no-early-reject = %s (%s); want fail: every under-phase request was rejected", early.Status, early.Message)
	}
	if iso.Status != check.Skip || iso.See != check.LimitNoEarlyReject || !strings.Contains(iso.Message, "rejects under its budget elsewhere too") {
		t.Errorf("limit.per-key = %s, see %q (%s); want a skip pointing to limit.no-early-reject", iso.Status, iso.See, iso.Message)
	}
}

// TestExcludedCheck judges limit.excluded on answers made by hand.
func TestExcludedCheck(t *testing.T) {
	p := contractPlan(t, "key")
	counted := func(f reply) reply { return with(honest, scenarios.PhaseCounted, f) }
	tests := []struct {
		name  string
		reply reply
		want  check.Status
		msg   string
	}{
		{"uncounted", honest, check.Pass, "changed no admission"},
		{"counted: the last counted requests rejected", lastCountedRejected(honest), check.Fail, "the calls to health were counted"},
		{"counted: Remaining fell across them", counted(func(ph plan.Phase, k int64) (int, int64) {
			if ph.Requests == 5 {
				return 200, 0
			}
			return 200, 19 - k
		}), check.Fail, "Remaining fell from 5 to 0"},
		{"an excluded call rejected", with(honest, scenarios.PhaseExcluded, status(429, 0)), check.Fail, "which no limit counts, was rejected"},
		{"never a fresh budget", counted(status(429, 0)), check.Skip, "prove nothing"},
		{"the first attempt without a fresh budget", nth(p, scenarios.PhaseCounted, 0, status(429, 0), honest), check.Pass, "changed no admission"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := judgeContract(p, fullRun(p, tt.reply), check.LimitExcluded)
			if got.Status != tt.want || !strings.Contains(got.Message, tt.msg) {
				t.Errorf("limit.excluded = %s (%s); want %s containing %q", got.Status, got.Message, tt.want, tt.msg)
			}
		})
	}
}

// An attempt whose budget an earlier request answered late may share is no
// proof: on a loaded machine (the matrix script's 63 cases at once) a
// correct fixed window refused the last counted requests of an attempt
// begun a window after the previous phase was sent, but not after it was
// answered. limit.excluded fails only an attempt that began FreshAfter
// after the last answer before it.
func TestExcludedNeedsAQuietBudget(t *testing.T) {
	p := contractPlan(t, "key")
	counted := lastCountedRejected(honest)
	first := slices.IndexFunc(p.Phases, func(ph plan.Phase) bool { return ph.Kind == scenarios.PhaseCounted })
	late := func(obs []results.Observation) []results.Observation {
		for i := range obs {
			if obs[i].Phase < first && !p.Phases[obs[i].Phase].Kind.Contract() {
				obs[i].Latency = p.Phases[first].Start // answered when the attempt began
			}
		}
		return obs
	}
	if got := judgeContract(p, fullRun(p, counted), check.LimitExcluded); got.Status != check.Fail {
		t.Errorf("answered in time: limit.excluded = %s (%s); want fail", got.Status, got.Message)
	}
	if got := judgeContract(p, late(fullRun(p, counted)), check.LimitExcluded); got.Status == check.Fail {
		t.Errorf("answered late: limit.excluded = fail (%s); want no proof from an attempt the late answers may share", got.Message)
	}
}

// TestContractPhasesStayOutOfTheModel checks that the contract phases'
// rejections reach no check of the tested limit's model or headers: a run
// of nothing but them gives those checks no observation at all.
func TestContractPhasesStayOutOfTheModel(t *testing.T) {
	p := contractPlan(t, "key")
	v := Check(p, func(yield func(results.Observation) bool) {
		for _, o := range contractRun(p, honest) {
			if !yield(o) {
				return
			}
		}
	})
	for _, c := range v.Checks {
		switch c.ID {
		case check.LimitPerKey, check.AuthMissingKey, check.AuthInvalidKey:
			if c.Status != check.Pass {
				t.Errorf("%s = %s (%s); want pass", c.ID, c.Status, c.Message)
			}
		case check.LimitPerIP, check.AuthScope:
		case check.AuthNotCounted, check.LimitExcluded: // see every phase, to time the answers before their attempts (here none)
		default:
			if c.Status != check.Skip {
				t.Errorf("%s = %s (%s); want a skip: it saw the contract phases", c.ID, c.Status, c.Message)
			}
		}
	}
}
