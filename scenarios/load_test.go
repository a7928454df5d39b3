package scenarios

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ratecheck/ratecheck/headers"
)

// TestShippedScenarios loads every scenarios/*.yaml: each must be valid, named
// after its file, and name the seed document it is taken from.
func TestShippedScenarios(t *testing.T) {
	files, err := filepath.Glob("*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("Glob(*.yaml) = %v, %v; want the shipped scenarios", files, err)
	}
	source := regexp.MustCompile(`^docs/apis/\d{3}_[0-9a-f]{16}\.txt$`)
	sources := map[string]string{}
	for _, file := range files {
		sc, err := Load(file)
		if err != nil {
			t.Errorf("Load(%s) = %v; want no error", file, err)
			continue
		}
		if want := strings.TrimSuffix(file, ".yaml"); sc.Name != want {
			t.Errorf("Load(%s).Name = %q; want %q", file, sc.Name, want)
		}
		if !source.MatchString(sc.Source) {
			t.Errorf("Load(%s).Source = %q; want docs/apis/NNN_<hash>.txt", file, sc.Source)
		} else if _, err := os.Stat(filepath.Join("..", sc.Source)); err != nil {
			t.Errorf("Load(%s).Source = %q: the document is not in the repository: %v", file, sc.Source, err)
		}
		if prev, dup := sources[sc.Source]; dup {
			t.Errorf("%s and %s both take %s", prev, file, sc.Source)
		}
		sources[sc.Source] = file
		if sc.File != file || len(sc.Raw) == 0 {
			t.Errorf("Load(%s) File, len(Raw) = %q, %d; want %q and the file's bytes", file, sc.File, len(sc.Raw), file)
		}
	}
}

// TestShippedKeys pins the environment variable each shipped scenario reads its
// key from: one required key each (further keys are optional).
func TestShippedKeys(t *testing.T) {
	tests := []struct {
		file, header, scheme, env string
	}{
		{"copilot.yaml", "X-API-KEY", "", "COPILOT_API_KEY"},
		{"bot-platform.yaml", "Authorization", "Bearer", "BOT_PLATFORM_API_KEY"},
		{"coperniq.yaml", "x-api-key", "", "COPERNIQ_API_KEY"},
		{"workspace.yaml", "Authorization", "Bearer", "WORKSPACE_API_KEY"},
		{"users.yaml", "Authorization", "Bearer", "USERS_API_KEY"},
	}
	for _, tt := range tests {
		sc, err := Load(tt.file)
		if err != nil {
			t.Fatalf("Load(%s) = %v", tt.file, err)
		}
		a := sc.Auth
		required := 0
		for _, k := range a.Keys {
			if !k.Optional {
				required++
			}
		}
		if a.Header != tt.header || a.Scheme != tt.scheme || required != 1 || a.Keys[0].Env != tt.env {
			t.Errorf("Load(%s).Auth = %+v; want header %s, scheme %q, one required key, from %s", tt.file, a, tt.header, tt.scheme, tt.env)
		}
	}
}

// full is a scenario that sets every field.
const full = `name: demo
source: docs/apis/999_0000000000000000.txt
description: A demo API
target: https://api.example.com/v1
plan: starter
auth:
  header: Authorization
  scheme: BEARER
  keys:
    primary: ${DEMO_KEY}
    second: ${DEMO_KEY_2}
endpoints:
  - name: list
    method: get
    path: /items
    headers: {Accept: application/json, X-Trace: 1}
  - name: create
    method: POST
    path: /items
    body: {name: My Project, tags: [a, b], count: 2}
  - name: keygen
    method: POST
    path: /keys
    body: '{"raw": true}'
    auth: none
limits:
  - name: per-second
    requests: 20
    window: 1s
    algorithm: token-bucket
    burst: 40
    endpoints: [list, create]
  - name: monthly
    plans: {starter: 2000, enterprise: unlimited}
    window: month
    scope: global
    recovery: 1h
    exclude: [keygen]
headers:
  convention: x-ratelimit
  reset: X-RateLimit-Reset-After
  reset_format: delta-seconds
  retry_after: true
  describes: monthly
  accuracy: approximate
  staleness: 60s
  on_errors: false
errors:
  429:
    body: {error: string, retry: 3}
  401: {}
phases:
  - name: warmup
    kind: under
    rate: 0.5x
    limit: per-second
    duration: 2s
    endpoint: create
    key: second
  - kind: pause
    duration: 1s
  - kind: over
    rate: 100/m
    duration: 3s
run:
  connections: 8
  timeout: 2s
  max_duration: 1m
`

