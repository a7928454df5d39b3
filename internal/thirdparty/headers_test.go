package thirdparty

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/results"
)

// reading is how a header reads on the responses where it is looked for.
type reading int

const (
	absent    reading = iota // never sent
	reads                    // sent, and every value reads
	malformed                // sent, and no value reads: the library sends something else
)

func (r reading) String() string {
	return [...]string{"absent", "reads", "malformed"}[r]
}

// headerFacts is what ratecheck's header reader (headers, which the
// headers.* checks build on) must get from every 200 and 429 response of a
// library, read as the library's contract declares.
type headerFacts struct {
	spec       headers.Spec
	limit      int64   // the Limit every response states; 0 when none is sent
	remaining  reading // Remaining, within 0..limit when it reads
	reset      reading // Reset; when it reads, within 1 s (its resolution) of the window ahead, between send and arrival
	retryAfter reading // Retry-After on 429 responses
	// lenient says every Reset and Retry-After read was read leniently, with
	// a warning (a date in "UTC"); otherwise none may be.
	lenient bool
}

// headerRead is what reading the headers of a whole run found.
type headerRead struct {
	responses               int
	limits                  map[int64]int // responses per Limit value read
	remaining, reset, retry [3]int        // count per reading
	remainingOut            int           // Remaining outside 0..limit
	resetMin, resetMax      time.Duration // Reset less the send time (least), less the arrival (most)
	retryMin, retryMax      time.Duration
	errs                    []error
	warned, read            int // Reset and Retry-After values read with a warning, and read
}

// readHeaders reads every judged response as f.spec says.
func readHeaders(f headerFacts, obs []results.Observation) headerRead {
	hr := headerRead{limits: map[int64]int{}, resetMin: time.Hour, resetMax: -time.Hour, retryMin: time.Hour, retryMax: -time.Hour}
	for _, o := range obs {
		if o.Status != 200 && o.Status != 429 {
			continue
		}
		hr.responses++
		c, errs := headers.Read(o.Headers, f.spec, o.Received())
		if len(errs) > 0 && len(hr.errs) < 3 {
			hr.errs = append(hr.errs, errs...)
		}
		if c.HasLimit {
			hr.limits[c.Limit]++
		}
		hr.warned += len(c.Warnings)
		if c.HasReset {
			hr.read++
		}
		if c.HasRetryAfter {
			hr.read++
		}
		bad := badHeaders(errs)
		hr.remaining[classify(c.HasRemaining, bad["remaining"])]++
		if c.HasRemaining && (c.Remaining < 0 || c.Remaining > f.limit) {
			hr.remainingOut++
		}
		hr.reset[classify(c.HasReset, bad["reset"])]++
		if c.HasReset {
			// The server stated Reset some time between the request's send and
			// its response's arrival: the earliest bound is from the send, the
			// latest from the arrival, so a slow answer widens neither.
			hr.resetMin = min(hr.resetMin, c.Reset.Sub(o.Sent))
			hr.resetMax = max(hr.resetMax, c.Reset.Sub(o.Received()))
		}
		if o.Status == 429 {
			hr.retry[classify(c.HasRetryAfter, bad["retry-after"])]++
			if c.HasRetryAfter {
				hr.retryMin, hr.retryMax = min(hr.retryMin, c.RetryAfter), max(hr.retryMax, c.RetryAfter)
			}
		}
	}
	return hr
}

// badHeaders says which kinds of header failed to read: "remaining", "reset"
// or "retry-after", by the names the reader's errors carry.
func badHeaders(errs []error) map[string]bool {
	bad := map[string]bool{}
	for _, err := range errs {
		var e *headers.Error
		if !errors.As(err, &e) {
			continue
		}
		name := strings.ToLower(e.Header)
		for _, kind := range []string{"remaining", "reset", "retry-after"} {
			if strings.HasSuffix(name, kind) {
				bad[kind] = true
			}
		}
	}
	return bad
}

// classify is reads when a value was read, malformed when one was sent but not
// read, and absent otherwise.
func classify(read, sentButBad bool) reading {
	switch {
	case read:
		return reads
	case sentButBad:
		return malformed
	}
	return absent
}

// only reports the one reading all counts fall in, or false when they are mixed.
func only(counts [3]int) (reading, bool) {
	var got []reading
	for r, n := range counts {
		if n > 0 {
			got = append(got, reading(r))
		}
	}
	if len(got) != 1 {
		return absent, len(got) == 0
	}
	return got[0], true
}

// span describes the range of durations read, when any was.
func span(counts [3]int, lo, hi time.Duration, what string) string {
	if counts[reads] == 0 {
		return ""
	}
	return fmt.Sprintf(" (%v..%v %s)", lo.Round(time.Millisecond), hi.Round(time.Millisecond), what)
}

// checkHeaders asserts what ratecheck's reader gets from the run's responses.
func checkHeaders(t *testing.T, f headerFacts, obs []results.Observation) {
	t.Helper()
	hr := readHeaders(f, obs)
	t.Logf("headers of %d responses (counts are absent, reads, malformed): Limit %v; Remaining %v; Reset %v%s; Retry-After on 429 %v%s; first errors %v",
		hr.responses, hr.limits, hr.remaining, hr.reset, span(hr.reset, hr.resetMin, hr.resetMax, "from send..from arrival"),
		hr.retry, span(hr.retry, hr.retryMin, hr.retryMax, "wait"), hr.errs)
	if hr.responses == 0 {
		t.Fatal("no 200 or 429 response to read headers from")
	}
	wantLimits := map[int64]int{}
	if f.limit > 0 {
		wantLimits[f.limit] = hr.responses
	}
	if fmt.Sprint(hr.limits) != fmt.Sprint(wantLimits) {
		t.Errorf("Limit read from %d responses = %v; want %v", hr.responses, hr.limits, wantLimits)
	}
	for _, c := range []struct {
		name   string
		counts [3]int
		want   reading
	}{
		{"Remaining", hr.remaining, f.remaining},
		{"Reset", hr.reset, f.reset},
		{"Retry-After on 429", hr.retry, f.retryAfter},
	} {
		if got, ok := only(c.counts); !ok || got != c.want {
			t.Errorf("%s reads %v (absent, reads, malformed); want every one %v", c.name, c.counts, c.want)
		}
	}
	if want := map[bool]int{true: hr.read}[f.lenient]; hr.warned != want {
		t.Errorf("%d of %d Reset and Retry-After values read with a warning; want %d", hr.warned, hr.read, want)
	}
	if hr.remainingOut > 0 {
		t.Errorf("%d Remaining values outside 0..%d", hr.remainingOut, f.limit)
	}
	// The server's reset is at most the 1 s window ahead of its clock; a
	// value to the second, rounded either way, moves it by up to a second
	// more (throttled rounds 1.000003 s up to 2 when its store's clock and
	// its own differ by microseconds).
	const window, resolution = time.Second, time.Second
	if hr.reset[reads] > 0 && (hr.resetMin < -resolution || hr.resetMax > window+resolution) {
		t.Errorf("Reset lies %v from the request's send to %v from the response's arrival; want from -1 s to 2 s: a 1 s window ahead, read to the second", hr.resetMin, hr.resetMax)
	}
}
