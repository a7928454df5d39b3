package headers

import (
	"fmt"
	"time"
)

// ResetFormat is how a reset header encodes when the limit resets. Its values
// are the strings a scenario file uses (scenarios.ResetFormat converts directly).
type ResetFormat string

// The reset formats seen in the wild.
const (
	ResetAuto            ResetFormat = "auto"             // detected per value by DetectResetFormat; "" means the same
	ResetDeltaSeconds    ResetFormat = "delta-seconds"    // seconds from now: "30", Discord's Reset-After "1.5"
	ResetEpochSeconds    ResetFormat = "epoch-seconds"    // Unix seconds: GitHub, Twitter/X "1700000000"
	ResetEpochMillis     ResetFormat = "epoch-millis"     // Unix milliseconds: "1700000000000"
	ResetEpochFractional ResetFormat = "epoch-fractional" // Unix seconds with a fraction: Discord "1700000000.123"
	ResetHTTPDate        ResetFormat = "http-date"        // "Tue, 14 Nov 2023 22:13:20 GMT" (and the 2 obsolete forms)
	ResetRFC3339         ResetFormat = "rfc3339"          // "2023-11-14T22:13:20Z"
)

// Detection thresholds, in the unit of the value. Today's Unix time is about
// 1.7e9 seconds, or 1.7e12 milliseconds; a reset delta is at most a quota period
// (a month is 2.6e6 seconds, a year 3.2e7).
const (
	// maxDeltaSeconds is 10 years of seconds (315,360,000). Below it a number is a
	// delta: no quota period is that long. At it, as Unix seconds, a number is
	// 1979-12-30, before any server that sends these headers existed. So the two
	// readings cannot both be plausible for any value.
	maxDeltaSeconds = 10 * 365 * 24 * 60 * 60
	// minEpochMillis is 1e11. Below it a number is Unix seconds (1e11 seconds is the
	// year 5138); from it on, Unix milliseconds (1e11 ms is 1973-03-03). Seconds
	// now are ~1.7e9 and milliseconds ~1.7e12, so this is their midpoint on a log
	// scale, 1.5 decades from either.
	minEpochMillis = 100_000_000_000
)

// DetectResetFormat guesses the format of a reset value, for scenarios that say
// "auto". It reports false when v is none of the formats.
//
//   - an integer below 10 years of seconds (315,360,000): delta-seconds;
//   - an integer from there to below 1e11: epoch-seconds;
//   - an integer of 1e11 or more: epoch-millis;
//   - a decimal: delta-seconds when its whole part is below 10 years of
//     seconds (Discord's X-RateLimit-Reset-After "1.234"), else epoch-fractional;
//   - an HTTP-date in any of its three forms: http-date;
//   - an RFC 3339 date-time: rfc3339.
//
// The constants maxDeltaSeconds and minEpochMillis explain the thresholds. A
// value is judged alone, so the same value always gets the same format, live or
// when a run is re-analysed.
func DetectResetFormat(v string) (ResetFormat, bool) {
	s := trimOWS(v)
	if n, ok := parseSeconds(s); ok {
		switch {
		case n.whole < maxDeltaSeconds:
			return ResetDeltaSeconds, true
		case n.frac:
			return ResetEpochFractional, true
		case n.whole < minEpochMillis:
			return ResetEpochSeconds, true
		default:
			return ResetEpochMillis, true
		}
	}
	if _, _, ok := parseHTTPDate(s, time.Time{}); ok {
		return ResetHTTPDate, true
	}
	if _, err := time.Parse(time.RFC3339, s); err == nil {
		return ResetRFC3339, true
	}
	return "", false
}

// ParseReset parses a reset value in the given format and returns the instant
// the server says the limit resets, and the format it was read in. at is when the
// response was received: delta-seconds count from it. Format "" or "auto" detects
// the format with DetectResetFormat.
//
// delta-seconds, epoch-seconds and epoch-fractional all accept an integer or a
// decimal (up to nanoseconds); epoch-millis takes an integer. Epoch values past
// the year 9999 are errors. Absolute times come back in UTC. An unknown format is
// an error, as is a value the format cannot read.
//
// The warning is nil for a value in its standard form; an http-date value in
// one of the non-standard forms real servers send ("… UTC", a numeric zone) is
// read with a warning saying how it strays.
func ParseReset(v string, format ResetFormat, at time.Time) (time.Time, ResetFormat, *Warning, error) {
	if format == "" || format == ResetAuto {
		f, ok := DetectResetFormat(v)
		if !ok {
			return time.Time{}, "", nil, errorf(v, "is not a number, date or RFC 3339 time")
		}
		format = f
	}
	fi := format.info()
	if fi == nil {
		return time.Time{}, "", nil, fmt.Errorf("headers: parse reset %s: unknown reset format %q", quote(v), format)
	}
	t, reason, ok := fi.parse(trimOWS(v), at)
	if !ok {
		return time.Time{}, "", nil, errorf(v, "is not "+fi.words)
	}
	return t, format, warnf(v, reason), nil
}

