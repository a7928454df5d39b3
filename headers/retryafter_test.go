package headers

import (
	"strings"
	"testing"
	"time"
)

// retryAfterTests are the cases of TestParseRetryAfter, also the seeds of the fuzz tests.
var retryAfterTests = []struct {
	name string
	in   string
	at   time.Time
	want time.Duration
}{
	{"delay-seconds", "120", at, 2 * time.Minute},
	{"zero", "0", at, 0},
	{"whitespace", " 1\t", at, time.Second},
	{"leading zeros", "007", at, 7 * time.Second},
	{"IMF-fixdate", "Tue, 14 Nov 2023 22:13:30 GMT", at, 9750 * time.Millisecond},
	{"RFC 850", "Tuesday, 14-Nov-23 22:13:30 GMT", at, 9750 * time.Millisecond},
	{"asctime", "Tue Nov 14 22:13:30 2023", at, 9750 * time.Millisecond},
	{"date in the past is retry now", "Tue, 14 Nov 2023 22:13:00 GMT", at, 0},
	{"date in the same second, before at", "Tue, 14 Nov 2023 22:13:20 GMT", at, 0},
	{"RFC 9110 example", "Fri, 31 Dec 1999 23:59:59 GMT", time.Date(1999, 12, 31, 23, 59, 0, 0, time.UTC), 59 * time.Second},
	// RFC 850 two-digit years: within 50 years after at, else the century before.
	{"RFC 850 year 70 seen in 2069", "Thursday, 01-Jan-70 00:00:10 GMT", time.Date(2069, 12, 31, 0, 0, 0, 0, time.UTC), 24*time.Hour + 10*time.Second},
	{"RFC 850 year 94 seen in 1994", "Sunday, 06-Nov-94 08:49:37 GMT", time.Date(1994, 11, 6, 8, 49, 0, 0, time.UTC), 37 * time.Second},
}

func TestParseRetryAfter(t *testing.T) {
	for _, tt := range retryAfterTests {
		t.Run(tt.name, func(t *testing.T) {
			got, w, err := ParseRetryAfter(tt.in, tt.at)
			if err != nil || w != nil {
				t.Fatalf("ParseRetryAfter(%q) warning %v, error %v; want neither", tt.in, w, err)
			}
			if got != tt.want {
				t.Errorf("ParseRetryAfter(%q, %v) = %v; want %v", tt.in, tt.at, got, tt.want)
			}
		})
	}
}

// retryAfterErrorTests are the cases of TestParseRetryAfterErrors, also the seeds of the fuzz tests.
var retryAfterErrorTests = []struct{ in, want string }{
	{"", `"" is not delay-seconds or an HTTP-date`},
	{"soon", `"soon" is not delay-seconds or an HTTP-date (want e.g. "30" or "Tue, 14 Nov 2023 22:13:20 GMT")`},
	{"1.", `"1." is not delay-seconds`},
	{".5", `".5" is not delay-seconds`},
	{"-1", `"-1" is not delay-seconds`},
	{"+5", `"+5" is not delay-seconds`},
	{"5s", `"5s" is not delay-seconds`},
	{"9999999999999", `"9999999999999" is more delay-seconds than a duration holds`},
	{"99999999999999999999999", `is more delay-seconds than a duration holds`},
	{"2023-11-14T22:13:30Z", `is not delay-seconds or an HTTP-date`},
	{"Tue, 14 Nov 2023 22:13:30 EST", `is not delay-seconds or an HTTP-date`}, // a zone name is no offset
	{"Tue, 14 Nov 2023 22:13:30 +00:00", `is not delay-seconds or an HTTP-date`},
	{"Tue, 14 Nov 2023 22:13:30", `is not delay-seconds or an HTTP-date`},
}

func TestParseRetryAfterErrors(t *testing.T) {
	for _, tt := range retryAfterErrorTests {
		got, _, err := ParseRetryAfter(tt.in, at)
		if err == nil {
			t.Errorf("ParseRetryAfter(%q) = %v; want an error", tt.in, got)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseRetryAfter(%q) error = %q; want it to contain %q", tt.in, err, tt.want)
		}
	}
}

