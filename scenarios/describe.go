package scenarios

import (
	"fmt"
	"strings"
	"time"
)

// Describe says the limit in one line, as the plan, the progress lines and
// the reports show it: "per-second: 20 per 1s per key (any, recovery 1s)".
func (l Limit) Describe() string {
	n := fmt.Sprintf("%d", l.Requests)
	if l.Unlimited {
		n = "unlimited"
	}
	s := fmt.Sprintf("%s: %s per %s per %s (%s", l.Name, n, FormatDuration(l.Window), l.Scope, l.Algorithm)
	if l.Burst > 0 && l.Burst != l.Requests {
		s += fmt.Sprintf(", burst %d", l.Burst)
	}
	if l.Recovery > 0 && l.Recovery != l.Window {
		s += ", recovery " + FormatDuration(l.Recovery)
	}
	return s + ")"
}

// FormatDuration writes d as a scenario file may: 1s, 1m, 1h30m, day, month,
// rather than 1m0s or 720h0m0s.
func FormatDuration(d time.Duration) string {
	switch {
	case d == Month:
		return "month"
	case d == 24*time.Hour:
		return "day"
	case d == 0:
		return "0s"
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
