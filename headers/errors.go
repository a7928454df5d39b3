package headers

import (
	"strconv"
	"unicode/utf8"
)

// maxQuoted is how many bytes of a bad value an error message quotes.
const maxQuoted = 64

// Error is a header value that could not be read. Its message quotes the raw
// value (shortened when long), for example
//
//	X-RateLimit-Reset: "soon" is not a number, date or RFC 3339 time
type Error struct {
	Header string // field name; "" when a parser was called on a bare value
	Value  string // the value as received
	Reason string // what is wrong with it, as the end of a sentence
}

// Error returns `Header: "value" reason`, or `"value" reason` without a header.
func (e *Error) Error() string {
	q := quote(e.Value)
	if e.Header == "" {
		return q + " " + e.Reason
	}
	return e.Header + ": " + q + " " + e.Reason
}

// errorf returns an *Error about value v with no header name yet.
func errorf(v, reason string) *Error {
	return &Error{Value: v, Reason: reason}
}

// named returns err with its header name set, when it is an *Error.
func named(err error, header string) error {
	if e, ok := err.(*Error); ok {
		c := *e
		c.Header = header
		return &c
	}
	return err
}

// quote returns v in Go quotes, cut at a rune boundary after maxQuoted bytes.
func quote(v string) string {
	if len(v) <= maxQuoted {
		return strconv.Quote(v)
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut--
	}
	return strconv.Quote(v[:cut]) + "…"
}

// Warning is a value read leniently: readable, but not in the form its
// standard asks for. Checks show it in their evidence and never fail on it. It
// prints like Error, for example
//
//	Retry-After: "Sun, 22 Nov 2026 15:05:59 UTC" says "UTC" where an HTTP-date says "GMT" (RFC 9110 section 5.6.7)
type Warning struct {
	Header string // field name; "" when a parser was called on a bare value
	Value  string // the value as received
	Reason string // how it strays from the standard, as the end of a sentence
}

// String returns `Header: "value" reason`, or `"value" reason` without a header.
func (w *Warning) String() string {
	return (&Error{Header: w.Header, Value: w.Value, Reason: w.Reason}).Error()
}

// warnf returns a *Warning about value v with no header name yet; nil when
// reason is "".
func warnf(v, reason string) *Warning {
	if reason == "" {
		return nil
	}
	return &Warning{Value: v, Reason: reason}
}
