package dashboard

import "github.com/charmbracelet/bubbles/key"

// keyMap holds the dashboard's key bindings; it is the help.KeyMap of the
// footer.
type keyMap struct {
	Quit  key.Binding
	Help  key.Binding
	Limit key.Binding
}

func newKeyMap() keyMap {
	return keyMap{
		Quit:  key.NewBinding(key.WithKeys("q", "esc", "ctrl+c"), key.WithHelp("q", "stop")),
		Help:  key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Limit: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next limit")),
	}
}

// ShortHelp is the one-line help under the dashboard.
func (k keyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Quit, k.Limit, k.Help}
}

// FullHelp spells out what each key does.
func (k keyMap) FullHelp() [][]key.Binding {
	quit, help, limit := k.Quit, k.Help, k.Limit
	quit.SetHelp("q esc ctrl+c", "stop the run early (reports are still written)")
	limit.SetHelp("tab", "draw the next limit's line on the chart")
	help.SetHelp("?", "hide this help")
	return [][]key.Binding{{quit, limit, help}}
}
