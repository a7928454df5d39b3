package headers

import (
	"slices"
	"strings"
	"time"
)

// Convention is a family of rate-limit response headers, named as a scenario
// file names it ("x-ratelimit"). Everything known about a convention (its
// default names, its reset format, how it is read and sniffed, whether a
// scenario may declare it) is one row of the conventions table, in a file of
// its own; adding a convention is that file and that row.
type Convention string

// ConventionAuto asks Read to sniff the convention of each response with
// AutoConvention; "" means the same. It is no row of the table.
const ConventionAuto Convention = "auto"

// conventionInfo is one row of the conventions table.
type conventionInfo struct {
	name Convention
	// names are the default Limit, Remaining and Reset names as documented
	// ("X-RateLimit-Limit"); zero when the convention has no counter headers.
	names Names
	// fields are the fixed fields a convention without counters reads, as
	// documented ("RateLimit", "RateLimit-Policy").
	fields []string
	// reset is the reset format when the scenario does not say: "" means auto.
	reset ResetFormat
	// declarable says a scenario file may declare the convention.
	declarable bool
	// rank orders AutoConvention's preference: the higher wins; 0 is never sniffed.
	rank int
	// read is how it reads a response's claims.
	read readWay
}

// readWay is how a convention reads a response's claims: a kind rather than
// a function, so that Read calls the reader's methods directly and its
// reader stays on the stack (through a function value it escaped to the
// heap, an allocation for every response read).
type readWay uint8

const (
	readsNothing    readWay = iota
	readsCounters           // Limit, Remaining and Reset counters
	readsDraft              // the counters, then the draft's window
	readsStructured         // the structured RateLimit and RateLimit-Policy fields
)

// conventions is the table: one row per convention, in the order a scenario's
// error messages list them.
var conventions = []*conventionInfo{
	&noneConvention,
	&xRateLimitConvention,
	&draftConvention,
	&structuredConvention,
	&xRateLimitDashedConvention,
	&vendorConvention,
}

// info returns c's row, or nil for a convention the table does not have.
func (c Convention) info() *conventionInfo {
	for _, ci := range conventions {
		if ci.name == c {
			return ci
		}
	}
	return nil
}

// Declarable returns the conventions a scenario may declare, in table order.
func Declarable() []Convention {
	var cs []Convention
	for _, ci := range conventions {
		if ci.declarable {
			cs = append(cs, ci.name)
		}
	}
	return cs
}

// DefaultNames returns c's Limit, Remaining and Reset names as documented
// ("X-RateLimit-Limit"); all "" for a convention without counter headers.
func (c Convention) DefaultNames() Names {
	if ci := c.info(); ci != nil {
		return ci.names
	}
	return Names{}
}

// HasCounters reports whether c sends Limit, Remaining and Reset as headers of
// their own, whose names a scenario may set.
func (c Convention) HasCounters() bool {
	ci := c.info()
	return ci != nil && ci.read != readsNothing && ci.fields == nil
}

// Fields returns the fixed fields a convention without counters reads, as
// documented ("RateLimit", "RateLimit-Policy"); nil otherwise.
func (c Convention) Fields() []string {
	if ci := c.info(); ci != nil {
		return slices.Clone(ci.fields)
	}
	return nil
}

// DefaultResetFormat is the reset format of c when a scenario does not say:
// ResetDeltaSeconds where the convention fixes it, else ResetAuto.
func (c Convention) DefaultResetFormat() ResetFormat {
	if ci := c.info(); ci != nil && ci.reset != "" {
		return ci.reset
	}
	return ResetAuto
}

// Names are the Limit, Remaining and Reset header names. A "" name takes the
// convention's default; with ConventionVendor a "" name is not read.
type Names struct {
	Limit, Remaining, Reset string
	// Suffix, when set, is appended to the default names with a dash, for
	// per-window headers: Suffix "Minute" reads X-RateLimit-Limit-Minute. Names
	// given explicitly are used as they are.
	Suffix string
}

// defaults are the default names of the counter conventions in canonical form
// (the form observations record), so that the usual lookup is one map access.
var defaults = canonicalDefaults()

