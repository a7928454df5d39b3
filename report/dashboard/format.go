package dashboard

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// count formats n with thousands separators: 1234567 → "1,234,567".
func count(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

// rate formats requests per second with one decimal: "39.8/s".
func rate(r float64) string {
	if math.IsNaN(r) || math.IsInf(r, 0) || r < 0 {
		return "–/s"
	}
	return strconv.FormatFloat(r, 'f', 1, 64) + "/s"
}

// latency formats a latency in three significant figures or so: "850µs",
// "12.3ms", "1.25s".
func latency(d time.Duration) string {
	switch {
	case d < 0:
		return "–"
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < 100*time.Millisecond:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	default:
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
}

// clock formats a run offset: "12.3s" under a minute, "4m05s" under an hour,
// "2h03m" beyond.
func clock(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	default:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
}

// percent formats a fraction in [0, 1] as a whole percentage: "41%".
func percent(f float64) string {
	return fmt.Sprintf("%d%%", int(math.Floor(f*100)))
}