// TestParseFull checks every field of a scenario that sets them all.
func TestParseFull(t *testing.T) {
	sc, err := Parse("full.yaml", []byte(full))
	if err != nil {
		t.Fatalf("Parse(full.yaml) = %v", err)
	}
	at := func(line, col int) Position { return Position{File: "full.yaml", Line: line, Col: col} }
	want := &Scenario{
		Name:        "demo",
		Source:      "docs/apis/999_0000000000000000.txt",
		Description: "A demo API",
		Target:      "https://api.example.com/v1",
		Plan:        "starter",
		Auth: Auth{Header: "Authorization", Scheme: "Bearer", Pos: at(7, 3), Keys: []Key{
			{ID: "primary", Env: "DEMO_KEY", Pos: at(10, 5)},
			{ID: "second", Env: "DEMO_KEY_2", Pos: at(11, 5)},
		}},
		Endpoints: []Endpoint{
			{Name: "list", Method: "GET", Path: "/items", Pos: at(13, 5),
				Headers: []Header{{"Accept", "application/json"}, {"X-Trace", "1"}}},
			{Name: "create", Method: "POST", Path: "/items", Pos: at(17, 5),
				Body: []byte(`{"name":"My Project","tags":["a","b"],"count":2}`)},
			{Name: "keygen", Method: "POST", Path: "/keys", Pos: at(21, 5),
				Body: []byte(`{"raw": true}`), NoAuth: true},
		},
		Limits: []Limit{
			{Name: "per-second", Requests: 20, Window: time.Second, Scope: ScopeKey,
				Algorithm: AlgoTokenBucket, Burst: 40, BurstDeclared: true, Recovery: time.Second,
				Endpoints: []string{"list", "create"}, Pos: at(27, 5)},
			{Name: "monthly", Requests: 2000, Window: Month, Scope: ScopeGlobal,
				Algorithm: AlgoAny, Burst: 2000, Recovery: time.Hour, Exclude: []string{"keygen"},
				Plans: []PlanQuota{{Plan: "starter", Requests: 2000}, {Plan: "enterprise", Unlimited: true}},
				Pos:   at(33, 5)},
		},
		Headers: Headers{
			Convention: headers.ConventionXRateLimit, Limit: "X-RateLimit-Limit", Remaining: "X-RateLimit-Remaining",
			Reset: "X-RateLimit-Reset-After", ResetFormat: headers.ResetDeltaSeconds, RetryAfter: true, RetryAfterFormat: headers.RetryAfterEither,
			Describes: "monthly", Approximate: true, Staleness: time.Minute, OnErrors: false, Pos: at(40, 3),
		},
		Errors: []ErrorShape{
			{Status: 429, Body: map[string]any{"error": "string", "retry": 3}, Pos: at(49, 3)},
			{Status: 401, Pos: at(51, 3)},
		},
		Phases: []PhaseSpec{
			{Name: "warmup", Kind: PhaseUnder, Rate: RateSpec{Multiple: 0.5, Limit: "per-second"},
				Duration: 2 * time.Second, Endpoint: "create", Key: "second", Pos: at(53, 5)},
			{Name: "pause", Kind: PhasePause, Duration: time.Second, Pos: at(60, 5)},
			{Name: "over", Kind: PhaseOver, Rate: RateSpec{PerSec: 100.0 / 60}, Duration: 3 * time.Second, Pos: at(62, 5)},
		},
		Run:  RunOptions{Connections: 8, Timeout: 2 * time.Second, MaxDuration: time.Minute},
		File: "full.yaml",
		Raw:  []byte(full),
	}
	if diff := cmp.Diff(want, sc); diff != "" {
		t.Errorf("Parse(full.yaml) mismatch (-want +got):\n%s", diff)
	}
}