func canonicalDefaults() map[Convention]Names {
	m := map[Convention]Names{}
	for _, ci := range conventions {
		if n := ci.names; n != (Names{}) {
			m[ci.name] = Names{Limit: Canonical(n.Limit), Remaining: Canonical(n.Remaining), Reset: Canonical(n.Reset)}
		}
	}
	return m
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
// names present (in any case), preferring the most precise (the highest rank
// in the table): the structured RateLimit or RateLimit-Policy field, then
// RateLimit-Limit/Remaining/Reset, then X-RateLimit-*, then X-Rate-Limit-*.
// Per-window names (X-RateLimit-Limit-Minute) count for their convention. With
// none of them it returns ConventionNone.
func AutoConvention(h map[string]string) Convention {
	best := &noneConvention
	for k := range h {
		if ci := ownerOf(k); ci.rank > best.rank {
			best = ci
		}
	}
	return best.name
}

// ownerOf returns the highest-ranked convention that owns the header name, or
// the none convention.
func ownerOf(name string) *conventionInfo {
	best := &noneConvention
	for _, ci := range conventions {
		if ci.rank > best.rank && ci.owns(name) {
			best = ci
		}
	}
	return best
}

// Sniffer is AutoConvention remembering the convention each header name
// belongs to: a run's responses repeat a few names, so each is matched
// against the table once. The zero Sniffer is ready; it is not safe for
// concurrent use.
type Sniffer struct {
	owners map[string]*conventionInfo
	// names are the header names of the last headers sniffed (at most
	// sniffedLast of them), and conv their convention: responses in a row
	// carry the same names, and the convention depends on the names alone.
	names []string
	conv  Convention
}

// sniffedLast is the most names of the last headers a Sniffer keeps to
// compare the next with.
const sniffedLast = 8

// sniffedNames caps the names a Sniffer remembers; others are matched each
// time they come.
const sniffedNames = 256

// Convention is AutoConvention(h).
func (s *Sniffer) Convention(h map[string]string) Convention {
	if s.names != nil && s.sameNames(h) {
		return s.conv
	}
	best := &noneConvention
	for k := range h {
		if ci := s.owner(k); ci.rank > best.rank {
			best = ci
		}
	}
	s.names, s.conv = s.names[:0], best.name
	if len(h) <= sniffedLast {
		for k := range h {
			s.names = append(s.names, k)
		}
	} else {
		s.names = nil
	}
	return best.name
}

// sameNames reports whether h has exactly the names of the last headers
// sniffed: as many, and each of those.
func (s *Sniffer) sameNames(h map[string]string) bool {
	if len(h) != len(s.names) {
		return false
	}
	for _, k := range s.names {
		if _, ok := h[k]; !ok {
			return false
		}
	}
	return true
}

// owner is ownerOf(name), remembered.
func (s *Sniffer) owner(name string) *conventionInfo {
	if ci, ok := s.owners[name]; ok {
		return ci
	}
	ci := ownerOf(name)
	if s.owners == nil {
		s.owners = make(map[string]*conventionInfo)
	}
	if len(s.owners) < sniffedNames {
		s.owners[name] = ci
	}
	return ci
}

// names_ reports whether a header name belongs to the convention: one of its
// fixed fields, or one of its counters with or without a per-window suffix.
func (ci *conventionInfo) owns(name string) bool {
	for _, f := range ci.fields {
		if strings.EqualFold(name, f) {
			return true
		}
	}
	if ci.names.Limit == "" {
		return false
	}
	prefix, _ := strings.CutSuffix(ci.names.Limit, "Limit")
	return counterName(name, prefix)
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

// Canonical writes a header name as observations record it (the form of
// net/http's CanonicalHeaderKey): "X-RateLimit-Remaining" becomes
// "X-Ratelimit-Remaining".
func Canonical(name string) string {
	b := []byte(name)
	upper := true
	for i, c := range b {
		switch {
		case upper && 'a' <= c && c <= 'z':
			b[i] = c - ('a' - 'A')
		case !upper && 'A' <= c && c <= 'Z':
			b[i] = c + ('a' - 'A')
		}
		upper = c == '-'
	}
	return string(b)
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
