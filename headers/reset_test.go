package headers

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// at is a response receive time: Unix 1700000000.250, 2023-11-14T22:13:20.25Z.
var at = time.Unix(1700000000, 250_000_000).UTC()

// epoch is at without its fraction.
var epoch = time.Unix(1700000000, 0).UTC()

// detectTests are the cases of TestDetectResetFormat, also the seeds of the fuzz tests.
var detectTests = []struct {
	in     string
	want   ResetFormat
	wantOK bool
}{
	{"0", ResetDeltaSeconds, true},
	{"30", ResetDeltaSeconds, true},
	{" 60 ", ResetDeltaSeconds, true},
	{"2592000", ResetDeltaSeconds, true},           // a month
	{"315359999", ResetDeltaSeconds, true},         // 10 years - 1 s
	{"315360000", ResetEpochSeconds, true},         // 10 years: 1979-12-30 as epoch
	{"1700000000", ResetEpochSeconds, true},        // GitHub, Twitter/X
	{"99999999999", ResetEpochSeconds, true},       // 1e11 - 1
	{"100000000000", ResetEpochMillis, true},       // 1e11
	{"1700000000000", ResetEpochMillis, true},      // milliseconds now
	{"1.5", ResetDeltaSeconds, true},               // Discord X-RateLimit-Reset-After
	{"64.57", ResetDeltaSeconds, true},             // Discord docs
	{"315359999.9", ResetDeltaSeconds, true},       // below the threshold
	{"315360000.0", ResetEpochFractional, true},    // at the threshold
	{"1470173023.123", ResetEpochFractional, true}, // Discord X-RateLimit-Reset
	{"Tue, 14 Nov 2023 22:13:20 GMT", ResetHTTPDate, true},
	{"Tuesday, 14-Nov-23 22:13:20 GMT", ResetHTTPDate, true},
	{"Tue Nov 14 22:13:20 2023", ResetHTTPDate, true},
	{"2023-11-14T22:13:20Z", ResetRFC3339, true},
	{"2023-11-14T23:13:20.5+01:00", ResetRFC3339, true},
	{"", "", false},
	{"soon", "", false},
	{"-1", "", false},
	{"1e9", "", false},
	{"1.", "", false},
	{".5", "", false},
	{"0x10", "", false},
	{"99999999999999999999", "", false}, // does not fit int64
	{"2023-11-14 22:13:20", "", false},
}

