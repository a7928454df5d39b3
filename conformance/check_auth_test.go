package conformance

import (
	"cmp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/contract"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// authYAML is a contract with two keys, the second without the admin
// scope, an endpoint without auth, and declared 401 and 403 errors; WINDOW
// is replaced.
const authYAML = `name: auth
auth:
  header: X-Key
  keys:
    primary: ${K1}
    second: {env: "${K2}", scopes: [read]}
endpoints:
  - {name: list, method: GET, path: /list}
  - {name: admin, method: POST, path: /admin, scopes: [admin]}
  - {name: signup, method: POST, path: /signup, auth: none}
limits:
  - name: ps
    requests: 20
    window: WINDOW
headers:
  convention: x-ratelimit
errors:
  401: {body: {error: string}}
  403: {body: {error: string}}
`

func authPlan(t *testing.T, window string, opts ...plan.Option) *plan.Plan {
	t.Helper()
	sc, err := scenarios.Parse("auth.yaml", []byte(strings.Replace(authYAML, "WINDOW", window, 1)))
	if err != nil {
		t.Fatal(err)
	}
	return plan.New(sc, opts...)
}

// honestAuth answers like honest, and serves the endpoint without auth.
func honestAuth(ph plan.Phase, k int64) (int, int64) {
	if ph.Endpoint == "signup" {
		return 201, 0
	}
	return honest(ph, k)
}

// fullRun is contractRun with the phases before the contract ones too, one
// admitted request when its last is due (auth.not-counted times when the
// requests before an attempt were answered).
func fullRun(p *plan.Plan, f reply) []results.Observation {
	obs := contractRun(p, f)
	start := time.Unix(1_700_000_000, 0)
	for i, ph := range p.Phases {
		if ph.Kind.Contract() || ph.Requests == 0 {
			continue
		}
		obs = append(obs, results.Observation{Seq: p.FirstSeq(i), Phase: i, Endpoint: ph.Endpoint, KeyID: ph.Key,
			Sent: start.Add(ph.Start + ph.Due(uint64(ph.Requests-1))), Latency: 2 * time.Millisecond, Status: 200})
	}
	return obs
}

// onEndpoint changes the replies of one endpoint.
func onEndpoint(base reply, ep string, f reply) reply {
	return func(ph plan.Phase, k int64) (int, int64) {
		if ph.Endpoint == ep {
			return f(ph, k)
		}
		return base(ph, k)
	}
}

// TestAuthStatusChecks judges auth.missing-key, auth.invalid-key and
// auth.scope: the status the scenario declares passes, a request served or
// refused with another status fails, an answer that says nothing of the key
// is not judged, and a scenario that declares nothing to test skips.
func TestAuthStatusChecks(t *testing.T) {
	declared := authPlan(t, "1s")
	undeclared := contractPlan(t, "key") // no errors, no scopes
	noAuth := func() *plan.Plan {
		sc := *declared.Scenario
		sc.Auth = scenarios.Auth{}
		return plan.New(&sc)
	}()
	tests := []struct {
		name  string
		plan  *plan.Plan
		reply reply
		id    check.ID
		want  check.Status
		msg   string
	}{
		{"missing key refused 401", declared, honestAuth, check.AuthMissingKey, check.Pass, "list 401 ×20, admin 401 ×1; without a key, signup (auth: none) answered 201 ×1"},
		{"missing key served", declared, with(honestAuth, scenarios.PhaseNoKey, status(200, 0)), check.AuthMissingKey, check.Fail, "got 200; want 401"},
		{"missing key refused 403 where 401 is declared", declared, with(honestAuth, scenarios.PhaseNoKey, status(403, 0)), check.AuthMissingKey, check.Fail, "got 403; want 401"},
		{"auth: none endpoint refused", declared, onEndpoint(honestAuth, "signup", status(401, 0)), check.AuthMissingKey, check.Fail, "to signup, got 401; want an answer other than 401 or 403"},
		{"missing key only ever limited", declared, with(honestAuth, scenarios.PhaseNoKey, status(429, 0)), check.AuthMissingKey, check.Skip, "the limit or the server answered first"},
		{"missing key: 403 where nothing is declared", undeclared, with(honest, scenarios.PhaseNoKey, status(403, 0)), check.AuthMissingKey, check.Pass, "with 401 or 403 (the scenario's errors declare no single status"},
		{"missing key: 400 where nothing is declared", undeclared, with(honest, scenarios.PhaseNoKey, status(400, 0)), check.AuthMissingKey, check.Skip, "400 ×"},
		{"missing key: served where nothing is declared", undeclared, with(honest, scenarios.PhaseNoKey, status(200, 0)), check.AuthMissingKey, check.Fail, "got 200"},
		{"wrong key refused 401", declared, honestAuth, check.AuthInvalidKey, check.Pass, "list 401 ×20"},
		{"wrong key served", declared, with(honestAuth, scenarios.PhaseBadKey, status(200, 0)), check.AuthInvalidKey, check.Fail, "with a wrong key got the wrong answer"},
		{"scope refused 403", declared, honestAuth, check.AuthScope, check.Pass, "admin 403 ×2"},
		{"scope refused 401", declared, with(honestAuth, scenarios.PhaseNoScope, status(401, 0)), check.AuthScope, check.Fail, "got 401; want 403"},
		{"scope served", declared, with(honestAuth, scenarios.PhaseNoScope, status(201, 0)), check.AuthScope, check.Fail, "got 201; want 403"},
		{"no scopes declared", undeclared, honest, check.AuthScope, check.Skip, "no endpoint declares scopes"},
		{"no auth", noAuth, honestAuth, check.AuthMissingKey, check.Skip, "the API has no keys"},
		{"no auth, no scope", noAuth, honestAuth, check.AuthScope, check.Skip, "the API has no keys"},
		{"lean: one request each", authPlan(t, "1s", plan.Lean()), honestAuth, check.AuthInvalidKey, check.Pass, "list 401 ×1"},
		{"lean: scope", authPlan(t, "1s", plan.Lean()), honestAuth, check.AuthScope, check.Pass, "admin 403 ×1"},
		{"explicit phases without auth phases", func() *plan.Plan {
			sc := *declared.Scenario
			sc.Phases = []scenarios.PhaseSpec{{Name: "flat", Kind: scenarios.PhaseUnder, Rate: scenarios.RateSpec{Multiple: 0.5}, Duration: 1e9}}
			return plan.New(&sc)
		}(), honestAuth, check.AuthMissingKey, check.Skip, "the scenario's phases include no no-key phase"},
		{"nothing answered", declared, with(honestAuth, scenarios.PhaseNoScope, status(0, 0)), check.AuthScope, check.Skip, "no request with a key lacking the endpoint's scope was answered"},
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

// TestAuthNotCounted judges auth.not-counted: on a fresh budget the counted
// requests around the refused ones must all be admitted; an exact Remaining
// must fall by one counted request only, on any budget with room left.
func TestAuthNotCounted(t *testing.T) {
	short, long := authPlan(t, "1s"), authPlan(t, "1m")
	// charged answers the last counted burst of each attempt as a limit
	// that charged the refused requests: all rejected.
	charged := lastCountedRejected(honestAuth)
	// longHonest answers the long window's attempt: 2 counted with
	// Remaining 40 and 39, then 38 and 37; chargedLong falls by 6 more.
	longReply := func(fall int64) reply {
		seen := 0
		return with(honestAuth, scenarios.PhaseCounted, func(ph plan.Phase, k int64) (int, int64) {
			if k == 0 {
				seen++
			}
			if seen == 1 {
				return 200, 40 - k
			}
			return 200, 38 - fall - k
		})
	}
	tests := []struct {
		name  string
		plan  *plan.Plan
		reply reply
		want  check.Status
		msg   string
	}{
		{"short window, nothing charged", short, honestAuth, check.Pass, "40 requests refused for their key"},
		{"short window, the refused requests charged", short, charged, check.Fail, "the refused requests were charged"},
		{"short window, one attempt charged", short, nth(short, scenarios.PhaseCounted, 1, status(429, 0), honestAuth), check.Fail, "the refused requests were charged"},
		{"short window, never a fresh budget", short, with(honestAuth, scenarios.PhaseCounted, status(429, 0)), check.Skip, "attempt 1: it did not start on a fresh budget with every counted request admitted"},
		{"the refused requests were served", short, with(honestAuth, scenarios.PhaseNoKey, status(200, 0)), check.Skip, "attempt 2: 10 of its 20 requests without a valid key were served (see auth.missing-key"},
		{"long window, Remaining goes on", long, longReply(0), check.Pass, "Remaining went on from 39 to 38"},
		{"long window, Remaining fell", long, longReply(6), check.Fail, "Remaining fell from 39 to 32"},
		{"lean", contractPlan(t, "key", plan.Lean()), honest, check.Skip, "lean plan (--lean) sends no refused requests between counted ones"},
		{"no auth", func() *plan.Plan {
			sc := *short.Scenario
			sc.Auth = scenarios.Auth{}
			return plan.New(&sc)
		}(), honest, check.Skip, "the API has no keys"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := judgeContract(tt.plan, fullRun(tt.plan, tt.reply), check.AuthNotCounted)
			if got.Status != tt.want || !strings.Contains(got.Message, tt.msg) {
				t.Errorf("auth.not-counted = %s (%s); want %s containing %q", got.Status, got.Message, tt.want, tt.msg)
			}
		})
	}
}

// TestAuthNotCountedLateAnswers checks that an attempt whose budget the
// requests before it may still have been charging, answered late on a
// loaded machine, proves nothing: the rejections it saw are not held
// against the refused requests.
func TestAuthNotCountedLateAnswers(t *testing.T) {
	p := authPlan(t, "1s")
	charged := lastCountedRejected(honestAuth)
	tests := []struct {
		name    string
		latency time.Duration
		want    check.Status
		msg     string
	}{
		{"answered at once", 2 * time.Millisecond, check.Fail, "the refused requests were charged"},
		// Each attempt's own last answers come after the next phase began
		// too: which reason is given last depends on the attempt.
		{"answered 1.1 s late", 1100 * time.Millisecond, check.Skip, ""},
		{"answered 1.5 s late", 1500 * time.Millisecond, check.Skip, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs := fullRun(p, charged)
			for i := range obs {
				obs[i].Latency = tt.latency
			}
			got := judgeContract(p, obs, check.AuthNotCounted)
			if got.Status != tt.want || !strings.Contains(got.Message, tt.msg) {
				t.Errorf("auth.not-counted = %s (%s); want %s containing %q", got.Status, got.Message, tt.want, tt.msg)
			}
		})
	}
}

// TestAuthNotCountedOvertaken checks that counted requests answered after
// a later phase began sending (the isolation exhaust of the same key, sent
// on time while they were late) prove nothing: their 429s may be its.
func TestAuthNotCountedOvertaken(t *testing.T) {
	p := authPlan(t, "1s")
	charged := lastCountedRejected(honestAuth)
	for _, tt := range []struct {
		name    string
		latency time.Duration // of the attempts' last counted requests
		want    check.Status
	}{
		{"answered before the next phase", 2 * time.Millisecond, check.Fail},
		{"answered after it began", 60 * time.Millisecond, check.Pass}, // the first attempt is followed by a pause
	} {
		t.Run(tt.name, func(t *testing.T) {
			obs := fullRun(p, with(charged, scenarios.PhaseCounted, func(ph plan.Phase, k int64) (int, int64) {
				if ph.Requests == 5 && ph.Start > p.Phases[len(p.Phases)/2].Start {
					return 429, 0 // the second attempt's, overtaken by the exhaust
				}
				return honestAuth(ph, k)
			}))
			for i, o := range obs {
				if ph := p.Phases[o.Phase]; ph.Kind == scenarios.PhaseCounted && ph.Requests == 5 {
					obs[i].Latency = tt.latency
				}
			}
			got := judgeContract(p, obs, check.AuthNotCounted)
			if got.Status != tt.want {
				t.Errorf("auth.not-counted = %s (%s); want %s", got.Status, got.Message, tt.want)
			}
		})
	}
}

// TestAuthNotCountedFreshness checks the freshness gate alone: the phases
// before the first attempt answered 1.1 s late leave its budget in doubt,
// so its rejection is not held against the refused requests, and the
// second attempt, on a fresh budget, decides.
func TestAuthNotCountedFreshness(t *testing.T) {
	p := authPlan(t, "1s")
	for _, tt := range []struct {
		name    string
		latency time.Duration // of the phases before the contract ones
		want    check.Status
	}{
		{"answered at once", 2 * time.Millisecond, check.Fail},
		{"answered late", 1100 * time.Millisecond, check.Pass},
	} {
		t.Run(tt.name, func(t *testing.T) {
			obs := fullRun(p, nth(p, scenarios.PhaseCounted, 1, status(429, 0), honestAuth))
			for i, o := range obs {
				if !p.Phases[o.Phase].Kind.Contract() {
					obs[i].Latency = tt.latency
				}
			}
			if got := judgeContract(p, obs, check.AuthNotCounted); got.Status != tt.want {
				t.Errorf("auth.not-counted = %s (%s); want %s", got.Status, got.Message, tt.want)
			}
		})
	}
}

// TestAuthBodiesReachBodyErrorFormat checks that the refusals of the auth
// phases are judged by body.error-format, and by it alone: a 401 sent as
// plain text fails it, while the auth checks, which judge statuses, pass.
func TestAuthBodiesReachBodyErrorFormat(t *testing.T) {
	p := authPlan(t, "1s")
	for _, tt := range []struct {
		name string
		body string
		want check.Status
	}{
		{"declared shape", `{"error":"no key"}`, check.Pass},
		{"plain text", "Unauthorized\n", check.Fail},
	} {
		t.Run(tt.name, func(t *testing.T) {
			obs := fullRun(p, honestAuth)
			for i, o := range obs {
				switch o.Status {
				case 401:
					obs[i].Body = tt.body
				case 403:
					obs[i].Body = `{"error":"not allowed"}`
				}
			}
			j := New(p, Options{})
			for _, o := range obs {
				j.Observe(o)
			}
			for _, c := range j.Verdict().Checks {
				switch c.ID {
				case check.BodyErrorFormat:
					if c.Status != tt.want || tt.want == check.Fail && !strings.Contains(c.Message, `401 body "Unauthorized\n"`) {
						t.Errorf("body.error-format = %s (%s); want %s quoting the body", c.Status, c.Message, tt.want)
					}
				case check.AuthMissingKey, check.AuthInvalidKey, check.AuthScope:
					if c.Status != check.Pass {
						t.Errorf("%s = %s (%s); want pass", c.ID, c.Status, c.Message)
					}
				}
			}
		})
	}
}

// A run without the optional second key cannot test scopes or per-key
// isolation, and the skips name the key and its variable, so the reader
// knows what to set.
func TestSkipsNameTheOptionalKeyLeftOut(t *testing.T) {
	src := strings.Replace(strings.Replace(authYAML, "WINDOW", "1s", 1),
		`second: {env: "${K2}", scopes: [read]}`, `second: {env: "${K2}", scopes: [read], optional: true}`, 1)
	sc, err := scenarios.Parse("auth.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	p := plan.New(sc.WithoutKeys("second"))
	v := Check(p, seqOf(fullRun(p, honestAuth)))
	for _, id := range []check.ID{check.AuthScope, check.LimitPerKey} {
		c := resultOf(t, v, id)
		if want := `the optional key "second" (K2) would, but its variable was not set`; c.Status != check.Skip || !strings.Contains(c.Message, want) {
			t.Errorf("%s = %s (%s); want a skip saying %q", id, c.Status, c.Message, want)
		}
	}
}

// TestNotCountedDefersToAnUndecidedEarlyRejection judges an attempt on a
// fresh budget whose last counted requests were rejected, as the model
// checks' blames say of the limit: a limit that rejects early elsewhere
// explains the rejections as well as charging the refused requests does,
// so auth.not-counted defers to limit.no-early-reject when it fails, is
// undecided beside it when it could not decide, and fails only when the
// limit is not seen to reject early.
func TestNotCountedDefersToAnUndecidedEarlyRejection(t *testing.T) {
	p := authPlan(t, "1s")
	charged := lastCountedRejected(honestAuth)
	obs := fullRun(p, charged)
	slices.SortFunc(obs, func(a, b results.Observation) int { return cmp.Compare(a.Seq, b.Seq) })
	tests := []struct {
		name      string
		blames    func(*check.Blames)
		want      check.Status
		see       check.ID
		undecided bool
	}{
		{"no early rejection seen", func(*check.Blames) {}, check.Fail, "", false},
		{"early rejections blamed", func(b *check.Blames) { b.Add(1, 0, check.LimitNoEarlyReject) }, check.Skip, check.LimitNoEarlyReject, false},
		{"early rejection undecided", func(b *check.Blames) { b.MarkUndecided(check.LimitNoEarlyReject) }, check.Skip, check.LimitNoEarlyReject, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := contract.NewNotCountedChecker(p, nil)
			c.(check.Blamer).DeferTo(func() check.Blames {
				var b check.Blames
				tt.blames(&b)
				b.Sort()
				return b
			})
			for _, o := range obs {
				c.Observe(o)
			}
			got := c.Result()
			if got.Status != tt.want || got.See != tt.see || got.Undecided != tt.undecided {
				t.Errorf("auth.not-counted = %s see=%q undecided=%v (%s); want %s see=%q undecided=%v", got.Status, got.See, got.Undecided, got.Message, tt.want, tt.see, tt.undecided)
			}
		})
	}
}
