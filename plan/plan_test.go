package plan

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/ratecheck/ratecheck/scenarios"
)

const s = time.Second

// planScenario is a one-endpoint, one-key scenario with the given limits.
func planScenario(limits ...scenarios.Limit) *scenarios.Scenario {
	for i := range limits {
		if limits[i].Recovery == 0 {
			limits[i].Recovery = limits[i].Window
		}
		if limits[i].Scope == "" {
			limits[i].Scope = scenarios.ScopeKey
		}
	}
	return &scenarios.Scenario{
		Name:      "t",
		Auth:      scenarios.Auth{Header: "X-Key", Keys: []scenarios.Key{{ID: "primary", Env: "K"}}},
		Endpoints: []scenarios.Endpoint{{Name: "list", Method: "GET", Path: "/list"}},
		Limits:    limits,
		Run:       scenarios.RunOptions{Connections: 32, Timeout: 10 * s, MaxDuration: 5 * time.Minute},
	}
}

// modelPhases returns the phases of p before its contract segment (see
// contract.go), which other tests check.
func modelPhases(p *Plan) []Phase {
	i := slices.IndexFunc(p.Phases, func(ph Phase) bool { return ph.Kind.Contract() })
	if i < 0 {
		return p.Phases
	}
	out := p.Phases[:i]
	if len(out) > 0 && out[len(out)-1].Kind == scenarios.PhasePause {
		out = out[:len(out)-1] // a base plan never ends with a pause: it opens the segment
	}
	return out
}

// ph builds an expected phase on the default endpoint and key.
func ph(kind scenarios.PhaseKind, start, dur time.Duration, rate float64, n int64) Phase {
	return Phase{Name: string(kind), Kind: kind, Start: start, Duration: dur, Rate: rate,
		Endpoint: "list", Key: "primary", Requests: n}
}

// bursting returns ph sending its requests in bursts of b.
func bursting(p Phase, b int) Phase {
	p.Burst = b
	return p
}

// overBurst builds an expected over-burst phase on the default endpoint and key.
func overBurst(start, dur time.Duration, rate float64, n int64, b int) Phase {
	p := bursting(ph(scenarios.PhaseOver, start, dur, rate, n), b)
	p.Name = OverBurstPhase
	return p
}

var approx = cmpopts.EquateApprox(0, 1e-9)

