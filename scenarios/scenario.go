package scenarios

import (
	"time"

	"github.com/ratecheck/ratecheck/headers"
)

// Position is a place in a scenario file, 1-based, as printed in errors.
type Position struct {
	File string
	Line int
	Col  int
}

// Scenario is a loaded and validated rate-limit contract.
type Scenario struct {
	Name        string
	Source      string // the API document the contract is taken from, e.g. docs/apis/000_….txt (relative to the repository root)
	Description string
	Target      string // base URL of the real API, "" for none (the built-in reference target); --target overrides it
	Plan        string // the plan tier the limits are resolved for ("" if the doc has none)
	Auth        Auth
	Endpoints   []Endpoint
	Limits      []Limit
	Headers     Headers
	Errors      []ErrorShape // one per status, in file order
	Phases      []PhaseSpec  // optional; when empty Plan derives them from the limits
	Run         RunOptions

	File string // path the scenario was loaded from
	Raw  []byte // the file's bytes, kept so a run directory can be re-analysed
}

// Auth says how a request carries the API key.
type Auth struct {
	Header string // "X-API-KEY", "x-api-key", "Authorization"; "" means the API has no auth
	Scheme string // "" sends the key raw; "Bearer" sends "Bearer <key>"
	Keys   []Key  // in file order; the first is the default key
	// LeftOut are the optional keys a run goes without (WithoutKeys), for
	// the checks that needed them to say why they skip.
	LeftOut []Key
	Pos     Position
}

// Key is one API key, named by id. Its value only ever comes from the environment.
type Key struct {
	ID     string   // shown in reports instead of the key
	Env    string   // environment variable holding the key, from "${NAME}" in the file
	Scopes []string // the scopes the key holds; nil means every scope (an unrestricted key)
	// Optional keys may be left unset: a run then goes without them
	// (WithoutKeys), and the checks that needed them skip. Never the first.
	Optional bool
	Pos      Position
}

// Allows reports whether the key may call an endpoint that requires one of
// scopes: an endpoint without scopes, or an unrestricted key, always may.
func (k Key) Allows(scopes []string) bool {
	if len(scopes) == 0 || k.Scopes == nil {
		return true
	}
	for _, s := range scopes {
		if contains(k.Scopes, s) {
			return true
		}
	}
	return false
}

// Endpoint is one request the run can send.
type Endpoint struct {
	Name    string
	Method  string // upper case
	Path    string // joined to the target base URL
	Headers []Header
	Body    []byte   // JSON, encoded from the YAML value; nil when absent
	NoAuth  bool     // `auth: none`: the API key is not sent (e.g. key generation with Basic Auth)
	Scopes  []string // a key needs one of these scopes to call the endpoint; nil means any key may
	Pos     Position
}

// Header is one name/value pair in file order.
type Header struct {
	Name, Value string
}

// Algorithm is the limiter family a limit promises.
type Algorithm string

// The limiter families a scenario may declare.
const (
	AlgoAny           Algorithm = "any" // judged against the most favourable family
	AlgoFixedWindow   Algorithm = "fixed-window"
	AlgoSlidingWindow Algorithm = "sliding-window"
	AlgoTokenBucket   Algorithm = "token-bucket"
	AlgoGCRA          Algorithm = "gcra"
	AlgoLeakyBucket   Algorithm = "leaky-bucket"
)

// Scope is what a limit counts per.
type Scope string

// The scopes a limit may have.
const (
	ScopeKey    Scope = "key"
	ScopeIP     Scope = "ip"
	ScopeGlobal Scope = "global"
)

// Month is the length of a `month` window: 30 days. Calendar months are not modelled.
const Month = 30 * 24 * time.Hour

// Limit is one promised limit: Requests per Window.
type Limit struct {
	Name      string
	Requests  int64 // per Window for the active plan; meaningless when Unlimited
	Unlimited bool  // the active plan has no such limit ("Enterprise: Unlimited")
	Window    time.Duration
	Scope     Scope
	Algorithm Algorithm
	Burst     int64 // bucket capacity for token-bucket/gcra/leaky-bucket; defaults to Requests
	// BurstDeclared says the scenario wrote a burst: with algorithm any (or
	// none), the limit is then some bucket (see IsBucket).
	BurstDeclared bool
	Recovery      time.Duration // promised time after which requests succeed again; defaults to Window
	Endpoints     []string      // endpoint names the limit counts; empty means all endpoints
	Exclude       []string      // endpoint names the limit does not count
	Plans         []PlanQuota   // per-plan values as written; Requests/Unlimited hold the active one
	Pos           Position
}

