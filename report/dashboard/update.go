package dashboard

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Update handles a message: a frame, a key or a new terminal size.
func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case frameMsg:
		m.frame = sanitize(Frame(msg))
		m.started = true
		if m.frame.Done {
			return m, tea.Quit // the final picture stays on screen
		}
		return m, waitForFrame(m.stop, m.frames)

	case stopMsg:
		m.ended = true
		return m, tea.Quit

	case tea.WindowSizeMsg:
		m.setSize(msg.Width, msg.Height)
		return m, nil

	case tea.KeyMsg:
		if m.frame.Done || m.quit || m.ended {
			return m, nil // already on the way out
		}
		switch {
		case key.Matches(msg, m.common.keys.Quit):
			m.quit = true
			return m, tea.Quit
		case key.Matches(msg, m.common.keys.Help):
			m.help.ShowAll = !m.help.ShowAll
		case key.Matches(msg, m.common.keys.Limit):
			if n := len(m.frame.Limits); n > 0 {
				m.limit = (m.limit + 1) % n
			}
		}
		return m, nil
	}
	return m, nil
}
