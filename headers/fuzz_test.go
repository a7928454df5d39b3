package headers

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The fuzz tests check that no input makes a parser panic, and that every call
// either fails with an *Error quoting its input or returns a sensible result.
// Plain `go test` runs only the seeds: the table cases of the unit tests.

// fuzzFormats are the formats FuzzParseReset picks from by index: auto, ""
// and every row of the table.
var fuzzFormats = func() []ResetFormat {
	fs := []ResetFormat{ResetAuto, ""}
	for _, fi := range resetFormats {
		fs = append(fs, fi.name)
	}
	return fs
}()

// wantWarning fails t unless w is nil or a warning about value v with a reason.
func wantWarning(t *testing.T, w *Warning, v string) {
	t.Helper()
	if w != nil && (w.Value != v || w.Reason == "") {
		t.Fatalf("warning %#v for %q; want one with the value and a reason", w, v)
	}
}

// wantError fails t unless err is an *Error about value v.
func wantError(t *testing.T, err error, v string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Value != v || e.Reason == "" {
		t.Fatalf("error %#v for %q; want an *Error with the value and a reason", err, v)
	}
}

func FuzzParseReset(f *testing.F) {
	for _, tt := range detectTests {
		f.Add(tt.in, uint8(0))
	}
	for _, tt := range resetTests {
		f.Add(tt.in, uint8(slices.Index(fuzzFormats, tt.format)))
	}
	for _, tt := range resetErrorTests {
		f.Add(tt.in, uint8(slices.Index(fuzzFormats, tt.format)))
	}
	for _, tt := range resetLenientTests {
		f.Add(tt.in, uint8(slices.Index(fuzzFormats, tt.format)))
	}
	f.Fuzz(func(t *testing.T, v string, fi uint8) {
		format := fuzzFormats[int(fi)%len(fuzzFormats)]
		got, used, w, err := ParseReset(v, format, at)
		if err != nil {
			wantError(t, err, v)
			if w != nil {
				t.Fatalf("ParseReset(%q, %q) warns %v with an error", v, format, w)
			}
			return
		}
		wantWarning(t, w, v)
		if used == "" || used == ResetAuto || (format != "" && format != ResetAuto && used != format) {
			t.Fatalf("ParseReset(%q, %q) used format %q", v, format, used)
		}
		if used == ResetDeltaSeconds && got.Before(at) {
			t.Fatalf("ParseReset(%q, %q) = %v, before at", v, format, got)
		}
		again, _, _, err := ParseReset(v, used, at)
		if err != nil || !again.Equal(got) {
			t.Fatalf("ParseReset(%q, %q) = %v, %v; want %v as with auto", v, used, again, err, got)
		}
	})
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, tt := range retryAfterTests {
		f.Add(tt.in)
	}
	for _, tt := range retryAfterErrorTests {
		f.Add(tt.in)
	}
	for _, tt := range retryAfterLenientTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, v string) {
		d, w, err := ParseRetryAfter(v, at)
		if err != nil {
			wantError(t, err, v)
			if w != nil {
				t.Fatalf("ParseRetryAfter(%q) warns %v with an error", v, w)
			}
			if d != 0 {
				t.Fatalf("ParseRetryAfter(%q) = %v with an error; want 0", v, d)
			}
			return
		}
		if d < 0 {
			t.Fatalf("ParseRetryAfter(%q) = %v; want a wait ≥ 0", v, d)
		}
		wantWarning(t, w, v)
		if _, ok := parseSeconds(trimOWS(v)); ok && (w != nil) != strings.Contains(v, ".") {
			t.Fatalf("ParseRetryAfter(%q) = %v, warning %v; want a warning exactly when it has a fraction", v, d, w)
		}
	})
}

func FuzzParseList(f *testing.F) {
	for _, tt := range listTests {
		f.Add(tt.in)
	}
	for _, tt := range listErrorTests {
		f.Add(tt.in)
	}
	for _, tt := range policyTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, v string) {
		items, err := ParseList(v)
		if err != nil {
			wantError(t, err, v)
			return
		}
		// What parses must serialize and parse back to the same members.
		s := serializeList(items)
		again, err := ParseList(s)
		if err != nil {
			t.Fatalf("ParseList(%q) = %v, serialized as %q, which does not parse: %v", v, items, s, err)
		}
		if diff := cmp.Diff(items, again); diff != "" {
			t.Fatalf("ParseList(%q) round trip through %q (-first +second):\n%s", v, s, diff)
		}
	})
}

func FuzzParseRateLimit(f *testing.F) {
	for _, tt := range rateLimitTests {
		f.Add(tt.in)
	}
	for _, tt := range rateLimitErrorTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, v string) {
		ls, err := ParseRateLimit(v)
		if err != nil {
			wantError(t, err, v)
			return
		}
		if len(ls) == 0 {
			t.Fatalf("ParseRateLimit(%q) = no limits and no error", v)
		}
		for _, l := range ls {
			if l.Remaining < 0 || l.Reset < 0 || l.Quota < 0 || !(l.HasRemaining || l.HasQuota) {
				t.Fatalf("ParseRateLimit(%q) = %+v; want non-negative values and remaining or quota", v, l)
			}
		}
	})
}

func FuzzParsePolicy(f *testing.F) {
	for _, tt := range policyTests {
		f.Add(tt.in)
	}
	for _, tt := range policyErrorTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, v string) {
		ps, err := ParsePolicy(v)
		if err != nil {
			wantError(t, err, v)
			return
		}
		for _, p := range ps {
			if p.Quota < 0 || p.Window < 0 || p.QuotaUnit == "" {
				t.Fatalf("ParsePolicy(%q) = %+v; want a non-negative quota and window and a unit", v, p)
			}
		}
	})
}

func FuzzRead(f *testing.F) {
	for _, tt := range readTests {
		for name, v := range tt.h {
			f.Add(name, v, string(tt.spec.Convention))
		}
	}
	f.Fuzz(func(t *testing.T, name, v, conv string) {
		h := map[string]string{name: v, "Retry-After": v}
		c, errs := Read(h, Spec{Convention: Convention(conv), Window: 60e9}, at)
		for _, err := range errs {
			var e *Error
			if !errors.As(err, &e) || e.Header == "" {
				t.Fatalf("Read(%q: %q) error %#v; want an *Error naming its header", name, v, err)
			}
		}
		if c.Limit < 0 || c.Remaining < 0 || c.RetryAfter < 0 {
			t.Fatalf("Read(%q: %q) = %+v; want non-negative counts and wait", name, v, c)
		}
	})
}
