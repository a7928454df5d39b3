// Package reftarget owns the reference target: an http.Handler that serves a
// scenario's contract exactly (routes, API-key auth, every limit, the declared
// rate-limit headers and error bodies), optionally with injected faults (see
// Faults). `ratecheck run --target builtin` (or a scenario without target:)
// serves it on loopback, `ratecheck serve` runs it alone, and the checker's
// tests run against it.
//
// It imports scenarios (types only) and internal/limiter. It must never import
// conformance: its limiters share no code with the checker's oracles, so a bug in
// one cannot make target and oracle agree.
package reftarget

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/internal/limiter"
	"github.com/ratecheck/ratecheck/scenarios"
)

// Target serves one scenario. It is safe for concurrent use.
type Target struct {
	clock   func() time.Time
	routes  atomic.Pointer[routeMap] // replaced whole when quotas start (QuotaStart)
	auth    authSpec
	headers headerSpec
	bodies  map[int][]byte // error bodies by status
	limited int            // status of a limited request: 429, or 503 with the fault
	// countRefused charges requests refused 401/403 to the limits (fault
	// counts-unauthenticated); plainErrors sends 401, 403 and 429 bodies as
	// plain text (fault wrong-error-shape).
	countRefused, plainErrors bool
	stats                     counters
	err                       error
	starts                    []*quotaStart
	build                     buildState
}

// route is one endpoint with the limits that count it.
type route struct {
	ep        scenarios.Endpoint
	limits    []*limit // finite limits counting the endpoint, in scenario order
	described int      // index in limits of the limit the headers describe; -1 if none
	status    int
	body      []byte
}

// Stats counts the target's answers.
type Stats struct {
	Admitted     int64 // 2xx
	Rejected     int64 // limited: 429 (or 503 with the status-503 fault)
	Unauthorized int64 // 401 or 403
	NotFound     int64 // 404
}

type counters struct{ admitted, rejected, unauthorized, notFound atomic.Int64 }

// New returns a target serving sc. It never fails: a problem (an unknown fault,
// a limit the limiter cannot model) is reported by Err, and the target then
// answers every request with 500.
func New(sc *scenarios.Scenario, opts ...Option) *Target {
	o := options{clock: monotonicClock()}
	for _, opt := range opts {
		opt(&o)
	}
	t := &Target{clock: o.clock, limited: http.StatusTooManyRequests}
	if sc == nil {
		t.err = errors.New("reftarget: new: nil scenario")
		t.bodies = map[int][]byte{http.StatusInternalServerError: defaultBody(http.StatusInternalServerError)}
		return t
	}
	faults, err := parseFaults(o.faults)
	limits, lerr := buildLimits(sc, &o, faults)
	t.err = errors.Join(err, lerr)
	if faults.has(Status503) {
		t.limited = http.StatusServiceUnavailable
	}
	t.auth = newAuthSpec(sc, o.keys, faults)
	t.headers = newHeaderSpec(sc.Headers, faults)
	t.bodies = errorBodies(sc)
	routes, err := buildRoutes(sc, limits, faults.has(CountsExcluded))
	t.routes.Store(&routes)
	t.starts = o.starts
	t.build = buildState{mu: new(sync.Mutex), sc: sc, opts: &o, faults: faults, limits: limits}
	t.countRefused = faults.has(CountsUnauthenticated)
	t.plainErrors = faults.has(WrongErrorShape)
	t.err = errors.Join(t.err, err)
	return t
}

// Err reports why the target cannot serve its scenario, or nil.
func (t *Target) Err() error { return t.err }

// Stats returns the counts of answers so far.
func (t *Target) Stats() Stats {
	return Stats{
		Admitted:     t.stats.admitted.Load(),
		Rejected:     t.stats.rejected.Load(),
		Unauthorized: t.stats.unauthorized.Load(),
		NotFound:     t.stats.notFound.Load(),
	}
}

func parseFaults(names []string) (faultSet, error) {
	var set faultSet
	var errs []error
	for _, n := range names {
		f, err := ParseFault(n)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		set.add(f)
	}
	return set, errors.Join(errs...)
}

// buildLimits returns one limit per scenario limit, nil for an unlimited one.
func buildLimits(sc *scenarios.Scenario, o *options, faults faultSet) ([]*limit, error) {
	out := make([]*limit, len(sc.Limits))
	var errs []error
	// The counting faults hit the rate limits; when every limit is a quota,
	// they hit the quotas too.
	onlyQuotas := true
	for _, l := range sc.Limits {
		onlyQuotas = onlyQuotas && (l.Unlimited || l.IsQuota())
	}
	for i, l := range sc.Limits {
		if l.Unlimited {
			continue
		}
		lim, err := buildLimit(l, o, faults, sc.Auth.Header != "", onlyQuotas || !l.IsQuota())
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out[i] = lim
	}
	return out, errors.Join(errs...)
}

// buildRoutes indexes the endpoints by path (without a query); the first of
// duplicates wins. With countExcluded, limits also count the endpoints they
// exclude (fault counts-excluded).
func buildRoutes(sc *scenarios.Scenario, limits []*limit, countExcluded bool) (routeMap, error) {
	described := 0
	if name := sc.Headers.Describes; name != "" {
		described = -1
		for i, l := range sc.Limits {
			if l.Name == name {
				described = i
			}
		}
		if described < 0 {
			return nil, fmt.Errorf("reftarget: headers describe unknown limit %q", name)
		}
	}
	routes := routeMap{}
	for _, ep := range sc.Endpoints {
		rt := &route{ep: ep, described: -1, status: successStatus(ep.Method), body: successBody(ep)}
		for i, l := range limits {
			if l == nil || !counts(l.spec, ep.Name, countExcluded) {
				continue
			}
			if i == described {
				rt.described = len(rt.limits)
			}
			rt.limits = append(rt.limits, l)
		}
		path, _, _ := strings.Cut(ep.Path, "?") // the query is not part of the route
		routes[path] = append(routes[path], rt)
	}
	return routes, nil
}

