package attack

import (
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
)

// observation turns a vegeta result into an Observation. The status comes from
// Result.Code: vegeta also puts non-2xx/3xx statuses in Result.Error, so Error
// only counts as a transport failure when no response arrived (Code 0).
// Every key the target echoed, in the body, a header or an error message, is
// hidden by red; cut is the snippet size, at which a body was cut short.
func observation(r *vegeta.Result, seq uint64, phase int, endpoint, keyID string, rec *recording, red *redactor, cut int64) results.Observation {
	o := results.Observation{
		Seq:      seq,
		Phase:    phase,
		Endpoint: endpoint,
		KeyID:    keyID,
		Sent:     r.Timestamp,
		Latency:  r.Latency,
		Status:   int(r.Code),
		Headers:  rateLimitHeaders(r.Headers, rec, red),
		Body:     red.String(string(r.Body), int64(len(r.Body)) >= cut),
	}
	if r.Code >= 400 {
		o.Headers = withContentType(o.Headers, r.Headers, red)
	}
	if r.Code == 0 {
		o.Error = bound(red.String(r.Error, false), maxError)
		if o.Error == "" {
			o.Error = "no response"
		}
	}
	return o
}

// recording says which response headers an observation keeps, and under
// which names: the scenario's declared names and aliases, Options.Headers,
// less the scenario's ignored names.
type recording struct {
	declared []string          // names recorded besides the rate-limit ones found by name
	aliases  map[string]string // an alias → the name it is recorded under
	ignore   map[string]bool   // names never recorded
}

// newRecording returns the recording of the declared names, aliases and
// ignored names (canonical forms for the last two).
func newRecording(declared []string, aliases map[string]string, ignore []string) *recording {
	rec := &recording{declared: declared, aliases: aliases}
	for alias := range aliases {
		rec.declared = append(slices.Clip(rec.declared), alias)
	}
	if len(ignore) > 0 {
		rec.ignore = make(map[string]bool, len(ignore))
		for _, name := range ignore {
			rec.ignore[http.CanonicalHeaderKey(name)] = true
		}
	}
	return rec
}

// noRecording records only the rate-limit headers found by name; shared, so
// that a nil recording costs no allocation per response.
var noRecording recording

// recordingOf is the recording of a run of p with options o.
func recordingOf(p *plan.Plan, o Options) *recording {
	if p == nil || p.Scenario == nil {
		return newRecording(o.Headers, nil, nil)
	}
	h := p.Scenario.Headers
	return newRecording(append(h.Declared(), o.Headers...), h.Aliases, h.Ignore)
}

// rateLimitHeaders keeps the response headers a rate-limit check may read: names
// containing "ratelimit" or "rate-limit" (X-RateLimit-*, RateLimit, RateLimit-Policy,
// X-Rate-Limit-*), Retry-After, and the names rec declares, less those rec
// ignores; a header under an alias is kept under its declared name. It runs on
// every response, so it matches names without allocating. Keys the target
// echoed in a kept name or value are hidden by red. rec may be nil.
func rateLimitHeaders(h http.Header, rec *recording, red *redactor) map[string]string {
	if rec == nil {
		rec = &noRecording
	}
	var out map[string]string
	keep := func(name string, vs []string) {
		if rec.ignore[name] {
			return
		}
		if out == nil {
			out = make(map[string]string, 4)
		}
		if len(out) >= maxHeaders {
			return
		}
		if to, ok := rec.aliases[name]; ok && len(h[to]) == 0 {
			name = to
		}
		v := vs[0]
		if len(vs) > 1 {
			v = strings.Join(vs[:min(len(vs), maxHeaders)], ", ")
		}
		out[red.String(bound(name, maxHeaderName), false)] = red.String(bound(v, maxHeaderValue), false)
	}
	// The declared names first, so that a flood of others cannot crowd them out.
	for _, name := range rec.declared {
		if vs := h.Values(name); len(vs) > 0 {
			keep(http.CanonicalHeaderKey(name), vs)
		}
	}
	for _, name := range []string{"Retry-After", "X-Ratelimit-Limit", "X-Ratelimit-Remaining", "X-Ratelimit-Reset", "Ratelimit", "Ratelimit-Policy", "Ratelimit-Limit", "Ratelimit-Remaining", "Ratelimit-Reset"} {
		if vs := h[name]; len(vs) > 0 {
			keep(name, vs)
		}
	}
	for name, vs := range h {
		if _, kept := out[name]; !kept && (containsFold(name, "ratelimit") || containsFold(name, "rate-limit") || strings.EqualFold(name, "retry-after")) {
			keep(name, vs)
		}
	}
	return out
}

// withContentType adds the Content-Type of an error response to kept: an
// error body is judged against its declared shape, its media type with it.
func withContentType(kept map[string]string, h http.Header, red *redactor) map[string]string {
	ct := h.Get("Content-Type")
	if ct == "" {
		return kept
	}
	if kept == nil {
		kept = make(map[string]string, 1)
	}
	kept["Content-Type"] = red.String(bound(ct, maxHeaderValue), false)
	return kept
}

// containsFold reports whether s contains the lower-case ASCII word sub,
// ignoring case.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// Bounds on the headers one observation keeps, so that a target sending
// thousands of rate-limit headers, or a 1 MB value, costs a bounded record.
// Real rate-limit headers are a handful, each tens of bytes.
const (
	maxHeaders     = 16   // names kept per response (and values joined per name)
	maxHeaderName  = 128  // bytes of a name
	maxHeaderValue = 1024 // bytes of a value
	maxError       = 1024 // bytes of a transport error (Go quotes a malformed status line whole)
)

// cutMark ends a value that was cut to its bound.
const cutMark = "…[cut]"

// bound cuts s to at most n bytes (cutMark included), on a UTF-8 boundary.
func bound(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n - len(cutMark)
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + cutMark
}