func TestDetectResetFormat(t *testing.T) {
	for _, tt := range detectTests {
		got, ok := DetectResetFormat(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("DetectResetFormat(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

// resetTests are the cases of TestParseReset, also the seeds of the fuzz tests.
var resetTests = []struct {
	name       string
	in         string
	format     ResetFormat
	want       time.Time
	wantFormat ResetFormat
}{
	{"GitHub epoch seconds, auto", "1700000060", ResetAuto, epoch.Add(time.Minute), ResetEpochSeconds},
	{"Twitter/X epoch seconds, declared", "1700000900", ResetEpochSeconds, epoch.Add(15 * time.Minute), ResetEpochSeconds},
	{"empty format is auto", "1700000060", "", epoch.Add(time.Minute), ResetEpochSeconds},
	{"Discord fractional epoch", "1700000001.123", ResetAuto, epoch.Add(1123 * time.Millisecond), ResetEpochFractional},
	{"fractional epoch declared as epoch-seconds", "1700000001.5", ResetEpochSeconds, epoch.Add(1500 * time.Millisecond), ResetEpochSeconds},
	{"epoch-fractional takes an integer", "1700000001", ResetEpochFractional, epoch.Add(time.Second), ResetEpochFractional},
	{"nanosecond fraction, exact", "1700000000.000000001", ResetAuto, epoch.Add(1), ResetEpochFractional},
	{"fraction past nanoseconds is truncated", "1700000000.0000000019", ResetAuto, epoch.Add(1), ResetEpochFractional},
	{"Discord Reset-After fractional delta", "1.5", ResetAuto, at.Add(1500 * time.Millisecond), ResetDeltaSeconds},
	{"delta seconds", "30", ResetDeltaSeconds, at.Add(30 * time.Second), ResetDeltaSeconds},
	{"zero delta is now", "0", ResetAuto, at, ResetDeltaSeconds},
	{"small number declared epoch", "30", ResetEpochSeconds, time.Unix(30, 0).UTC(), ResetEpochSeconds},
	{"big number declared delta", "1700000000", ResetDeltaSeconds, at.Add(1700000000 * time.Second), ResetDeltaSeconds},
	{"epoch millis", "1700000001500", ResetAuto, epoch.Add(1500 * time.Millisecond), ResetEpochMillis},
	{"epoch millis declared", "1700000001500", ResetEpochMillis, epoch.Add(1500 * time.Millisecond), ResetEpochMillis},
	{"IMF-fixdate", "Tue, 14 Nov 2023 22:14:20 GMT", ResetAuto, epoch.Add(time.Minute), ResetHTTPDate},
	{"RFC 850 date", "Tuesday, 14-Nov-23 22:14:20 GMT", ResetHTTPDate, epoch.Add(time.Minute), ResetHTTPDate},
	{"asctime date", "Tue Nov 14 22:14:20 2023", ResetAuto, epoch.Add(time.Minute), ResetHTTPDate},
	{"asctime one-digit day", "Thu Nov  2 22:13:20 2023", ResetAuto, epoch.AddDate(0, 0, -12), ResetHTTPDate},
	{"RFC 3339 UTC", "2023-11-14T22:14:20Z", ResetAuto, epoch.Add(time.Minute), ResetRFC3339},
	{"RFC 3339 offset and fraction", "2023-11-14T23:14:20.5+01:00", ResetRFC3339, epoch.Add(60500 * time.Millisecond), ResetRFC3339},
	{"last epoch second", "253402300799", ResetEpochSeconds, time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), ResetEpochSeconds},
	{"last epoch millisecond", "253402300799999", ResetAuto, time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC), ResetEpochMillis},
	{"surrounding whitespace", " \t1700000060 ", ResetAuto, epoch.Add(time.Minute), ResetEpochSeconds},
	// As captured from the libraries in internal/thirdparty at Unix 1796406222.
	{"go-chi/httprate and ulule/limiter", "1796406223", ResetEpochSeconds, time.Unix(1796406223, 0).UTC(), ResetEpochSeconds},
	{"tollbooth RateLimit-Reset", "1", ResetDeltaSeconds, at.Add(time.Second), ResetDeltaSeconds},
	{"fractional epoch, milliseconds", "1700000000.250", ResetAuto, at, ResetEpochFractional},
}

// resetLenientTests are reset values real limiters send that their format's
// standard does not allow: read, with a warning. Also seeds of the fuzz tests.
var resetLenientTests = []struct {
	name   string
	in     string
	format ResetFormat
	want   time.Time
	reason string
}{
	{"sethvargo/go-limiter X-RateLimit-Reset", "Fri, 04 Dec 2026 17:43:43 UTC", ResetHTTPDate,
		time.Date(2026, 12, 4, 17, 43, 43, 0, time.UTC), `says "UTC" where an HTTP-date says "GMT"`},
	{"UTC date, auto", "Tue, 14 Nov 2023 22:14:20 UTC", ResetAuto, epoch.Add(time.Minute), `says "UTC"`},
	{"numeric zone", "Tue, 14 Nov 2023 23:14:20 +0100", ResetAuto, epoch.Add(time.Minute), "numeric zone"},
	{"RFC 850 with a four-digit year", "Tuesday, 14-Nov-2023 22:14:20 GMT", ResetHTTPDate, epoch.Add(time.Minute), "four-digit year"},
}

func TestParseResetLenient(t *testing.T) {
	for _, tt := range resetLenientTests {
		t.Run(tt.name, func(t *testing.T) {
			got, f, w, err := ParseReset(tt.in, tt.format, at)
			if err != nil {
				t.Fatalf("ParseReset(%q, %q) error: %v; want a lenient read", tt.in, tt.format, err)
			}
			if !got.Equal(tt.want) || f != ResetHTTPDate || got.Location() != time.UTC {
				t.Errorf("ParseReset(%q, %q) = %v, %q; want %v in UTC, http-date", tt.in, tt.format, got, f, tt.want)
			}
			if w == nil || w.Value != tt.in || !strings.Contains(w.String(), tt.reason) {
				t.Errorf("ParseReset(%q) warning = %v; want one about the value containing %q", tt.in, w, tt.reason)
			}
		})
	}
}

func TestParseReset(t *testing.T) {
	for _, tt := range resetTests {
		t.Run(tt.name, func(t *testing.T) {
			got, f, w, err := ParseReset(tt.in, tt.format, at)
			if err != nil || w != nil {
				t.Fatalf("ParseReset(%q, %q) warning %v, error %v; want neither", tt.in, tt.format, w, err)
			}
			if !got.Equal(tt.want) || f != tt.wantFormat {
				t.Errorf("ParseReset(%q, %q) = %v, %q; want %v, %q", tt.in, tt.format, got, f, tt.want, tt.wantFormat)
			}
		})
	}
}

// resetErrorTests are the cases of TestParseResetErrors, also the seeds of the fuzz tests.
var resetErrorTests = []struct {
	in     string
	format ResetFormat
	want   string
}{
	{"soon", ResetAuto, `"soon" is not a number, date or RFC 3339 time`},
	{"", ResetAuto, `"" is not a number, date or RFC 3339 time`},
	{"-5", ResetDeltaSeconds, `"-5" is not delta-seconds (want a non-negative number of seconds, e.g. "30")`},
	{"1.", ResetDeltaSeconds, `"1." is not delta-seconds (want a non-negative number of seconds, e.g. "30")`},
	{"99999999999999", ResetDeltaSeconds, `"99999999999999" is not delta-seconds (want a non-negative number of seconds, e.g. "30")`},
	{"2023-11-14T22:14:20Z", ResetEpochSeconds, `"2023-11-14T22:14:20Z" is not epoch seconds (want e.g. "1700000000")`},
	{"1700000001.5", ResetEpochMillis, `"1700000001.5" is not epoch milliseconds (want e.g. "1700000000000")`},
	{"1700000000", ResetHTTPDate, `"1700000000" is not an HTTP-date (want e.g. "Tue, 14 Nov 2023 22:13:20 GMT")`},
	{"Tue, 14 Nov 2023 22:14:20 PST", ResetHTTPDate, `is not an HTTP-date`},
	{"Tue, 14 Nov 2023 22:14:20 GMT", ResetRFC3339, `is not an RFC 3339 time (want e.g. "2023-11-14T22:13:20Z")`},
	{"253402300800", ResetEpochSeconds, `"253402300800" is not epoch seconds`},    // 10000-01-01
	{"9223372036854775807", ResetEpochFractional, `is not epoch seconds`},         // would overflow time.Time
	{"253402300800000", ResetAuto, `"253402300800000" is not epoch milliseconds`}, // 10000-01-01
	{"1700000000", "weekly", `unknown reset format "weekly"`},
}

func TestParseResetErrors(t *testing.T) {
	for _, tt := range resetErrorTests {
		got, f, _, err := ParseReset(tt.in, tt.format, at)
		if err == nil {
			t.Errorf("ParseReset(%q, %q) = %v, %q; want an error", tt.in, tt.format, got, f)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, tt.want) {
			t.Errorf("ParseReset(%q, %q) error = %q; want it to contain %q", tt.in, tt.format, msg, tt.want)
		}
	}
}

func TestErrorNamesHeaderAndShortensValue(t *testing.T) {
	_, _, _, err := ParseReset("soon", ResetAuto, at)
	if got, want := named(err, "X-RateLimit-Reset").Error(), `X-RateLimit-Reset: "soon" is not a number, date or RFC 3339 time`; got != want {
		t.Errorf("named error = %q; want %q", got, want)
	}
	long := "é" + string(make([]byte, 100))
	_, _, _, err = ParseReset(long, ResetAuto, at)
	var e *Error
	if !errors.As(err, &e) || e.Value != long {
		t.Fatalf("ParseReset(long) error = %v; want an *Error holding the whole value", err)
	}
	if msg := err.Error(); len(msg) > maxQuoted*4+60 || !strings.Contains(msg, "…") {
		t.Errorf("ParseReset(long) error = %q; want the value quoted short with …", msg)
	}
}