// counts reports whether l counts the endpoint, ignoring its exclusions when
// countExcluded.
func counts(l scenarios.Limit, endpoint string, countExcluded bool) bool {
	if countExcluded {
		l.Exclude = nil
	}
	return l.Counts(endpoint)
}

func successStatus(method string) int {
	switch method {
	case http.MethodPost:
		return http.StatusCreated
	case http.MethodDelete:
		return http.StatusNoContent
	default:
		return http.StatusOK
	}
}

// ServeHTTP routes, authenticates and rate-limits one request.
func (t *Target) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if t.err != nil {
		b, _ := json.Marshal(map[string]string{"error": "reference target misconfigured: " + t.err.Error()})
		writeJSON(w, http.StatusInternalServerError, b)
		return
	}
	now := t.clock()
	rt := t.route(r)
	if rt == nil {
		t.stats.notFound.Add(1)
		writeJSON(w, http.StatusNotFound, t.bodies[http.StatusNotFound])
		return
	}
	keyID, status := t.auth.authenticate(r, rt.ep)
	if status != 0 {
		t.stats.unauthorized.Add(1)
		if t.countRefused {
			t.charge(r, rt, cmp.Or(keyID, t.auth.anyID), now)
		}
		t.writeError(w, status)
		return
	}
	if qs := t.quotaStartOf(keyID); qs != nil {
		qs.once.Do(func() { t.startQuotas(qs) })
		rt = t.route(r)
	}
	t.serveLimited(w, r, rt, keyID, now)
}

// writeError sends the error body of status.
func (t *Target) writeError(w http.ResponseWriter, status int) {
	if t.plainErrors && (status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusTooManyRequests) {
		w.Header()["Content-Type"] = []string{"text/plain; charset=utf-8"}
		w.WriteHeader(status)
		w.Write([]byte(errorMessage(status) + "\n")) //nolint:errcheck // the client went away
		return
	}
	writeJSON(w, status, t.bodies[status])
}

// charge counts a refused request against the limits of its endpoint, as a
// limiter placed before authentication would (fault counts-unauthenticated).
func (t *Target) charge(r *http.Request, rt *route, keyID string, now time.Time) {
	for _, l := range rt.limits {
		c := l.lim.Cell(l.cellKey(keyID, r))
		limiter.Admit(now, []*limiter.Cell{c}, make([]limiter.Decision, 1))
	}
}

// route returns the endpoint matching the request's method and path, or nil.
func (t *Target) route(r *http.Request) *route {
	for _, rt := range (*t.routes.Load())[r.URL.Path] {
		if rt.ep.Method == r.Method {
			return rt
		}
	}
	return nil
}

// serveLimited admits the request against every limit counting its endpoint.
func (t *Target) serveLimited(w http.ResponseWriter, r *http.Request, rt *route, keyID string, now time.Time) {
	var cellBuf [4]*limiter.Cell
	var outBuf [4]limiter.Decision
	cells, out := cellBuf[:0], outBuf[:0]
	if n := len(rt.limits); n > len(cellBuf) {
		cells, out = make([]*limiter.Cell, 0, n), make([]limiter.Decision, 0, n)
	}
	for _, l := range rt.limits {
		cells = append(cells, l.lim.Cell(l.cellKey(keyID, r)))
	}
	out = out[:len(cells)]
	admitted := limiter.Admit(now, cells, out)

	h := w.Header()
	if i := rt.described; i >= 0 && t.headers.convention != headers.ConventionNone && (admitted || t.headers.onErrors) {
		t.headers.write(h, rt.limits[i], cells[i], out[i], now)
	}
	if admitted {
		t.stats.admitted.Add(1)
		writeJSON(w, rt.status, rt.body)
		return
	}
	t.stats.rejected.Add(1)
	if t.headers.retryAfter {
		h["Retry-After"] = []string{t.headers.formatRetryAfter(longestWait(out), now)}
	}
	if t.limited == http.StatusTooManyRequests {
		t.writeError(w, t.limited)
		return
	}
	writeJSON(w, t.limited, t.bodies[http.StatusTooManyRequests])
}

// longestWait is the exact wait until every limit admits: time only restores
// quota, so the limits that admit now still admit then.
func longestWait(out []limiter.Decision) time.Duration {
	var wait time.Duration
	for _, d := range out {
		wait = max(wait, d.RetryAfter)
	}
	return wait
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	w.Header()["Content-Type"] = []string{"application/json"}
	w.WriteHeader(status)
	w.Write(body) //nolint:errcheck // the client went away; nothing to do
}

// monotonicClock reads the wall clock once and measures from there on the
// monotonic clock, as vegeta stamps the requests it sends: a wall clock
// stepped during a run (a VM resumed, NTP) moves neither, so the target's
// windows stay where the requests' times put them.
func monotonicClock() func() time.Time {
	base := time.Now()
	return func() time.Time { return base.Add(time.Since(base)) }
}
