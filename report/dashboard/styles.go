package dashboard

import (
	"github.com/charmbracelet/lipgloss"

	"github.com/ratecheck/ratecheck/report/dashboard/widgets"
)

// Colours adapt to light and dark terminals; every distinction they make is
// also made by a symbol or a word, so the dashboard reads without colour.
var (
	green  = lipgloss.AdaptiveColor{Light: "#1A7F37", Dark: "#3FB950"}
	red    = lipgloss.AdaptiveColor{Light: "#CF222E", Dark: "#F85149"}
	amber  = lipgloss.AdaptiveColor{Light: "#9A6700", Dark: "#D29922"}
	accent = lipgloss.AdaptiveColor{Light: "#5A3FC0", Dark: "#A78BFA"}
	faint  = lipgloss.AdaptiveColor{Light: "#8C8C8C", Dark: "#6E7681"}
)

// styles are the dashboard's lipgloss styles, built once per model.
type styles struct {
	brand     lipgloss.Style // "ratecheck"
	heading   lipgloss.Style // section names
	dim       lipgloss.Style // labels and secondary text
	value     lipgloss.Style // numbers
	admitted  lipgloss.Style
	limited   lipgloss.Style
	limitLine lipgloss.Style // the limit drawn across the chart
	bad       lipgloss.Style // other statuses, transport errors
	pass      lipgloss.Style
	fail      lipgloss.Style
	skip      lipgloss.Style
	timeline  widgets.TimelineStyles
}

func newStyles() styles {
	s := lipgloss.NewStyle()
	return styles{
		brand:     s.Bold(true).Foreground(accent),
		heading:   s.Bold(true),
		dim:       s.Foreground(faint),
		value:     s.Bold(true),
		admitted:  s.Foreground(green),
		limited:   s.Foreground(amber),
		limitLine: s.Foreground(accent),
		bad:       s.Foreground(red),
		pass:      s.Foreground(green),
		fail:      s.Bold(true).Foreground(red),
		skip:      s.Foreground(faint),
		timeline: widgets.TimelineStyles{
			Label:   s.Foreground(faint),
			Current: s.Bold(true).Foreground(accent),
			Done:    s.Foreground(accent),
			Todo:    s.Foreground(faint),
		},
	}
}