// resetFormatInfo is one row of the reset formats table.
type resetFormatInfo struct {
	name       ResetFormat
	declarable bool   // a scenario file may declare it
	words      string // names the format, with an example, for error messages
	// parse reads a value (without surrounding whitespace) received at at;
	// reason, when not "", says how a value read leniently strays.
	parse func(s string, at time.Time) (t time.Time, reason string, ok bool)
	// relative says the value counts from the server's clock when it answered.
	relative bool
}

// resetFormats is the table, in the order a scenario's error messages list them.
var resetFormats = []resetFormatInfo{
	{name: ResetDeltaSeconds, declarable: true, relative: true, parse: strict(parseDelta),
		words: `delta-seconds (want a non-negative number of seconds, e.g. "30")`},
	{name: ResetEpochSeconds, declarable: true, parse: ignoreAt(parseEpoch),
		words: `epoch seconds (want e.g. "1700000000")`},
	{name: ResetEpochMillis, declarable: true, parse: ignoreAt(parseEpochMillis),
		words: `epoch milliseconds (want e.g. "1700000000000")`},
	{name: ResetHTTPDate, declarable: true, parse: parseHTTPDate,
		words: `an HTTP-date (want e.g. "Tue, 14 Nov 2023 22:13:20 GMT")`},
	{name: ResetRFC3339, declarable: true, parse: ignoreAt(parseRFC3339),
		words: `an RFC 3339 time (want e.g. "2023-11-14T22:13:20Z")`},
	// epoch-fractional is what DetectResetFormat calls a decimal epoch; a
	// scenario declares epoch-seconds, which reads fractions too.
	{name: ResetEpochFractional, parse: ignoreAt(parseEpoch),
		words: `epoch seconds (want e.g. "1700000000.123")`},
}

// ignoreAt adapts a parser of absolute times, which has no lenient forms.
func ignoreAt(f func(string) (time.Time, bool)) func(string, time.Time) (time.Time, string, bool) {
	return func(s string, _ time.Time) (time.Time, string, bool) {
		t, ok := f(s)
		return t, "", ok
	}
}

// strict adapts a parser that has no lenient forms.
func strict(f func(string, time.Time) (time.Time, bool)) func(string, time.Time) (time.Time, string, bool) {
	return func(s string, at time.Time) (time.Time, string, bool) {
		t, ok := f(s, at)
		return t, "", ok
	}
}

// info returns f's row, or nil for a format the table does not have.
func (f ResetFormat) info() *resetFormatInfo {
	for i := range resetFormats {
		if resetFormats[i].name == f {
			return &resetFormats[i]
		}
	}
	return nil
}

// DeclarableResetFormats returns the reset formats a scenario may declare,
// ResetAuto first.
func DeclarableResetFormats() []ResetFormat {
	fs := []ResetFormat{ResetAuto}
	for _, fi := range resetFormats {
		if fi.declarable {
			fs = append(fs, fi.name)
		}
	}
	return fs
}

// Relative reports whether a reset in format f counts from the moment the
// server answered (delta-seconds) rather than naming an instant.
func (f ResetFormat) Relative() bool {
	fi := f.info()
	return fi != nil && fi.relative
}

func parseDelta(s string, at time.Time) (time.Time, bool) {
	n, ok := parseSeconds(s)
	if !ok {
		return time.Time{}, false
	}
	d, ok := n.duration()
	return at.Add(d), ok
}

// maxEpoch is 9999-12-31T23:59:59Z in Unix seconds: later epoch values are
// refused, since a time.Time past the year 9999 has no RFC 3339 or JSON form
// (and Unix seconds near the int64 limit overflow time.Time).
const maxEpoch = 253402300799

func parseEpoch(s string) (time.Time, bool) {
	n, ok := parseSeconds(s)
	if !ok || n.whole > maxEpoch {
		return time.Time{}, false
	}
	return time.Unix(n.whole, n.nanos).UTC(), true
}

func parseEpochMillis(s string) (time.Time, bool) {
	n, ok := parseUint(s)
	if !ok || n/1000 > maxEpoch {
		return time.Time{}, false
	}
	return time.UnixMilli(n).UTC(), true
}

func parseRFC3339(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}