// minimal is the smallest valid scenario; tests append sections to it.
const minimal = `name: demo
target: http://127.0.0.1:8080
endpoints:
  - name: list
    path: /items
limits:
  - name: per-second
    requests: 10
    window: 1s
`

// TestParseDefaults checks the values filled in for absent fields.
func TestParseDefaults(t *testing.T) {
	tests := []struct {
		name  string
		extra string
		get   func(*Scenario) any
		want  any
	}{
		{"method GET", "", func(s *Scenario) any { return s.Endpoints[0].Method }, "GET"},
		{"scope global without auth", "", func(s *Scenario) any { return s.Limits[0].Scope }, ScopeGlobal},
		{"scope key with auth", "auth: {header: X-Key, keys: {k: '${K}'}}\n", func(s *Scenario) any { return s.Limits[0].Scope }, ScopeKey},
		{"algorithm any", "", func(s *Scenario) any { return s.Limits[0].Algorithm }, AlgoAny},
		{"burst = requests", "", func(s *Scenario) any { return s.Limits[0].Burst }, int64(10)},
		{"recovery = window", "", func(s *Scenario) any { return s.Limits[0].Recovery }, time.Second},
		{"run", "", func(s *Scenario) any { return s.Run }, RunOptions{Connections: 32, Timeout: 10 * time.Second, MaxDuration: 5 * time.Minute}},
		{"no headers", "", func(s *Scenario) any { return s.Headers },
			Headers{Convention: headers.ConventionNone, ResetFormat: headers.ResetAuto, Describes: "per-second", OnErrors: true}},
		{"x-ratelimit names", "headers: {convention: x-ratelimit}\n", func(s *Scenario) any { return s.Headers },
			Headers{Convention: headers.ConventionXRateLimit, Limit: "X-RateLimit-Limit", Remaining: "X-RateLimit-Remaining",
				Reset: "X-RateLimit-Reset", ResetFormat: headers.ResetAuto, Describes: "per-second", OnErrors: true, Pos: Position{"t.yaml", 10, 10}}},
		{"ratelimit names and delta", "headers: {convention: RateLimit, limit: ''}\n", func(s *Scenario) any { return s.Headers },
			Headers{Convention: headers.ConventionDraft, Remaining: "RateLimit-Remaining",
				Reset: "RateLimit-Reset", ResetFormat: headers.ResetDeltaSeconds, Describes: "per-second", OnErrors: true, Pos: Position{"t.yaml", 10, 10}}},
		{"structured", "headers: {convention: structured, retry_after: true}\n", func(s *Scenario) any { return s.Headers },
			Headers{Convention: headers.ConventionStructured, ResetFormat: headers.ResetDeltaSeconds, RetryAfter: true,
				RetryAfterFormat: headers.RetryAfterEither, Describes: "per-second", OnErrors: true, Pos: Position{"t.yaml", 10, 10}}},
		{"retry_after in a promised form", "headers: {retry_after: http-date}\n", func(s *Scenario) any { return s.Headers },
			Headers{Convention: headers.ConventionNone, ResetFormat: headers.ResetAuto, RetryAfter: true,
				RetryAfterFormat: headers.RetryAfterHTTPDate, Describes: "per-second", OnErrors: true, Pos: Position{"t.yaml", 10, 10}}},
		{"retry_after seconds", "headers: {retry_after: Seconds}\n", func(s *Scenario) any { return s.Headers.RetryAfterFormat },
			headers.RetryAfterSeconds},
		{"retry_after false", "headers: {retry_after: false}\n", func(s *Scenario) any { return s.Headers.RetryAfterFormat },
			headers.RetryAfterFormat("")},
		{"retry_after either", "headers: {retry_after: either}\n", func(s *Scenario) any { return s.Headers.RetryAfter }, true},
		{"header aliases", "headers: {convention: x-ratelimit, remaining: [X-RateLimit-Remaining, x-rate-limit-remaining, X-Ratelimit-Left], reset: [X-RateLimit-Reset]}\n",
			func(s *Scenario) any { return []any{s.Headers.Remaining, s.Headers.Reset, s.Headers.Aliases} },
			[]any{"X-RateLimit-Remaining", "X-RateLimit-Reset", map[string]string{
				"X-Rate-Limit-Remaining": "X-Ratelimit-Remaining", "X-Ratelimit-Left": "X-Ratelimit-Remaining"}}},
		{"ignore", "headers: {convention: none, ignore: [x-cdn-ratelimit-remaining, Retry-After]}\n", func(s *Scenario) any { return s.Headers.Ignore },
			[]string{"X-Cdn-Ratelimit-Remaining", "Retry-After"}},
		{"phase name is its kind", "phases: [{kind: at, rate: 1x, duration: 1s}]\n", func(s *Scenario) any { return s.Phases[0].Name }, "at"},
		{"month window", "", func(s *Scenario) any {
			sc, _ := Parse("t.yaml", []byte(strings.Replace(minimal, "window: 1s", "window: Month", 1)))
			return sc.Limits[0].Window
		}, 30 * 24 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := Parse("t.yaml", []byte(minimal+tt.extra))
			if err != nil {
				t.Fatalf("Parse = %v", err)
			}
			if diff := cmp.Diff(tt.want, tt.get(sc)); diff != "" {
				t.Errorf("Parse(minimal+%q) mismatch (-want +got):\n%s", tt.extra, diff)
			}
		})
	}
}

