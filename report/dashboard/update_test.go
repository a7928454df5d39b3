package dashboard

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/google/go-cmp/cmp"

	"github.com/ratecheck/ratecheck/conformance/check"
)

func isQuit(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	_, ok := cmd().(tea.QuitMsg)
	return ok
}

func TestUpdateQuitKeys(t *testing.T) {
	tests := []struct {
		name string
		key  tea.KeyMsg
		quit bool
	}{
		{"q", tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")}, true},
		{"esc", tea.KeyMsg{Type: tea.KeyEsc}, true},
		{"ctrl+c", tea.KeyMsg{Type: tea.KeyCtrlC}, true},
		{"x", tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("x")}, false},
		{"enter", tea.KeyMsg{Type: tea.KeyEnter}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := show(t, runningFrame(), 80, 24)
			next, cmd := m.Update(tt.key)
			if got := next.(model).quit; got != tt.quit {
				t.Errorf("Update(%q).quit = %v; want %v", tt.key, got, tt.quit)
			}
			if got := isQuit(cmd); got != tt.quit {
				t.Errorf("Update(%q) quits = %v; want %v", tt.key, got, tt.quit)
			}
		})
	}
}

func TestUpdateKeysAfterDoneDoNotStopTheRun(t *testing.T) {
	m := show(t, donePassFrame(), 80, 24)
	next, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	if next.(model).quit || cmd != nil {
		t.Errorf("Update(q) after Done = quit %v, cmd %v; want no quit and no command", next.(model).quit, cmd != nil)
	}
}

func TestUpdateHelpToggles(t *testing.T) {
	m := show(t, runningFrame(), 80, 24)
	help := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("?")}
	for i, want := range []bool{true, false, true} {
		m = update(t, m, help)
		if m.help.ShowAll != want {
			t.Errorf("after %d presses of ?, ShowAll = %v; want %v", i+1, m.help.ShowAll, want)
		}
	}
}

func TestUpdateWindowSize(t *testing.T) {
	m := update(t, newModel(nil, nil), tea.WindowSizeMsg{Width: 132, Height: 43})
	if m.common.width != 132 || m.common.height != 43 || m.help.Width != 132 {
		t.Errorf("after WindowSizeMsg{132, 43}: size %dx%d, help width %d; want 132x43, 132",
			m.common.width, m.common.height, m.help.Width)
	}
}

func TestUpdateFrames(t *testing.T) {
	frames := make(chan Frame, 1)
	m := newModel(nil, frames)

	next, cmd := m.Update(frameMsg(runningFrame()))
	if isQuitNow := cmd == nil; isQuitNow {
		t.Fatalf("Update(running frame) returned no command; want one waiting for the next frame")
	}
	want := runningFrame()
	want.Elapsed++
	frames <- want
	if got := cmd(); !cmp.Equal(Frame(got.(frameMsg)), want) {
		t.Errorf("the command after a running frame returned %v; want the next frame", got)
	}

	_, cmd = next.(model).Update(frameMsg(donePassFrame()))
	if !isQuit(cmd) {
		t.Errorf("Update(done frame) does not quit")
	}
}

func TestUpdateStop(t *testing.T) {
	stop := make(chan struct{})
	close(stop)
	m := newModel(stop, make(chan Frame))
	msg := m.Init()()
	if _, ok := msg.(stopMsg); !ok {
		t.Fatalf("Init() with a closed stop channel returned %T; want stopMsg", msg)
	}
	next, cmd := m.Update(msg)
	if !next.(model).ended || next.(model).quit || !isQuit(cmd) {
		t.Errorf("Update(stopMsg) = ended %v, quit %v, quits %v; want true, false, true",
			next.(model).ended, next.(model).quit, isQuit(cmd))
	}
}

func TestUpdateDoesNotModifyTheSendersFrame(t *testing.T) {
	f := runningFrame()
	f.Notes = []string{"token=abcdefgh12345678"}
	f.Checks[0].Evidence = &check.Evidence{Expected: "x"}
	before := runningFrame()
	before.Notes = []string{"token=abcdefgh12345678"}
	before.Checks[0].Evidence = &check.Evidence{Expected: "x"}
	show(t, f, 80, 24)
	if diff := cmp.Diff(before, f); diff != "" {
		t.Errorf("Update changed the frame it was given (-before +after):\n%s", diff)
	}
}
