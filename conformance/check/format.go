package check

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// FormatWindow writes a window the way limits are written: 1s, 1m, 1h, 24h, 30d.
func FormatWindow(d time.Duration) string {
	day := 24 * time.Hour
	switch {
	case d >= day && d%day == 0 && d > day:
		return fmt.Sprintf("%dd", d/day)
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d >= time.Minute && d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d >= time.Second && d%time.Second == 0:
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return d.String()
}

// FormatNum writes a count or rate with at most two decimals and no trailing
// zeros: 20, 0.5, 16.67.
func FormatNum(v float64) string {
	s := strconv.FormatFloat(v, 'f', 2, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// FormatOffset writes a time since the first observation: +1.000 s.
func FormatOffset(ns int64) string {
	return fmt.Sprintf("%+.3f s", time.Duration(ns).Seconds())
}

// FormatSeconds writes a duration in seconds with two decimals: 1.02 s.
func FormatSeconds(ns int64) string {
	return fmt.Sprintf("%.2f s", time.Duration(ns).Seconds())
}

// FormatPrecise writes a measured duration with its precision, rounded up to
// whole milliseconds: 1.003 s ± 7 ms.
func FormatPrecise(d, half time.Duration) string {
	return fmt.Sprintf("%.3f s ± %d ms", d.Seconds(), (half+time.Millisecond-1)/time.Millisecond)
}

// FormatAlignment writes where windows of length w start on the clock, from
// into, their offset past each multiple of w: "0.370 s into each 1s", or, past
// half a window, "0.003 s before each whole 1s" (rather than "0.997 s into").
func FormatAlignment(into, w time.Duration) string {
	if into > w/2 {
		return fmt.Sprintf("%.3f s before each whole %s", (w - into).Seconds(), FormatWindow(w))
	}
	return fmt.Sprintf("%.3f s into each %s", into.Seconds(), FormatWindow(w))
}

// Plural writes "1 request" or "3 requests".
func Plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// FormatInterval writes a spacing in nanoseconds: 50 ms, or 1.5 s.
func FormatInterval(ns float64) string {
	if ns < float64(time.Second) {
		return FormatNum(ns/float64(time.Millisecond)) + " ms"
	}
	return FormatNum(ns/float64(time.Second)) + " s"
}
