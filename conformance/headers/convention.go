package headers

import (
	"strings"
	"time"
)

// Convention is a family of rate-limit response headers. Its values are those
// of scenarios.Convention, plus "x-rate-limit", "vendor" and "auto".
type Convention string

// The conventions Read understands.
const (
	ConventionAuto             Convention = "auto"         // sniffed per response by AutoConvention; "" means the same
	ConventionNone             Convention = "none"         // no rate-limit headers
	ConventionXRateLimit       Convention = "x-ratelimit"  // X-RateLimit-Limit/Remaining/Reset (GitHub, Discord, ...)
	ConventionXRateLimitDashed Convention = "x-rate-limit" // X-Rate-Limit-Limit/Remaining/Reset (Twitter/X)
	ConventionDraft            Convention = "ratelimit"    // RateLimit-Limit/Remaining/Reset (IETF drafts up to 06)
	ConventionStructured       Convention = "structured"   // RateLimit and RateLimit-Policy (IETF drafts 07 and later)
	ConventionVendor           Convention = "vendor"       // no default names: Names says them all
)

// The structured fields and Retry-After, in canonical form (the form in which
// observations record them, so the common lookup hits the map directly).
const (
	fieldRateLimit  = "Ratelimit"
	fieldPolicy     = "Ratelimit-Policy"
	fieldRetryAfter = "Retry-After"
)

// Names are the Limit, Remaining and Reset header names. A "" name takes the
// convention's default; with ConventionVendor a "" name is not read.
type Names struct {
	Limit, Remaining, Reset string
	// Suffix, when set, is appended to the default names with a dash, for
	// per-window headers: Suffix "Minute" reads X-RateLimit-Limit-Minute. Names
	// given explicitly are used as they are.
	Suffix string
}

// defaults are the default Limit, Remaining and Reset names of the counter
// conventions, canonical, so that the usual lookup is one map access.
var defaults = map[Convention]Names{
	ConventionXRateLimit:       {Limit: "X-Ratelimit-Limit", Remaining: "X-Ratelimit-Remaining", Reset: "X-Ratelimit-Reset"},
	ConventionXRateLimitDashed: {Limit: "X-Rate-Limit-Limit", Remaining: "X-Rate-Limit-Remaining", Reset: "X-Rate-Limit-Reset"},
	ConventionDraft:            {Limit: "Ratelimit-Limit", Remaining: "Ratelimit-Remaining", Reset: "Ratelimit-Reset"},
}

// resolve fills the defaults of the convention into n.
func (n Names) resolve(c Convention) Names {
	def, ok := defaults[c]
	if !ok {
		return n
	}
	if n.Suffix != "" {
		def.Limit += "-" + n.Suffix
		def.Remaining += "-" + n.Suffix
		def.Reset += "-" + n.Suffix
	}
	if n.Limit == "" {
		n.Limit = def.Limit
	}
	if n.Remaining == "" {
		n.Remaining = def.Remaining
	}
	if n.Reset == "" {
		n.Reset = def.Reset
	}
	return n
}

// SuffixFor returns the per-window name suffixes that servers use for a limit
// with this window, as in Kong's X-RateLimit-Limit-Minute: {"Second"} for 1s,
// {"Minute"} for 1m, {"Hour"} for 1h, {"Day"} for 24h, {"Month"} for 28 to 31
// days and {"Year"} for 365 or 366 days. Other windows have none (nil).
func SuffixFor(window time.Duration) []string {
	const day = 24 * time.Hour
	switch {
	case window == time.Second:
		return []string{"Second"}
	case window == time.Minute:
		return []string{"Minute"}
	case window == time.Hour:
		return []string{"Hour"}
	case window == day:
		return []string{"Day"}
	case window >= 28*day && window <= 31*day && window%day == 0:
		return []string{"Month"}
	case window == 365*day || window == 366*day:
		return []string{"Year"}
	}
	return nil
}

// AutoConvention sniffs which convention a response's headers follow, by the
// names present (in any case), preferring the most precise: the structured
// RateLimit or RateLimit-Policy field, then RateLimit-Limit/Remaining/Reset, then
// X-RateLimit-*, then X-Rate-Limit-*. Per-window names (X-RateLimit-Limit-Minute)
// count for their convention. With none of them it returns ConventionNone.
func AutoConvention(h map[string]string) Convention {
	best := ConventionNone
	for k := range h {
		if c := conventionOf(k); rank(c) > rank(best) {
			best = c
		}
	}
	return best
}

// conventionOf says which convention a header name belongs to, if any.
func conventionOf(name string) Convention {
	switch {
	case strings.EqualFold(name, fieldRateLimit), strings.EqualFold(name, fieldPolicy):
		return ConventionStructured
	case counterName(name, "Ratelimit-"):
		return ConventionDraft
	case counterName(name, "X-Ratelimit-"):
		return ConventionXRateLimit
	case counterName(name, "X-Rate-Limit-"):
		return ConventionXRateLimitDashed
	}
	return ConventionNone
}

// counterName reports whether name is prefix followed by Limit, Remaining or
// Reset, optionally with a per-window suffix, in any case.
func counterName(name, prefix string) bool {
	if len(name) < len(prefix) || !strings.EqualFold(name[:len(prefix)], prefix) {
		return false
	}
	rest := name[len(prefix):]
	for _, c := range [...]string{"Limit", "Remaining", "Reset"} {
		if len(rest) >= len(c) && strings.EqualFold(rest[:len(c)], c) &&
			(len(rest) == len(c) || rest[len(c)] == '-') {
			return true
		}
	}
	return false
}

func rank(c Convention) int {
	switch c {
	case ConventionStructured:
		return 4
	case ConventionDraft:
		return 3
	case ConventionXRateLimit:
		return 2
	case ConventionXRateLimitDashed:
		return 1
	}
	return 0
}

// lookup returns the value of the named header, matching the name in any case.
// The exact name is tried first, so canonical names cost one map access.
func lookup(h map[string]string, name string) (key, value string, ok bool) {
	if name == "" {
		return "", "", false
	}
	if v, ok := h[name]; ok {
		return name, v, true
	}
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return k, v, true
		}
	}
	return "", "", false
}