// TestParseErrorList checks the error contract: an ErrorList holding *Error
// values, sorted by position, each with a line.
func TestParseErrorList(t *testing.T) {
	bad := "limits: 3\nname: Bad\nendpoints: {}\ntarget: x\n"
	sc, err := Parse("bad.yaml", []byte(bad))
	if sc != nil {
		t.Errorf("Parse(bad) scenario = %v; want nil", sc)
	}
	list, ok := errors.AsType[ErrorList](err)
	if !ok {
		t.Fatalf("errors.AsType[ErrorList](%v) failed", err)
	}
	first, ok := errors.AsType[*Error](err)
	if !ok || first != list[0] {
		t.Errorf("errors.AsType[*Error](err) = %v, %v; want the first entry %v", first, ok, list[0])
	}
	var lines []int
	for _, e := range list {
		lines = append(lines, e.Pos.Line)
	}
	if want := []int{1, 2, 3, 4}; !cmp.Equal(lines, want) {
		t.Errorf("lines of %q = %v; want %v", list, lines, want)
	}
	if got, want := list[0].Error(), "bad.yaml:1:9: limits: want a list, found \"3\""; got != want {
		t.Errorf("list[0].Error() = %q; want %q", got, want)
	}
	if got := list.Err(); got == nil {
		t.Errorf("ErrorList(%d).Err() = nil; want the list", len(list))
	}
	if got := ErrorList(nil).Err(); got != nil {
		t.Errorf("ErrorList(nil).Err() = %v; want nil", got)
	}
}

// TestLoadMissingFile checks that an unreadable file is a plain error, not an ErrorList.
func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(nope.yaml) = %v; want fs.ErrNotExist", err)
	}
	if _, ok := errors.AsType[ErrorList](err); ok {
		t.Errorf("Load(nope.yaml) = %v is an ErrorList; want a plain error", err)
	}
}