// TestNewDerived checks the phases derived from the tested limit.
func TestNewDerived(t *testing.T) {
	tests := []struct {
		name     string
		sc       *scenarios.Scenario
		tested   int
		want     []Phase
		warnings []string
	}{
		{
			name:   "short window 20/s",
			sc:     planScenario(scenarios.Limit{Name: "ps", Requests: 20, Window: s}),
			tested: 0,
			want: []Phase{
				ph(scenarios.PhaseUnder, 0, 2*s, 10, 20),
				overBurst(2*s, 2*s, 40, 80, 5),
				ph(scenarios.PhaseOver, 4*s, 3*s, 40, 120),
				ph(scenarios.PhaseProbe, 7*s, 5*s/2, 100, 250),
				ph(scenarios.PhasePause, 19*s/2, s, 0, 0),
				ph(scenarios.PhaseRecovery, 21*s/2, 2*s, 10, 20),
			},
		},
		{
			name:   "100/s: the over phase already sends every 5ms, no probe",
			sc:     planScenario(scenarios.Limit{Name: "ps", Requests: 100, Window: s}),
			tested: 0,
			want: []Phase{
				ph(scenarios.PhaseUnder, 0, 2*s, 50, 100),
				overBurst(2*s, 2*s, 200, 400, 25),
				ph(scenarios.PhaseOver, 4*s, 3*s, 200, 600),
				ph(scenarios.PhasePause, 7*s, s, 0, 0),
				ph(scenarios.PhaseRecovery, 8*s, 2*s, 50, 100),
			},
		},
		{
			name:   "promised recovery 2s: the probe polls 5s with at most 250 requests",
			sc:     planScenario(scenarios.Limit{Name: "ps", Requests: 20, Window: s, Recovery: 2 * s}),
			tested: 0,
			want: []Phase{
				ph(scenarios.PhaseUnder, 0, 2*s, 10, 20),
				overBurst(2*s, 2*s, 40, 80, 5),
				ph(scenarios.PhaseOver, 4*s, 3*s, 40, 120),
				ph(scenarios.PhaseProbe, 7*s, 5*s, 50, 250),
				ph(scenarios.PhasePause, 12*s, 2*s, 0, 0),
				ph(scenarios.PhaseRecovery, 14*s, 2*s, 10, 20),
			},
		},
		{
			name:   "sub-second window 5 per 500ms",
			sc:     planScenario(scenarios.Limit{Name: "burst", Requests: 5, Window: s / 2}),
			tested: 0,
			want: []Phase{
				ph(scenarios.PhaseUnder, 0, 2*s, 5, 10),
				overBurst(2*s, 2*s, 20, 40, 2),
				ph(scenarios.PhaseOver, 4*s, 3*s, 20, 60),
				ph(scenarios.PhaseProbe, 7*s, 5*s/4, 100, 125),
				ph(scenarios.PhasePause, 33*s/4, s/2, 0, 0),
				ph(scenarios.PhaseRecovery, 35*s/4, 2*s, 5, 10),
			},
		},
		{
			name:   "10s is still a short window",
			sc:     planScenario(scenarios.Limit{Name: "p10", Requests: 100, Window: 10 * s}),
			tested: 0,
			want: []Phase{
				ph(scenarios.PhaseUnder, 0, 20*s, 5, 100),
				overBurst(20*s, 20*s, 20, 400, 25),
				ph(scenarios.PhaseOver, 40*s, 30*s, 20, 600),
				ph(scenarios.PhasePause, 70*s, 10*s, 0, 0),
				ph(scenarios.PhaseRecovery, 80*s, 20*s, 5, 100),
			},
		},
		{
			name:   "long window 60/min: over sends 118 in 20s, so a minute boundary in it leaves a side past 60 but once in a hundred runs",
			sc:     planScenario(scenarios.Limit{Name: "pm", Requests: 60, Window: time.Minute}),
			tested: 0,
			want: []Phase{
				ph(scenarios.PhaseUnder, 0, 10*s, 0.5, 5),
				bursting(ph(scenarios.PhaseOver, 10*s, 20*s, 118.0/20, 118), 15),
				ph(scenarios.PhasePause, 30*s, time.Minute, 0, 0),
				ph(scenarios.PhaseRecovery, 90*s, 5*s, 1, 5),
			},
		},
		{
			name:   "long window 100/min: under at half the rate",
			sc:     planScenario(scenarios.Limit{Name: "pm", Requests: 100, Window: time.Minute}),
			tested: 0,
			want: []Phase{
				ph(scenarios.PhaseUnder, 0, 10*s, 100.0/60/2, 8),
				bursting(ph(scenarios.PhaseOver, 10*s, 20*s, 196.0/20, 196), 25),
				ph(scenarios.PhasePause, 30*s, time.Minute, 0, 0),
				ph(scenarios.PhaseRecovery, 90*s, 5*s, 1, 5),
			},
		},
		{
			name:   "tiny budget 3/min: N+10 over, under and recovery stay within N",
			sc:     planScenario(scenarios.Limit{Name: "pm", Requests: 3, Window: time.Minute}),
			tested: 0,
			want: []Phase{
				ph(scenarios.PhaseUnder, 0, 2*s, 0.5, 1),
				bursting(ph(scenarios.PhaseOver, 2*s, 20*s, 13.0/20, 13), 2),
				ph(scenarios.PhasePause, 22*s, time.Minute, 0, 0),
				ph(scenarios.PhaseRecovery, 82*s, 3*s, 1, 3),
			},
		},
		{
			name:   "window 30s: over lasts W/2",
			sc:     planScenario(scenarios.Limit{Name: "p30", Requests: 30, Window: 30 * s}),
			tested: 0,
			want: []Phase{
				ph(scenarios.PhaseUnder, 0, 10*s, 0.5, 5),
				bursting(ph(scenarios.PhaseOver, 10*s, 15*s, 60.0/15, 60), 7),
				ph(scenarios.PhasePause, 25*s, 30*s, 0, 0),
				ph(scenarios.PhaseRecovery, 55*s, 5*s, 1, 5),
			},
		},
		{
			name:   "hour window: no recovery within max_duration",
			sc:     planScenario(scenarios.Limit{Name: "ph", Requests: 1000, Window: time.Hour}),
			tested: 0,
			want: []Phase{
				ph(scenarios.PhaseUnder, 0, 10*s, 0.5, 5),
				bursting(ph(scenarios.PhaseOver, 10*s, 20*s, 75, 1500), 32),
			},
			warnings: []string{"window 1h is longer than run.max_duration 5m: recovery is not tested; raise run.max_duration"},
		},
		{
			name:   "hour window with a promised 1s recovery fits",
			sc:     planScenario(scenarios.Limit{Name: "ph", Requests: 1000, Window: time.Hour, Recovery: s}),
			tested: 0,
			want: []Phase{
				ph(scenarios.PhaseUnder, 0, 10*s, 0.5, 5),
				bursting(ph(scenarios.PhaseOver, 10*s, 20*s, 75, 1500), 32),
				ph(scenarios.PhasePause, 30*s, s, 0, 0),
				ph(scenarios.PhaseRecovery, 31*s, 5*s, 1, 5),
			},
		},
		{
			name: "the shortest finite window is tested; ties go to the first",
			sc: planScenario(
				scenarios.Limit{Name: "daily", Requests: 5000, Window: 24 * time.Hour},
				scenarios.Limit{Name: "free", Unlimited: true, Window: s},
				scenarios.Limit{Name: "a", Requests: 20, Window: s},
				scenarios.Limit{Name: "b", Requests: 20, Window: s},
			),
			tested: 2,
			want: []Phase{
				ph(scenarios.PhaseUnder, 0, 2*s, 10, 20),
				overBurst(2*s, 2*s, 40, 80, 5),
				ph(scenarios.PhaseOver, 4*s, 3*s, 40, 120),
				ph(scenarios.PhaseProbe, 7*s, 5*s/2, 100, 250),
				ph(scenarios.PhasePause, 19*s/2, s, 0, 0),
				ph(scenarios.PhaseRecovery, 21*s/2, 2*s, 10, 20),
			},
			warnings: []string{"this run would exhaust the b budget (530 of 20 requests): later requests may be limited by b rather than a"},
		},
		{
			name: "nothing finite: nothing to test",
			sc: func() *scenarios.Scenario {
				sc := planScenario(scenarios.Limit{Name: "m", Unlimited: true, Window: scenarios.Month})
				sc.Plan = "enterprise"
				return sc
			}(),
			tested:   -1,
			warnings: []string{"no limit has a finite budget on plan enterprise: nothing to test"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := New(tt.sc)
			if p.Tested != tt.tested {
				t.Errorf("New().Tested = %d; want %d", p.Tested, tt.tested)
			}
			if diff := cmp.Diff(tt.want, modelPhases(p), approx); diff != "" {
				t.Errorf("New().Phases mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.warnings, p.Warnings); diff != "" {
				t.Errorf("New().Warnings mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNewMaxDuration checks what is dropped when the run would be too long.
func TestNewMaxDuration(t *testing.T) {
	tests := []struct {
		name     string
		limit    scenarios.Limit
		max      time.Duration
		kinds    []scenarios.PhaseKind
		warnings []string
	}{
		{"fits", scenarios.Limit{Name: "pm", Requests: 60, Window: time.Minute}, 2 * time.Minute,
			[]scenarios.PhaseKind{scenarios.PhaseUnder, scenarios.PhaseOver, scenarios.PhasePause, scenarios.PhaseRecovery}, nil},
		{"pause fits but the whole run does not", scenarios.Limit{Name: "pm", Requests: 60, Window: time.Minute}, 90 * s,
			[]scenarios.PhaseKind{scenarios.PhaseUnder, scenarios.PhaseOver},
			[]string{"testing recovery makes the run 1m35s, longer than run.max_duration 1m30s: recovery is not tested; raise run.max_duration"}},
		{"declared recovery too long", scenarios.Limit{Name: "pm", Requests: 60, Window: time.Minute, Recovery: 10 * time.Minute}, 5 * time.Minute,
			[]scenarios.PhaseKind{scenarios.PhaseUnder, scenarios.PhaseOver},
			[]string{"recovery 10m is longer than run.max_duration 5m: recovery is not tested; raise run.max_duration"}},
		{"even under and over are too long", scenarios.Limit{Name: "pm", Requests: 60, Window: time.Minute}, 20 * s,
			[]scenarios.PhaseKind{scenarios.PhaseUnder, scenarios.PhaseOver},
			[]string{
				"window 1m is longer than run.max_duration 20s: recovery is not tested; raise run.max_duration",
				"the under and over phases alone take 30s, longer than run.max_duration 20s",
				"the isolation, excluded-endpoint and auth phases would make the run 30.2s, longer than run.max_duration 20s: they are left out; raise run.max_duration",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := planScenario(tt.limit)
			sc.Run.MaxDuration = tt.max
			p := New(sc)
			var kinds []scenarios.PhaseKind
			for _, ph := range modelPhases(p) {
				kinds = append(kinds, ph.Kind)
			}
			if diff := cmp.Diff(tt.kinds, kinds); diff != "" {
				t.Errorf("New() phase kinds mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.warnings, p.Warnings); diff != "" {
				t.Errorf("New().Warnings mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNewExplicit checks that written phases are used as written, with
// multiples resolved against the named or the tested limit.
func TestNewExplicit(t *testing.T) {
	sc := planScenario(
		scenarios.Limit{Name: "ps", Requests: 20, Window: s},
		scenarios.Limit{Name: "pm", Requests: 600, Window: time.Minute},
	)
	sc.Endpoints = append(sc.Endpoints, scenarios.Endpoint{Name: "create", Method: "POST", Path: "/create"})
	sc.Phases = []scenarios.PhaseSpec{
		{Name: "warm", Kind: scenarios.PhaseUnder, Rate: scenarios.RateSpec{Multiple: 0.5}, Duration: 2 * s},
		{Name: "slow", Kind: scenarios.PhaseAt, Rate: scenarios.RateSpec{Multiple: 1, Limit: "pm"}, Duration: 3 * s, Endpoint: "create", Key: "spare"},
		{Name: "rest", Kind: scenarios.PhasePause, Duration: 1500 * time.Millisecond},
		{Name: "flood", Kind: scenarios.PhaseOver, Rate: scenarios.RateSpec{PerSec: 100.0 / 60}, Duration: 6 * s},
	}
	want := []Phase{
		{Name: "warm", Kind: scenarios.PhaseUnder, Start: 0, Duration: 2 * s, Rate: 10, Endpoint: "list", Key: "primary", Requests: 20},
		{Name: "slow", Kind: scenarios.PhaseAt, Start: 2 * s, Duration: 3 * s, Rate: 10, Endpoint: "create", Key: "spare", Requests: 30},
		{Name: "rest", Kind: scenarios.PhasePause, Start: 5 * s, Duration: 1500 * time.Millisecond, Endpoint: "list", Key: "primary"},
		{Name: "flood", Kind: scenarios.PhaseOver, Start: 6500 * time.Millisecond, Duration: 6 * s, Rate: 100.0 / 60, Endpoint: "list", Key: "primary", Requests: 10},
	}
	p := New(sc)
	if diff := cmp.Diff(want, p.Phases, approx); diff != "" {
		t.Errorf("New().Phases mismatch (-want +got):\n%s", diff)
	}
	if got, want := p.Duration(), 12500*time.Millisecond; got != want {
		t.Errorf("New().Duration() = %v; want %v", got, want)
	}
	if len(p.Warnings) != 0 {
		t.Errorf("New().Warnings = %q; want none", p.Warnings)
	}
}

// TestNewCharges checks what each limit is charged, with notes and warnings.
func TestNewCharges(t *testing.T) {
	sc := planScenario(
		scenarios.Limit{Name: "ps", Requests: 100, Window: s, Exclude: []string{"keygen"}},
		scenarios.Limit{Name: "daily", Requests: 500, Window: 24 * time.Hour, Exclude: []string{"keygen"}},
		scenarios.Limit{Name: "keygen-only", Requests: 5, Window: time.Hour, Endpoints: []string{"keygen"}},
		scenarios.Limit{Name: "monthly", Unlimited: true, Window: scenarios.Month, Scope: scenarios.ScopeGlobal},
	)
	sc.Plan = "enterprise"
	sc.Endpoints = []scenarios.Endpoint{
		{Name: "keygen", Method: "POST", Path: "/api-keys", NoAuth: true},
		{Name: "list", Method: "GET", Path: "/list"},
	}
	p := New(sc)
	// 100/s: under 50/s×2s = 100, over-burst 200/s×2s = 400, over 200/s×3s = 600,
	// recovery 50/s×2s = 100; then twice 90 + 10 counted requests around
	// 10 + 1 + 15 calls to the excluded keygen (limit.excluded), and twice
	// 90 + 10 around the requests without a key or with a wrong one, which
	// cost nothing (auth.not-counted).
	want := []Charge{
		{Limit: "ps", Requests: 1600, Budget: 100, Tested: true, Note: "under test: 100 per 1s (this run sends 1600)", Share: 16},
		{Limit: "daily", Requests: 1600, Budget: 500, Note: "window 24h: only charged, not exercised (this run uses 1600 of 500)", Share: 3.2},
		{Limit: "keygen-only", Requests: 52, Budget: 5, Note: "window 1h: only charged, not exercised (this run uses 52 of 5)", Share: 10.4},
		{Limit: "monthly", Requests: 1652, Unlimited: true, Note: "unlimited on plan enterprise: only charged, not exercised (this run uses 1652)"},
	}
	if diff := cmp.Diff(want, p.Charges); diff != "" {
		t.Errorf("New().Charges mismatch (-want +got):\n%s", diff)
	}
	wantWarn := []string{
		"this run would exhaust the daily budget (1600 of 500 requests): later requests may be limited by daily rather than ps",
		"this run would exhaust the keygen-only budget (52 of 5 requests): later requests may be limited by keygen-only rather than ps",
	}
	if diff := cmp.Diff(wantWarn, p.Warnings); diff != "" {
		t.Errorf("New().Warnings mismatch (-want +got):\n%s", diff)
	}
	if p.Phases[0].Endpoint != "list" {
		t.Errorf("New().Phases[0].Endpoint = %q; want list (keygen is excluded and sends no key)", p.Phases[0].Endpoint)
	}
}

// TestChargedPerKey checks that a per-key limit is charged what one key sends
// and a global limit what all keys send.
func TestChargedPerKey(t *testing.T) {
	phases := []Phase{
		{Endpoint: "list", Key: "a", Requests: 10},
		{Endpoint: "list", Key: "b", Requests: 7},
		{Endpoint: "list", Key: "a", Requests: 5},
		{Endpoint: "other", Key: "a", Requests: 100},
	}
	tests := []struct {
		scope scenarios.Scope
		want  int64
	}{
		{scenarios.ScopeKey, 15},
		{scenarios.ScopeIP, 22},
		{scenarios.ScopeGlobal, 22},
	}
	for _, tt := range tests {
		l := scenarios.Limit{Name: "l", Scope: tt.scope, Endpoints: []string{"list"}}
		if got := charged(l, phases); got != tt.want {
			t.Errorf("charged(scope %s) = %d; want %d", tt.scope, got, tt.want)
		}
	}
}

// TestNewDegenerate checks that odd scenarios plan without panicking.
func TestNewDegenerate(t *testing.T) {
	tests := []struct {
		name string
		sc   *scenarios.Scenario
	}{
		{"nil", nil},
		{"empty", &scenarios.Scenario{}},
		{"no endpoints", &scenarios.Scenario{Limits: []scenarios.Limit{{Name: "l", Requests: 1, Window: s, Recovery: s}}}},
		{"zero window", &scenarios.Scenario{Limits: []scenarios.Limit{{Name: "l", Requests: 5}}}},
		{"multiple without limit", &scenarios.Scenario{Phases: []scenarios.PhaseSpec{{Name: "x", Kind: scenarios.PhaseOver, Rate: scenarios.RateSpec{Multiple: 2}, Duration: s}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := New(tt.sc)
			if p == nil || p.Scenario != tt.sc {
				t.Fatalf("New(%s) = %v; want a plan of the scenario", tt.name, p)
			}
			for _, ph := range p.Phases {
				if ph.Requests < 0 || ph.Duration < 0 {
					t.Errorf("New(%s) phase %+v; want no negative values", tt.name, ph)
				}
			}
		})
	}
}

// TestShippedPlans plans every shipped scenario: runs against the built-in
// target must stay short.
func TestShippedPlans(t *testing.T) {
	tests := []struct {
		file     string
		tested   string
		duration time.Duration
		warnings int
	}{
		{"copilot.yaml", "per-second", 19950 * time.Millisecond, 0},    // with the auth phases, each after two windows (a counter forgets in two)
		{"bot-platform.yaml", "per-hour", 30200 * time.Millisecond, 1}, // recovery from an hour window is not tested
		{"coperniq.yaml", "per-second", 21750 * time.Millisecond, 0},   // with the excluded-endpoint and auth phases, likewise
		{"workspace.yaml", "per-minute", 96450 * time.Millisecond, 0},  // with the read-only key's isolation and scope phases
		{"users.yaml", "per-minute", 95350 * time.Millisecond, 0},
	}
	for _, tt := range tests {
		sc, err := scenarios.Load("../scenarios/" + tt.file)
		if err != nil {
			t.Fatalf("Load(%s) = %v", tt.file, err)
		}
		p := New(sc)
		for _, ph := range p.Phases {
			t.Logf("%s: %-8s %-8s at %6s for %5s: %7.3f/s, %4d requests to %s", tt.file, ph.Name, ph.Kind, ph.Start, ph.Duration, ph.Rate, ph.Requests, ph.Endpoint)
		}
		for _, c := range p.Charges {
			t.Logf("%s: charge %s: %s", tt.file, c.Limit, c.Note)
		}
		if l := p.TestedLimit(); l == nil || l.Name != tt.tested {
			t.Errorf("New(%s).TestedLimit() = %v; want %s", tt.file, l, tt.tested)
		}
		if got := p.Duration(); got != tt.duration {
			t.Errorf("New(%s).Duration() = %v; want %v", tt.file, got, tt.duration)
		}
		if len(p.Warnings) != tt.warnings {
			t.Errorf("New(%s).Warnings = %q; want %d", tt.file, p.Warnings, tt.warnings)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{scenarios.Month, "720h"},
		{24 * time.Hour, "24h"},
		{time.Hour, "1h"},
		{90 * time.Minute, "1h30m"},
		{time.Minute, "1m"},
		{95 * time.Second, "1m35s"},
		{time.Second, "1s"},
		{1500 * time.Millisecond, "1.5s"},
		{0, "0s"},
	}
	for _, tt := range tests {
		if got := formatDuration(tt.in); got != tt.want {
			t.Errorf("formatDuration(%v) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// TestOverRequestsDrivesAWindowPast checks the long window's over phase
// against every place a window boundary can fall in it: sent evenly, the
// requests on one side of it exceed the limit in at least 99 of 100 places
// spread over the window (the boundary falls outside the phase in the rest
// of them, where the whole phase lies in one window).
func TestOverRequestsDrivesAWindowPast(t *testing.T) {
	for _, tc := range []struct {
		n int64
		w time.Duration
	}{{60, time.Minute}, {30, 30 * time.Second}, {100, time.Minute}, {1000, time.Hour}, {5000, 24 * time.Hour}, {3, time.Minute}} {
		t.Run(fmt.Sprintf("%d per %v", tc.n, tc.w), func(t *testing.T) {
			tt := min(tc.w/2, 20*time.Second)
			m := int64(overRequests(float64(tc.n), tc.w, tt))
			missed, places := 0, 10000
			for k := range places {
				at := time.Duration(int64(tc.w) * int64(k) / int64(places)) // the boundary, from the phase's start
				if at >= tt {
					continue // the phase lies in one window: m > n requests exceed it
				}
				before := m * int64(at) / int64(tt)
				if before <= tc.n && m-before <= tc.n {
					missed++
				}
			}
			if share := float64(missed) / float64(places); share > missAtMost {
				t.Errorf("%d requests in %v: no window past %d for %.2f%% of boundaries; want at most %.0f%%", m, tt, tc.n, 100*share, 100*missAtMost)
			}
		})
	}
}
