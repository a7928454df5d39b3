package attack

import (
	"net/http"
	"strings"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/ratecheck/ratecheck/results"
)

// observation turns a vegeta result into an Observation. The status comes from
// Result.Code: vegeta also puts non-2xx/3xx statuses in Result.Error, so Error
// only counts as a transport failure when no response arrived (Code 0).
// Every key the target echoed, in the body, a header or an error message, is
// hidden by red; cut is the snippet size, at which a body was cut short.
func observation(r *vegeta.Result, seq uint64, phase int, endpoint, keyID string, extra []string, red *redactor, cut int64) results.Observation {
	o := results.Observation{
		Seq:      seq,
		Phase:    phase,
		Endpoint: endpoint,
		KeyID:    keyID,
		Sent:     r.Timestamp,
		Latency:  r.Latency,
		Status:   int(r.Code),
		Headers:  rateLimitHeaders(r.Headers, extra, red),
		Body:     red.String(string(r.Body), int64(len(r.Body)) >= cut),
	}
	if r.Code == 0 {
		o.Error = red.String(r.Error, false)
		if o.Error == "" {
			o.Error = "no response"
		}
	}
	return o
}

// rateLimitHeaders keeps the response headers a rate-limit check may read: names
// containing "ratelimit" or "rate-limit" (X-RateLimit-*, RateLimit, RateLimit-Policy,
// X-Rate-Limit-*), Retry-After, and the extra names the scenario declares. It
// runs on every response, so it matches names without allocating. Keys the
// target echoed in a kept name or value are hidden by red.
func rateLimitHeaders(h http.Header, extra []string, red *redactor) map[string]string {
	var out map[string]string
	keep := func(name string, vs []string) {
		if out == nil {
			out = make(map[string]string, 4)
		}
		v := vs[0]
		if len(vs) > 1 {
			v = strings.Join(vs, ", ")
		}
		out[red.String(name, false)] = red.String(v, false)
	}
	for name, vs := range h {
		if containsFold(name, "ratelimit") || containsFold(name, "rate-limit") || strings.EqualFold(name, "retry-after") {
			keep(name, vs)
		}
	}
	for _, name := range extra {
		if vs := h.Values(name); len(vs) > 0 {
			keep(http.CanonicalHeaderKey(name), vs)
		}
	}
	return out
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