// TestParseAliases checks that aliases are followed, and that aliases which
// expand without end are stopped with an error instead of hanging.
func TestParseAliases(t *testing.T) {
	shared := minimal + "errors:\n  401: &e {body: {error: string}}\n  429: *e\n"
	sc, err := Parse("t.yaml", []byte(shared))
	if err != nil {
		t.Fatalf("Parse(shared shape) = %v", err)
	}
	if got := sc.ErrorShape(429); got == nil || !cmp.Equal(got.Body, map[string]any{"error": "string"}) {
		t.Errorf("ErrorShape(429) = %+v; want the shape of 401", got)
	}
	bombs := map[string]string{
		"cycle":    "  - name: loop\n    path: /x\n    body: &b [*b]\n",
		"laughter": "  - name: lol\n    path: /x\n    body: {a: &a [x, x, x, x, x, x, x, x, x], b: &b [*a, *a, *a, *a, *a, *a, *a, *a], c: &c [*b, *b, *b, *b, *b, *b, *b, *b], d: &d [*c, *c, *c, *c, *c, *c, *c, *c], e: &e [*d, *d, *d, *d, *d, *d, *d, *d], f: [*e, *e, *e, *e, *e, *e, *e, *e]}\n",
	}
	for name, ep := range bombs {
		in := strings.Replace(minimal, "limits:\n", ep+"limits:\n", 1)
		_, err := Parse("t.yaml", []byte(in))
		if err == nil || !strings.Contains(err.Error(), "expands to more than") {
			t.Errorf("Parse(%s) = %v; want an expansion error", name, err)
		}
	}
}

// TestParseSyntaxLine checks that a YAML syntax error points at the line of
// the problem, not at the start of the construct that encloses it.
func TestParseSyntaxLine(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"bad indent", "name: a\nlimits:\n  - name: x\n    window: 1s\n   requests: 3\n", "t.yaml:5:1: invalid YAML: did not find expected '-' indicator"},
		{"unclosed quote", "name: a\ntarget: 'x\n\n# c\nlimits: []\n", "t.yaml:2:1: invalid YAML: found unexpected end of stream"},
		{"unclosed flow", "name: a\ntarget: [b, c\nlimits: x\n", "t.yaml:2:1: invalid YAML: did not find expected ',' or ']'"},
		{"mapping in a value", "name: a\n\n\ntarget: b: c\n", "t.yaml:4:1: invalid YAML: mapping values are not allowed in this context"},
		{"tab", "name: a\n\tlimits: x\n", "t.yaml:2:1: invalid YAML: found a tab character that violates indentation"},
	}
	for _, tt := range tests {
		_, err := Parse("t.yaml", []byte(tt.in))
		if err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%s) = %v; want %s", tt.name, err, tt.want)
		}
	}
}

// A burst makes a limit of algorithm any (or none written) some bucket; a
// bucket algorithm is one whether or not it declares a burst; a window never.
func TestBurstMakesABucket(t *testing.T) {
	tests := []struct {
		algorithm, burst string
		want             bool
	}{
		{"any", "burst: 40", true},
		{"", "burst: 40", true},
		{"any", "", false},
		{"", "", false},
		{"token-bucket", "", true},
		{"gcra", "burst: 5", true},
		{"sliding-window", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.algorithm+"/"+tt.burst, func(t *testing.T) {
			src := "name: b\nendpoints:\n  - {name: list, path: /v1/list}\nlimits:\n  - name: per-second\n    requests: 20\n    window: 1s\n"
			if tt.algorithm != "" {
				src += "    algorithm: " + tt.algorithm + "\n"
			}
			if tt.burst != "" {
				src += "    " + tt.burst + "\n"
			}
			sc, err := Parse("b.yaml", []byte(src))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := sc.Limits[0].IsBucket(); got != tt.want {
				t.Errorf("IsBucket() = %v; want %v", got, tt.want)
			}
		})
	}
}
