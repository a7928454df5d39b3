package dashboard

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/ratecheck/ratecheck/conformance/check"
)

// redacted replaces anything that looks like a credential.
const redacted = "[redacted]"

// The run should never hand the dashboard a key, but the text it shows comes
// from scenario files, targets and answer bodies, so everything is screened
// again here. The patterns err on the side of hiding.
var (
	// "Bearer abc…", "Basic abc…", "token abc…"
	schemeCred = regexp.MustCompile(`(?i)\b(bearer|basic|token)(\s+)[A-Za-z0-9._~+/=-]{6,}`)
	// "api_key=abc…", "X-API-KEY: abc…", "password: abc…", "secret=\"abc…\""
	// (values under 8 characters, like "key: missing", are left alone)
	namedCred = regexp.MustCompile(`(?i)([a-z0-9_-]*(?:key|token|secret|passw(?:or)?d|pwd|auth[a-z]*|signature|credentials?)["']?)(\s*[=:]\s*)(["']?)([^\s&"',;)]{8,})`)
	// the value of namedCred is only a scheme name
	schemeWord = regexp.MustCompile(`(?i)^(bearer|basic|token|digest)$`)
	// "https://user:pass@host"
	urlUserinfo = regexp.MustCompile(`(://)[^/\s@]+@`)
	// candidates for a bare key: long runs of key-like characters
	longToken = regexp.MustCompile(`[A-Za-z0-9_+/=-]{20,}`)
)

// redact hides what looks like a credential in s.
func redact(s string) string {
	s = urlUserinfo.ReplaceAllString(s, "${1}"+redacted+"@")
	s = schemeCred.ReplaceAllString(s, "${1}${2}"+redacted)
	s = namedCred.ReplaceAllStringFunc(s, func(match string) string {
		g := namedCred.FindStringSubmatch(match)
		if schemeWord.MatchString(g[4]) || g[4] == redacted {
			return match // "Authorization: Bearer [redacted]" is already safe
		}
		return g[1] + g[2] + g[3] + redacted
	})
	return longToken.ReplaceAllStringFunc(s, func(tok string) string {
		if looksRandom(tok) {
			return redacted
		}
		return tok
	})
}

// looksRandom reports whether a long token reads like a generated key rather
// than words joined by separators (X-RateLimit-Remaining, recovery-after-pause):
// many digits among letters, mixed case with digits, mixed case run together
// without separators, or plain length.
func looksRandom(tok string) bool {
	var digits, upper, lower, seps int
	for _, r := range tok {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r >= 'A' && r <= 'Z':
			upper++
		case r >= 'a' && r <= 'z':
			lower++
		case r == '-' || r == '_':
			seps++
		}
	}
	switch {
	case len(tok) >= 40:
		return true
	case digits >= 4 && upper+lower >= 4:
		return true
	case digits > 0 && upper > 0 && lower > 0:
		return true
	case seps == 0 && upper >= 3 && lower >= 3:
		return true
	}
	return false
}

// clean makes s safe to print on one line of a terminal: control characters
// (escape sequences, newlines, tabs) become spaces and credentials are hidden.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return ' '
		}
		return r
	}, s)
	return redact(s)
}

// sanitize returns a copy of f whose every shown string went through clean.
// The sender's slices are not modified.
func sanitize(f Frame) Frame {
	f.Scenario, f.Target, f.Tested = clean(f.Scenario), clean(f.Target), clean(f.Tested)
	f.Phases = slices.Clone(f.Phases)
	for i := range f.Phases {
		f.Phases[i].Name = clean(f.Phases[i].Name)
		f.Phases[i].Kind = clean(f.Phases[i].Kind)
	}
	f.Checks = slices.Clone(f.Checks)
	for i := range f.Checks {
		c := &f.Checks[i]
		c.Limit, c.Message = clean(c.Limit), clean(c.Message)
		c.Evidence = firstEvidence(c.Evidence) // only its first request is shown; don't keep headers around
	}
	f.Limits = slices.Clone(f.Limits)
	for i := range f.Limits {
		f.Limits[i].Name = clean(f.Limits[i].Name)
	}
	if f.Remaining != nil {
		r := *f.Remaining
		r.Header, r.Limit.Name = clean(r.Header), clean(r.Limit.Name)
		f.Remaining = &r
	}
	if rs := f.Metrics.Remaining; rs != nil {
		c := *rs
		c.Key = clean(c.Key)
		f.Metrics.Remaining = &c
	}
	f.Notes = slices.Clone(f.Notes)
	for i := range f.Notes {
		f.Notes[i] = clean(f.Notes[i])
	}
	return f
}

// firstEvidence keeps what the checks list shows of a failure's evidence: its
// first request, without headers or body, with its note cleaned.
func firstEvidence(e *check.Evidence) *check.Evidence {
	q, ok := e.First()
	if !ok {
		return nil
	}
	q.Headers, q.Phase, q.Note = nil, clean(q.Phase), clean(q.Note)
	return &check.Evidence{Requests: []check.RequestEvidence{q}}
}
