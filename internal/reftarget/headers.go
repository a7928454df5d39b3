package reftarget

import (
	"net/http"
	"net/textproto"
	"strconv"
	"time"

	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/internal/limiter"
	"github.com/ratecheck/ratecheck/scenarios"
)

// Structured field names (RFC 9651 syntax; draft-ietf-httpapi-ratelimit-headers).
const (
	structuredField  = "Ratelimit"
	structuredPolicy = "Ratelimit-Policy"
)

// headerSpec is sc.Headers resolved: canonical names, a concrete reset format,
// and the faults that touch headers.
type headerSpec struct {
	convention                          headers.Convention
	limitName, remainingName, resetName string
	format                              headers.ResetFormat
	onErrors                            bool
	retryAfter                          bool // send Retry-After on 429/503
	retryAfterDate                      bool // as an HTTP-date, the form the scenario promises
	wrongRemaining                      bool
	stale                               *staleCache // nil unless Remaining is approximate
}

func newHeaderSpec(h scenarios.Headers, faults faultSet) headerSpec {
	s := headerSpec{
		convention:     h.Convention,
		format:         h.ResetFormat,
		onErrors:       h.OnErrors,
		retryAfter:     h.RetryAfter && !faults.has(NoRetryAfter),
		retryAfterDate: h.RetryAfterFormat == headers.RetryAfterHTTPDate,
		wrongRemaining: faults.has(WrongRemaining),
	}
	if faults.has(MissingHeaders) || s.convention == "" {
		s.convention = headers.ConventionNone
	}
	s.limitName, s.remainingName, s.resetName = headerNames(h)
	if s.format == "" || s.format == headers.ResetAuto {
		s.format = s.convention.DefaultResetFormat()
	}
	if s.format == headers.ResetAuto { // the convention leaves it open: the common choice
		s.format = headers.ResetEpochSeconds
	}
	if h.Approximate && h.Staleness > 0 {
		s.stale = newStaleCache(h.Staleness)
	}
	return s
}

// headerNames returns the canonical Limit, Remaining and Reset header names. As
// in a scenario file, a name "" means the API does not send that header; but
// when all three are "" (a Scenario literal that never set them) the
// convention's names are used.
func headerNames(h scenarios.Headers) (limit, remaining, reset string) {
	limit, remaining, reset = h.Limit, h.Remaining, h.Reset
	if limit == "" && remaining == "" && reset == "" {
		n := h.Convention.DefaultNames()
		limit, remaining, reset = n.Limit, n.Remaining, n.Reset
	}
	return canonical(limit), canonical(remaining), canonical(reset)
}

func canonical(name string) string {
	if name == "" {
		return ""
	}
	return textproto.CanonicalMIMEHeaderKey(name)
}

// write sets the rate-limit headers describing limit l, whose decision for this
// request is d, on a response sent at now.
func (s *headerSpec) write(h http.Header, l *limit, cell *limiter.Cell, d limiter.Decision, now time.Time) {
	remaining := min(max(0, d.Remaining+l.offset), l.declared)
	if s.stale != nil {
		remaining = s.stale.value(cell, remaining, now)
	}
	if s.wrongRemaining {
		remaining++
	}
	switch {
	case s.convention.HasCounters():
		if s.limitName != "" {
			h[s.limitName] = []string{strconv.FormatInt(l.spec.Requests, 10)}
		}
		if s.remainingName != "" {
			h[s.remainingName] = []string{strconv.FormatInt(remaining, 10)}
		}
		if s.resetName != "" {
			h[s.resetName] = []string{formatReset(s.format, d.ResetAt, now)}
		}
	case s.convention == headers.ConventionStructured:
		h[structuredField] = []string{`"default";r=` + strconv.FormatInt(remaining, 10) +
			`;t=` + strconv.FormatInt(ceilSeconds(d.ResetAt.Sub(now)), 10)}
		h[structuredPolicy] = []string{`"default";q=` + strconv.FormatInt(l.spec.Requests, 10) +
			`;w=` + strconv.FormatInt(max(1, ceilSeconds(l.spec.Window)), 10)}
	}
}

// formatRetryAfter writes a wait as Retry-After: delay-seconds, or an
// HTTP-date when the scenario promises one, rounded up so that a client that
// waits as told never comes back too early.
func (s *headerSpec) formatRetryAfter(wait time.Duration, now time.Time) string {
	if s.retryAfterDate {
		return time.Unix(ceilUnix(now.Add(wait)), 0).UTC().Format(http.TimeFormat)
	}
	return strconv.FormatInt(ceilSeconds(wait), 10)
}

// formatReset encodes the reset time. Times are rounded up to the format's unit,
// so a client that waits until the value never comes back too early.
func formatReset(f headers.ResetFormat, at, now time.Time) string {
	switch f {
	case headers.ResetDeltaSeconds:
		return strconv.FormatInt(ceilSeconds(at.Sub(now)), 10)
	case headers.ResetEpochMillis:
		return strconv.FormatInt(ceilDiv(at.UnixNano(), int64(time.Millisecond)), 10)
	case headers.ResetHTTPDate:
		return time.Unix(ceilUnix(at), 0).UTC().Format(http.TimeFormat)
	case headers.ResetRFC3339:
		return time.Unix(ceilUnix(at), 0).UTC().Format(time.RFC3339)
	default: // epoch-seconds
		return strconv.FormatInt(ceilUnix(at), 10)
	}
}

// ceilSeconds returns d in whole seconds, rounded up; 0 for d ≤ 0.
func ceilSeconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return ceilDiv(int64(d), int64(time.Second))
}

// ceilUnix returns t as Unix seconds, rounded up.
func ceilUnix(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}

// ceilDiv returns ⌈a/b⌉ for b > 0.
func ceilDiv(a, b int64) int64 {
	q := a / b
	if a%b > 0 {
		q++
	}
	return q
}
