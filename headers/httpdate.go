package headers

import "time"

// The three HTTP-date forms of RFC 9110 section 5.6.7, the same layouts that
// net/http.ParseTime accepts. Senders must use the first; recipients must accept
// all three.
const (
	imfFixdate = "Mon, 02 Jan 2006 15:04:05 GMT"  // Sun, 06 Nov 1994 08:49:37 GMT
	rfc850Date = "Monday, 02-Jan-06 15:04:05 GMT" // Sunday, 06-Nov-94 08:49:37 GMT
	asctime    = "Mon Jan _2 15:04:05 2006"       // Sun Nov  6 08:49:37 1994
)

// lenientDates are dates that real limiters send where an HTTP-date belongs,
// though RFC 9110 allows none of them, and how each strays. They are read, with
// a warning: the instant they name is unambiguous.
var lenientDates = []struct{ layout, reason string }{
	// Go's time.RFC1123 of a time in UTC: go-chi/httprate, sethvargo/go-limiter,
	// tollbooth and other Go servers write this.
	{"Mon, 02 Jan 2006 15:04:05 UTC", `says "UTC" where an HTTP-date says "GMT" (RFC 9110 section 5.6.7)`},
	// Go's time.RFC1123Z, and RFC 5322 dates as e-mail writes them.
	{"Mon, 02 Jan 2006 15:04:05 -0700", `has a numeric zone where an HTTP-date says "GMT" (RFC 9110 section 5.6.7)`},
	// RFC 850 with a four-digit year.
	{"Monday, 02-Jan-2006 15:04:05 GMT", `is an RFC 850 date with a four-digit year, not an HTTP-date (RFC 9110 section 5.6.7)`},
}

// parseHTTPDate parses an HTTP-date in any of its three forms, or leniently
// one of lenientDates, saying why in reason. The two-digit year of the obsolete
// RFC 850 form is resolved against at as RFC 9110 asks: a date that would be
// more than 50 years after at is taken from the century before. Times come back
// in UTC.
func parseHTTPDate(s string, at time.Time) (t time.Time, reason string, ok bool) {
	if t, err := time.Parse(imfFixdate, s); err == nil {
		return t, "", true
	}
	if t, err := time.Parse(asctime, s); err == nil {
		return t, "", true
	}
	if t, err := time.Parse(rfc850Date, s); err == nil {
		return resolveCentury(t, at), "", true
	}
	for _, d := range lenientDates {
		if t, err := time.Parse(d.layout, s); err == nil && t.Year() <= 9999 {
			return t.UTC(), d.reason, true
		}
	}
	return time.Time{}, "", false
}

// resolveCentury moves t, whose year was written with two digits, into the
// century where it lies at most 50 years after at and as late as possible.
func resolveCentury(t, at time.Time) time.Time {
	if at.IsZero() {
		return t
	}
	y := at.Year()/100*100 + t.Year()%100
	t = t.AddDate(y-t.Year(), 0, 0)
	limit := at.AddDate(50, 0, 0)
	if t.After(limit) {
		return t.AddDate(-100, 0, 0)
	}
	if next := t.AddDate(100, 0, 0); !next.After(limit) {
		return next
	}
	return t
}

// fractionReason is the warning for delay-seconds written with a fraction.
const fractionReason = "has a fraction where delay-seconds are whole seconds (RFC 9110 section 10.2.3)"

// ParseRetryAfter parses a Retry-After value (RFC 9110 section 10.2.3) and
// returns how long after at the server asks the client to wait:
//
//   - delay-seconds, a non-negative integer: "120" is 2 minutes. Signs and
//     units are errors. A fraction ("0.5", Shopify's "2.0") is read, with a
//     warning, since RFC 9110 allows only 1*DIGIT.
//   - an HTTP-date in any of its three forms: the wait is the date minus at,
//     exact to the nanosecond of at. A date at or before at means "retry now"
//     and gives 0, not an error: it is what a client would do, and a check that
//     compares the wait with the real recovery time still sees it is too short.
//     The dates of lenientDates ("… UTC", numeric zones) are read with a warning.
//
// The warning is nil for a value in its standard form. A value too large for a
// Duration (about 292 years) is an error.
func ParseRetryAfter(v string, at time.Time) (time.Duration, *Warning, error) {
	s := trimOWS(v)
	if n, ok := parseSeconds(s); ok {
		d, ok := n.duration()
		if !ok {
			return 0, nil, errorf(v, "is more delay-seconds than a duration holds")
		}
		if n.frac {
			return d, warnf(v, fractionReason), nil
		}
		return d, nil, nil
	}
	if isAllDigits(s) {
		return 0, nil, errorf(v, "is more delay-seconds than a duration holds")
	}
	t, reason, ok := parseHTTPDate(s, at)
	if !ok {
		return 0, nil, errorf(v, `is not delay-seconds or an HTTP-date (want e.g. "30" or "Tue, 14 Nov 2023 22:13:20 GMT")`)
	}
	return max(0, t.Sub(at)), warnf(v, reason), nil
}

func isAllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}
