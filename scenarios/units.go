package scenarios

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// windowWords are the unit words a window or duration may be written as.
var windowWords = map[string]time.Duration{
	"second": time.Second,
	"minute": time.Minute,
	"hour":   time.Hour,
	"day":    24 * time.Hour,
	"month":  Month,
}

// parseDuration reads a Go duration ("1s", "90s", "24h") or one of the unit
// words second, minute, hour, day and month (30 days).
func parseDuration(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	if d, ok := windowWords[strings.ToLower(s)]; ok {
		return d, true
	}
	d, err := time.ParseDuration(s)
	return d, err == nil
}

// rateUnits maps the unit after the slash of an absolute rate to its length.
var rateUnits = map[string]time.Duration{
	"s": time.Second, "sec": time.Second, "second": time.Second,
	"m": time.Minute, "min": time.Minute, "minute": time.Minute,
	"h": time.Hour, "hour": time.Hour,
}

// parseRate reads "2x" or "0.5x" (a multiple of a limit's rate) or "40/s",
// "100/m", "5/h" (an absolute rate, stored in requests per second).
func parseRate(s string) (RateSpec, bool) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "max") {
		return RateSpec{Max: true}, true
	}
	if num, ok := strings.CutSuffix(strings.ToLower(s), "x"); ok {
		m, ok := positiveFloat(num)
		return RateSpec{Multiple: m}, ok
	}
	num, unit, ok := strings.Cut(s, "/")
	if !ok {
		return RateSpec{}, false
	}
	per, ok := rateUnits[strings.ToLower(strings.TrimSpace(unit))]
	if !ok {
		return RateSpec{}, false
	}
	n, ok := positiveFloat(num)
	// requests per second = n requests / unit seconds
	return RateSpec{PerSec: n / per.Seconds()}, ok
}

// positiveFloat parses a finite number greater than zero.
func positiveFloat(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || f <= 0 {
		return 0, false
	}
	return f, true
}
