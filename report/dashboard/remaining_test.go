package dashboard

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/ratecheck/ratecheck/results/metrics"
)

// TestRemainingPanelOnlyWhenPromised: the Remaining panel is drawn for a
// scenario that promises a Remaining header, at every size, and never for
// one that does not (no empty panel either).
func TestRemainingPanelOnlyWhenPromised(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		for _, tc := range []struct {
			name  string
			frame Frame
			want  bool
		}{
			{"promised", withRemaining(runningFrame()), true},
			{"promised, done", withRemaining(doneFailFrame()), true},
			{"not promised", runningFrame(), false},
			{"not promised, metrics follow one anyway", func() Frame {
				f := withRemaining(runningFrame())
				f.Remaining = nil
				return f
			}(), false},
		} {
			view := ansi.Strip(show(t, tc.frame, size[0], size[1]).View())
			got := strings.Contains(view, "Remaining at ") || strings.Contains(view, "\nreported ")
			if got != tc.want {
				t.Errorf("%s at %dx%d: panel shown %v; want %v\n%s", tc.name, size[0], size[1], got, tc.want, view)
			}
		}
	}
}

// TestRemainingHeader: the latest second with a reported Remaining, beside
// the limit less what was admitted in the window ending then.
func TestRemainingHeader(t *testing.T) {
	sec := func(s int, lowest int64, reported bool, inWindow int64) metrics.RemainingSecond {
		return metrics.RemainingSecond{Second: s, Lowest: lowest, Reported: reported, InWindow: inWindow}
	}
	minute := LimitLine{Name: "per-minute", Requests: 60, Window: time.Minute}
	for _, tc := range []struct {
		name  string
		info  RemainingInfo
		snap  *metrics.RemainingSnapshot
		want  string
		avoid string
	}{
		{"nothing yet", RemainingInfo{Header: "X-RateLimit-Remaining", Limit: minute}, nil,
			"Remaining none read yet · X-RateLimit-Remaining", "sliding"},
		{"since the start", RemainingInfo{Header: "X-RateLimit-Remaining", Limit: minute},
			&metrics.RemainingSnapshot{Key: "primary", Seconds: []metrics.RemainingSecond{sec(0, 55, true, 5), sec(1, 48, true, 12), sec(2, 0, false, 12)}},
			"Remaining at 1s: reported 48 · sliding 48 = 60 − 12 admitted since the start · X-RateLimit-Remaining, key primary", ""},
		{"a full window", RemainingInfo{Header: "RateLimit r=", Limit: minute, Approximate: true},
			&metrics.RemainingSnapshot{Seconds: []metrics.RemainingSecond{sec(59, 0, true, 60)}},
			"Remaining at 59s: reported 0 · sliding 0 = 60 − 60 admitted in the last 1m · RateLimit r=, approximate as the scenario says", "key"},
		// A clock-aligned minute began again 22 s into the run, inside the
		// over phase: the target admitted 60, then 30 more of the new
		// minute and reported 30 left (seen under tmux with
		// scenarios/workspace.yaml). No "60 − 90".
		{"more admitted than the limit", RemainingInfo{Header: "X-RateLimit-Remaining", Limit: minute},
			&metrics.RemainingSnapshot{Key: "primary", Seconds: []metrics.RemainingSecond{sec(26, 30, true, 90)}},
			"Remaining at 26s: reported 30 · sliding 0 · 90 admitted since the start, 30 more than 60: quota given back (the checks judge it) · X-RateLimit-Remaining, key primary", "− 90"},
		{"none in the seconds shown", RemainingInfo{Header: "X-RateLimit-Remaining", Limit: minute},
			&metrics.RemainingSnapshot{Key: "primary", Seconds: []metrics.RemainingSecond{sec(27, 0, false, 90), sec(28, 0, false, 90)}},
			"Remaining none read in the last 2s · X-RateLimit-Remaining, key primary", ""},
		{"under a second", RemainingInfo{Header: "X-Remaining", Limit: LimitLine{Requests: 20, Window: 500 * time.Millisecond}},
			&metrics.RemainingSnapshot{Seconds: []metrics.RemainingSecond{sec(0, 3, true, 30)}},
			"Remaining at 0s: reported 3 of 20 per 500ms (a window under whole seconds: no per-second count) · X-Remaining", "sliding"},
	} {
		f := runningFrame()
		info := tc.info
		f.Remaining, f.Metrics.Remaining = &info, tc.snap
		m := show(t, f, 200, 48)
		got := ansi.Strip(m.remainingHeader())
		if got != tc.want {
			t.Errorf("%s: header\n%q\nwant\n%q", tc.name, got, tc.want)
		}
		if view := ansi.Strip(m.View()); tc.avoid != "" && strings.Contains(strings.Join(m.remainingLines(5), "\n"), tc.avoid) {
			t.Errorf("%s: panel has %q; want none\n%s", tc.name, tc.avoid, view)
		}
	}
}

// TestRemainingSanitized: the header name and the key followed come from a
// scenario and a run; they are cleaned like every other text shown.
func TestRemainingSanitized(t *testing.T) {
	f := withRemaining(runningFrame())
	f.Remaining.Header = "X-Remaining\x1b[2J"
	f.Metrics.Remaining.Key = "Bearer abcdefghijklmnop"
	head := show(t, f, 200, 48).remainingHeader()
	if strings.Contains(head, "\x1b[2J") || strings.Contains(head, "abcdefghijklmnop") {
		t.Errorf("header %q shows an escape sequence or a credential", head)
	}
}