// retryAfterLenientTests are values real limiters send that RFC 9110 does not
// allow: they are read, with a warning. The "UTC" dates are as captured from
// sethvargo/go-limiter's httplimit (and written by go-chi/httprate's and
// tollbooth's time.RFC1123 in UTC). They are also seeds of the fuzz tests.
var retryAfterLenientTests = []struct {
	name   string
	in     string
	at     time.Time
	want   time.Duration
	reason string
}{
	{"sethvargo/go-limiter, time.RFC1123 in UTC", "Fri, 04 Dec 2026 17:43:43 UTC",
		time.Date(2026, 12, 4, 17, 43, 42, 0, time.UTC), time.Second, `says "UTC" where an HTTP-date says "GMT"`},
	{"UTC date in the past is retry now", "Tue, 14 Nov 2023 22:13:00 UTC", at, 0, `says "UTC"`},
	{"time.RFC1123Z, UTC", "Tue, 14 Nov 2023 22:13:30 +0000", at, 9750 * time.Millisecond, "has a numeric zone"},
	{"numeric zone, not UTC", "Tue, 14 Nov 2023 23:13:30 +0100", at, 9750 * time.Millisecond, "has a numeric zone"},
	{"numeric zone, west", "Tue, 14 Nov 2023 17:13:30 -0500", at, 9750 * time.Millisecond, "has a numeric zone"},
	{"RFC 850 with a four-digit year", "Tuesday, 14-Nov-2023 22:13:30 GMT", at, 9750 * time.Millisecond, "four-digit year"},
	{"half a second", "0.5", at, 500 * time.Millisecond, "has a fraction"},
	{"Shopify", "2.0", at, 2 * time.Second, "has a fraction"},
	{"fraction with whitespace", " 1.25 ", at, 1250 * time.Millisecond, "has a fraction"},
}

func TestParseRetryAfterLenient(t *testing.T) {
	for _, tt := range retryAfterLenientTests {
		t.Run(tt.name, func(t *testing.T) {
			got, w, err := ParseRetryAfter(tt.in, tt.at)
			if err != nil {
				t.Fatalf("ParseRetryAfter(%q) error: %v; want a lenient read", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseRetryAfter(%q, %v) = %v; want %v", tt.in, tt.at, got, tt.want)
			}
			if w == nil || w.Value != tt.in || !strings.Contains(w.String(), tt.reason) {
				t.Errorf("ParseRetryAfter(%q) warning = %v; want one about the value containing %q", tt.in, w, tt.reason)
			}
		})
	}
}

func TestResolveCentury(t *testing.T) {
	ref := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		yy   int
		want int
	}{
		{25, 2025}, {75, 2075}, {76, 1976}, {0, 2000}, {99, 1999}, {68, 2068}, {69, 2069},
	}
	for _, tt := range tests {
		// time.Parse maps 69..99 to 19xx and 00..68 to 20xx; feed it either way.
		in := time.Date(1900+tt.yy, 6, 1, 0, 0, 0, 0, time.UTC)
		if got := resolveCentury(in, ref).Year(); got != tt.want {
			t.Errorf("resolveCentury(%d, 2025-06-01) year = %d; want %d", in.Year(), got, tt.want)
		}
	}
}

func TestRetryAfterFormatStray(t *testing.T) {
	tests := []struct {
		f    RetryAfterFormat
		v    string
		want string
	}{
		{RetryAfterSeconds, "120", ""},
		{RetryAfterSeconds, "0.5", ""},
		{RetryAfterSeconds, "Tue, 14 Nov 2023 22:13:30 GMT", "is an HTTP-date where delay-seconds are promised"},
		{RetryAfterSeconds, "Fri, 04 Dec 2026 17:43:43 UTC", "is an HTTP-date where delay-seconds are promised"},
		{RetryAfterHTTPDate, "Tue, 14 Nov 2023 22:13:30 GMT", ""},
		{RetryAfterHTTPDate, "1", "is delay-seconds where an HTTP-date is promised"}, // go-chi/httprate sends this
		{RetryAfterHTTPDate, " 99999999999999999999 ", "is delay-seconds where an HTTP-date is promised"},
		{RetryAfterEither, "1", ""},
		{RetryAfterEither, "Tue, 14 Nov 2023 22:13:30 GMT", ""},
	}
	for _, tt := range tests {
		if got := tt.f.Stray(tt.v); got != tt.want {
			t.Errorf("%q.Stray(%q) = %q; want %q", tt.f, tt.v, got, tt.want)
		}
	}
	if got := RetryAfterFormats(); len(got) != 3 || got[2] != RetryAfterEither {
		t.Errorf("RetryAfterFormats() = %q; want seconds, http-date, either", got)
	}
}