// PlanQuota is a limit's value for one plan tier.
type PlanQuota struct {
	Plan      string
	Requests  int64
	Unlimited bool
}

// Rate is the limit's sustained rate in requests per second.
func (l Limit) Rate() float64 {
	if l.Unlimited || l.Window <= 0 {
		return 0
	}
	return float64(l.Requests) / l.Window.Seconds()
}

// Finite reports whether the limit has a budget a run can exceed: not
// unlimited, at least one request per window, and a window.
func (l Limit) Finite() bool { return !l.Unlimited && l.Requests >= 1 && l.Window > 0 }

// Quota is the shortest window counted as a quota (a daily or monthly plan
// allowance rather than a rate): such a limit is judged by the quota checks.
const Quota = time.Hour

// IsQuota reports whether the limit is a quota: a window of an hour or more.
func (l Limit) IsQuota() bool { return l.Window >= Quota }

// IsBucket reports whether the limit is some bucket: its algorithm is
// token-bucket, gcra or leaky-bucket, or it leaves the algorithm open (any,
// or none written) and declares a burst, which only a bucket has ("20 per
// second, bursts of up to 40").
func (l Limit) IsBucket() bool {
	return bucket(l.Algorithm) || l.BurstDeclared && (l.Algorithm == AlgoAny || l.Algorithm == "")
}

// Counts reports whether a request to the named endpoint is charged to the limit.
func (l Limit) Counts(endpoint string) bool {
	for _, e := range l.Exclude {
		if e == endpoint {
			return false
		}
	}
	if len(l.Endpoints) == 0 {
		return true
	}
	for _, e := range l.Endpoints {
		if e == endpoint {
			return true
		}
	}
	return false
}

// Headers is what the API promises about rate-limit response headers.
type Headers struct {
	Convention headers.Convention // a name of headers.Declarable
	Limit      string             // header names; defaults come from the convention
	Remaining  string
	Reset      string
	// Aliases are the further names a server may send the Limit, Remaining or
	// Reset header under (remaining: [X-RateLimit-Remaining,
	// X-Rate-Limit-Remaining]), each mapped to its role's first name; keys
	// and values in canonical form (headers.Canonical). nil when none.
	Aliases map[string]string
	// Ignore names headers that are neither recorded nor read, as if the
	// server never sent them (canonical form): another layer's rate-limit
	// headers, say, that describe no limit of this contract.
	Ignore      []string
	ResetFormat headers.ResetFormat // a name of headers.DeclarableResetFormats
	RetryAfter  bool                // Retry-After is promised on 429 responses
	// RetryAfterFormat is the promised form of Retry-After: either (retry_after:
	// true), seconds or http-date; "" when Retry-After is not promised.
	RetryAfterFormat headers.RetryAfterFormat
	Describes        string        // name of the limit the headers report; defaults to the first limit
	Approximate      bool          // Remaining is an estimate ("accuracy: approximate")
	Staleness        time.Duration // how stale an approximate Remaining may be
	OnErrors         bool          // headers are also sent on 429 responses (default true)
	Pos              Position
}

// Declared returns the Limit, Remaining and Reset header names promised, in
// that order, leaving out those not sent.
func (h Headers) Declared() []string {
	var names []string
	for _, n := range []string{h.Limit, h.Remaining, h.Reset} {
		if n != "" {
			names = append(names, n)
		}
	}
	return names
}

// ErrorShape is the declared response for one error status.
type ErrorShape struct {
	Status int
	// Body is the JSON shape as decoded from YAML: maps, slices and scalars. A string
	// leaf naming a JSON type ("string", "number", "integer", "boolean", "object",
	// "array", "null", "any") matches any value of that type; any other scalar must
	// match exactly. nil means the body is not specified.
	Body any
	Pos  Position
}

// PhaseSpec is an explicitly written phase.
type PhaseSpec struct {
	Name     string
	Kind     PhaseKind
	Rate     RateSpec
	Duration time.Duration
	Endpoint string // endpoint name; "" means the default endpoint
	Key      string // key id; "" means the first key
	Pos      Position
}

// RateSpec is a rate as written: a multiple of a limit ("2x") or absolute ("40/s").
type RateSpec struct {
	Multiple float64 // > 0 for "2x"
	PerSec   float64 // > 0 for "40/s", "100/m"
	Limit    string  // limit the multiple refers to; "" means the limit under test
	Max      bool    // "max": as fast as the connections allow, for the phase's duration
}

// RunOptions are run settings a scenario may fix.
type RunOptions struct {
	Connections int           // concurrent connections in over-limit phases; default 32
	Timeout     time.Duration // per request; default 10s
	MaxDuration time.Duration // longest run the planner may plan; default 5m
}
