package report

import (
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// timeLayout prints a wall-clock time with milliseconds and its UTC offset, in the
// time's own location, so a report reads the same wherever it is opened.
const timeLayout = "2006-01-02 15:04:05.000 -07:00"

// fmtTime formats t with timeLayout; the zero time is "n/a".
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "n/a"
	}
	return t.Format(timeLayout)
}

// fmtMillis formats d as milliseconds with two decimals and no unit: 12.35.
func fmtMillis(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64)
}

// fmtLatency formats d as milliseconds with two decimals and the unit: "12.35 ms".
func fmtLatency(d time.Duration) string { return fmtMillis(d) + " ms" }

// fmtOffset formats an offset from the start of the run as signed seconds with
// millisecond precision: "+1.234 s".
func fmtOffset(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign = "-"
		d = -d
	}
	return sign + strconv.FormatFloat(d.Seconds(), 'f', 3, 64) + " s"
}

// fmtDuration formats the length of a run: "12.345 s"; negative spans (a finish
// before the start) are "n/a".
func fmtDuration(d time.Duration) string {
	if d < 0 {
		return "n/a"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) + " s"
}

// runDuration is Finished − Started, or −1 when either time is missing.
func runDuration(r *Report) time.Duration {
	if r.Started.IsZero() || r.Finished.IsZero() {
		return -1
	}
	return r.Finished.Sub(r.Started)
}

// fmtCount formats n with thousands separators: 12,345.
func fmtCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// fmtRate formats a rate in requests per second rounded to two decimals with
// trailing zeros dropped: "20/s", "19.88/s". Non-finite rates are "n/a".
func fmtRate(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) + "/s"
}

// fmtRatio formats achieved ÷ requested as a percentage with one decimal:
// "99.4%". It is "n/a" when requested is not a positive finite number.
func fmtRatio(achieved, requested float64) string {
	r := achieved / requested
	if requested <= 0 || math.IsNaN(r) || math.IsInf(r, 0) {
		return "n/a"
	}
	return strconv.FormatFloat(r*100, 'f', 1, 64) + "%"
}

// fmtStatus names an HTTP status: "429 Too Many Requests"; 0 is a transport error.
func fmtStatus(code int) string {
	if code == 0 {
		return "transport error"
	}
	if text := http.StatusText(code); text != "" {
		return strconv.Itoa(code) + " " + text
	}
	return strconv.Itoa(code)
}

// fmtCode is a status code alone, with 0 shown as "error".
func fmtCode(code int) string {
	if code == 0 {
		return "error"
	}
	return strconv.Itoa(code)
}

// fmtHeaders lists headers as "Name: value", sorted by name.
func fmtHeaders(h map[string]string) []string {
	if len(h) == 0 {
		return nil
	}
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]string, len(names))
	for i, k := range names {
		out[i] = k + ": " + h[k]
	}
	return out
}

// fmtBool is "yes" or "no".
func fmtBool(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// oneLine folds newlines and tabs into spaces, so a message fits a table cell.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// printable is s on one line without control characters, so that text a
// target sent (a header, a body) cannot move the cursor or recolour a
// terminal, nor hide in a Markdown file.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, oneLine(s))
}
