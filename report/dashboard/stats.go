package dashboard

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// phaseLine says which phase runs, what rate it asked for and what it got.
func (m model) phaseLine() string {
	s, f := m.common.styles, m.frame
	sep := s.dim.Render(" · ")
	ph, ok := f.current()
	switch {
	case f.Done:
		return s.heading.Render("done") + sep + fmt.Sprintf("%d phases", len(f.Phases)) + sep +
			count(f.Metrics.Requests) + " requests in " + clock(f.Elapsed)
	case !ok && f.Elapsed <= 0:
		return s.dim.Render("starting…")
	case !ok:
		return s.dim.Render("waiting for the last answers…")
	}
	head := s.heading.Render(fmt.Sprintf("phase %d/%d", f.Current+1, len(f.Phases))) + " " +
		s.timeline.Current.Render(ph.Name)
	if ph.Kind != "" && ph.Kind != ph.Name {
		head += s.dim.Render(" (" + ph.Kind + ")")
	}
	if ph.Rate <= 0 {
		return head + sep + "no traffic for " + clock(ph.Duration)
	}
	parts := []string{head, s.dim.Render("requested ") + rate(ph.Rate)}
	if pm, ok := f.phaseMetrics(f.Current); ok {
		achieved := s.value
		if pm.AchievedRate < 0.9*ph.Rate || pm.AchievedRate > 1.1*ph.Rate {
			achieved = s.limited // the pacer is not keeping up (or bursting)
		}
		parts = append(parts, s.dim.Render("achieved ")+achieved.Render(rate(pm.AchievedRate)))
		if pm.Planned > 0 {
			parts = append(parts, s.dim.Render("sent ")+count(pm.Requests)+s.dim.Render("/"+count(pm.Planned)))
		}
	}
	return strings.Join(parts, sep)
}

// tallies are the answers so far, by class.
type tallies struct {
	requests, admitted, limited, other, errors int64
}

// tallyStatuses sorts the snapshot's answers into classes: 2xx and 3xx are
// admitted, 429 limited, transport errors (status 0) errors, the rest other.
func (m model) tallyStatuses() tallies {
	snap := m.frame.Metrics
	t := tallies{requests: snap.Requests, errors: snap.Errors}
	for code, n := range snap.Statuses {
		switch {
		case code >= 200 && code < 400:
			t.admitted += n
		case code == 429:
			t.limited += n
		case code == 0:
			if snap.Errors == 0 {
				t.errors += n
			}
		default:
			t.other += n
		}
	}
	return t
}

// countsLine shows the answers so far.
func (m model) countsLine() string {
	s, t := m.common.styles, m.tallyStatuses()
	warn := func(n int64) lipgloss.Style {
		if n > 0 {
			return s.bad
		}
		return s.value
	}
	return strings.Join([]string{
		s.dim.Render("requests ") + s.value.Render(count(t.requests)),
		s.dim.Render("admitted ") + s.admitted.Render(count(t.admitted)),
		s.dim.Render("429s ") + s.limited.Render(count(t.limited)),
		s.dim.Render("other ") + warn(t.other).Render(count(t.other)),
		s.dim.Render("errors ") + warn(t.errors).Render(count(t.errors)),
	}, s.dim.Render(" · "))
}

// latencyLine shows the latency percentiles so far.
func (m model) latencyLine() string {
	s, l := m.common.styles, m.frame.Metrics.Latency
	if m.frame.Metrics.Requests == 0 {
		return s.dim.Render("latency –")
	}
	return s.dim.Render("latency ") + strings.Join([]string{
		s.dim.Render("p50 ") + latency(l.P50),
		s.dim.Render("p90 ") + latency(l.P90),
		s.dim.Render("p99 ") + latency(l.P99),
		s.dim.Render("max ") + latency(l.Max),
	}, s.dim.Render(" · "))
}
