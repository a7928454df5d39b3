// Package dashboard owns the live terminal view of a run: a bubbletea program
// that shows the latest Frame a run has put in a Mailbox — the phase timeline
// and progress, requested and achieved rates, live counts, admitted and 429
// answers per second, latency and the checks — until the last frame or until
// the user stops it. It only reads and shows; it never decides a verdict.
//
// It imports results/metrics and conformance for their value types, bubbletea
// (v1), bubbles and lipgloss. It must not import attack, internal/runner,
// scenarios or report.
package dashboard

import (
	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"
)

// Default size, used until the terminal reports one (never, when the output
// is not a terminal).
const (
	defaultWidth  = 80
	defaultHeight = 24
)

// common is what every part of the view needs: the size and the look.
type common struct {
	width, height int
	styles        styles
	keys          keyMap
}

// model is the root bubbletea model. It holds the last frame only.
type model struct {
	common common
	help   help.Model

	frames <-chan Frame    // where frames arrive
	stop   <-chan struct{} // closed when Run's context ends

	frame   Frame // the last frame, sanitised
	limit   int   // the limit the chart draws, an index into frame.Limits (modulo its length)
	started bool  // a frame has arrived
	quit    bool  // the user asked to stop the run
	ended   bool  // the run's context ended before the last frame
}

// Messages of the model.
type (
	frameMsg Frame    // a new frame from the mailbox
	stopMsg  struct{} // Run's context ended
)

func newModel(stop <-chan struct{}, frames <-chan Frame) model {
	m := model{
		common: common{styles: newStyles(), keys: newKeyMap()},
		help:   help.New(),
		frames: frames,
		stop:   stop,
		frame:  Frame{Current: -1},
	}
	m.setSize(defaultWidth, defaultHeight)
	return m
}

// Init starts waiting for the first frame.
func (m model) Init() tea.Cmd {
	return waitForFrame(m.stop, m.frames)
}

// setSize records the terminal size and passes it to the children.
func (m *model) setSize(width, height int) {
	m.common.width, m.common.height = max(width, 0), max(height, 0)
	m.help.Width = m.common.width
}

// waitForFrame is the command that takes the next frame from the mailbox, or
// reports that Run's context ended. Its goroutine ends with either.
func waitForFrame(stop <-chan struct{}, frames <-chan Frame) tea.Cmd {
	return func() tea.Msg {
		select {
		case f := <-frames:
			return frameMsg(f)
		case <-stop:
			return stopMsg{}
		}
	}
}
