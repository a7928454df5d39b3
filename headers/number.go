package headers

import (
	"math"
	"strings"
	"time"
)

// trimOWS removes the optional whitespace (spaces and tabs, RFC 9110) around a
// field value. It is strings.Trim(s, " \t") without building a cutset.
func trimOWS(s string) string {
	for s != "" && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for s != "" && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// ParseCount parses a Limit or Remaining value: a non-negative decimal integer
// such as "5000". Surrounding whitespace is ignored.
//
// Early drafts of the IETF fields (and servers that copy them) send a list in
// RateLimit-Limit: the current limit first, then quota policies, as in
// "100, 100;w=60" or "10, 10;w=1, 50;w=60". ParseCount takes the first member of
// such a list; ParsePolicy reads the whole list. A field sent twice and joined
// with ", " ("100, 100") reads the same way.
func ParseCount(v string) (int64, error) {
	s := trimOWS(v)
	if n, ok := parseUint(s); ok {
		return n, nil
	}
	if strings.ContainsAny(s, ",;") {
		if items, err := ParseList(s); err == nil && len(items) > 0 {
			if n, ok := items[0].Value.(int64); ok && n >= 0 {
				return n, nil
			}
		}
	}
	return 0, errorf(v, "is not a non-negative integer")
}

// ParseUsedOfLimit parses a "used/limit" pair such as Shopify's
// X-Shopify-Shop-Api-Call-Limit: 32/40 (32 of a bucket of 40 used). Both are
// non-negative integers; used may exceed limit (a server that over-admits says
// so), and the caller decides what that means.
func ParseUsedOfLimit(v string) (used, limit int64, err error) {
	a, b, ok := strings.Cut(trimOWS(v), "/")
	used, okA := parseUint(trimOWS(a))
	limit, okB := parseUint(trimOWS(b))
	if !ok || !okA || !okB {
		return 0, 0, errorf(v, `is not "used/limit" (want e.g. "32/40")`)
	}
	return used, limit, nil
}

// parseUint parses 1*DIGIT into an int64; false when s is not all digits or the
// number does not fit.
func parseUint(s string) (int64, bool) {
	if s == "" || len(s) > 19 {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if n > math.MaxInt64 {
		return 0, false
	}
	return int64(n), true
}

// seconds is a non-negative number of seconds with up to nanosecond precision,
// as parsed from "1470173023" or "1470173023.123" without floating-point error.
type seconds struct {
	whole int64 // whole seconds
	nanos int64 // fraction, in nanoseconds: 0 ≤ nanos < 1e9
	frac  bool  // the value was written with a decimal point
}

// parseSeconds parses 1*DIGIT ["." 1*DIGIT]. Fraction digits past the ninth are
// dropped (truncated toward zero).
func parseSeconds(s string) (seconds, bool) {
	w, f, hasDot := strings.Cut(s, ".")
	whole, ok := parseUint(w)
	if !ok || (hasDot && f == "") {
		return seconds{}, false
	}
	var nanos int64
	for i := 0; i < len(f); i++ {
		if !isDigit(f[i]) {
			return seconds{}, false
		}
		if i < 9 {
			nanos = nanos*10 + int64(f[i]-'0')
		}
	}
	for i := len(f); i < 9; i++ {
		nanos *= 10
	}
	return seconds{whole: whole, nanos: nanos, frac: hasDot}, true
}

// duration returns s as a Duration; false when it is longer than Duration holds
// (about 292 years).
func (s seconds) duration() (time.Duration, bool) {
	const maxWhole = math.MaxInt64/int64(time.Second) - 1
	if s.whole > maxWhole {
		return 0, false
	}
	return time.Duration(s.whole)*time.Second + time.Duration(s.nanos), true
}
