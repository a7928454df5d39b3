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

// parseHTTPDate parses an HTTP-date in any of its three forms. The two-digit year
// of the obsolete RFC 850 form is resolved against at as RFC 9110 asks: a date
// that would be more than 50 years after at is taken from the century before.
func parseHTTPDate(s string, at time.Time) (time.Time, bool) {
	if t, err := time.Parse(imfFixdate, s); err == nil {
		return t, true
	}
	if t, err := time.Parse(asctime, s); err == nil {
		return t, true
	}
	t, err := time.Parse(rfc850Date, s)
	if err != nil {
		return time.Time{}, false
	}
	return resolveCentury(t, at), true
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

// ParseRetryAfter parses a Retry-After value (RFC 9110 section 10.2.3) and
// returns how long after at the server asks the client to wait:
//
//   - delay-seconds, a non-negative integer: "120" is 2 minutes. Fractions,
//     signs and units are errors, since RFC 9110 allows only 1*DIGIT.
//   - an HTTP-date in any of its three forms: the wait is the date minus at,
//     exact to the nanosecond of at. A date at or before at means "retry now"
//     and gives 0, not an error: it is what a client would do, and a check that
//     compares the wait with the real recovery time still sees it is too short.
//
// A value too large for a Duration (about 292 years) is an error.
func ParseRetryAfter(v string, at time.Time) (time.Duration, error) {
	s := trimOWS(v)
	if n, ok := parseUint(s); ok {
		if d, ok := (seconds{whole: n}).duration(); ok {
			return d, nil
		}
		return 0, errorf(v, "is more delay-seconds than a duration holds")
	}
	if isAllDigits(s) {
		return 0, errorf(v, "is more delay-seconds than a duration holds")
	}
	t, ok := parseHTTPDate(s, at)
	if !ok {
		return 0, errorf(v, `is not delay-seconds or an HTTP-date (want e.g. "30" or "Tue, 14 Nov 2023 22:13:20 GMT")`)
	}
	return max(0, t.Sub(at)), nil
}

func isAllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}
