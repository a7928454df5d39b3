package dashboard

import (
	"context"
	"errors"
	"fmt"
	"io"

	tea "github.com/charmbracelet/bubbletea"
)

// Options configure Run.
type Options struct {
	In        io.Reader // keys; nil means the terminal (os.Stdin, or /dev/tty when stdin is not one)
	Out       io.Writer // the screen; nil means os.Stdout
	AltScreen bool      // draw on the alternate screen; the final picture then disappears on exit
}

// Run shows the dashboard until the final frame (Done) has been shown, the user
// quits (q, esc, ctrl+c) or ctx ends. It returns quit=true when the user asked
// to stop the run early; the caller then stops the run and still writes its
// reports. When ctx ends first, the error wraps ctx's error. Without
// AltScreen the last picture is left on the terminal.
func Run(ctx context.Context, mb *Mailbox, o Options) (quit bool, err error) {
	if mb == nil {
		return false, errors.New("dashboard: run: nil mailbox")
	}
	inner, cancel := context.WithCancel(ctx)
	defer cancel() // ends the frame-waiting command if the program ended otherwise

	var opts []tea.ProgramOption
	if o.In != nil {
		opts = append(opts, tea.WithInput(o.In))
	}
	if o.Out != nil {
		opts = append(opts, tea.WithOutput(o.Out))
	}
	if o.AltScreen {
		opts = append(opts, tea.WithAltScreen())
	}
	final, err := tea.NewProgram(newModel(inner.Done(), mb.C()), opts...).Run()
	switch {
	case errors.Is(err, tea.ErrInterrupted):
		return true, nil // SIGINT while the terminal was not in raw mode
	case err != nil:
		return false, fmt.Errorf("dashboard: run: %w", err)
	}
	m, ok := final.(model)
	if !ok {
		return false, fmt.Errorf("dashboard: run: unexpected final model %T", final)
	}
	if m.ended && ctx.Err() != nil {
		return false, fmt.Errorf("dashboard: run: %w", context.Cause(ctx))
	}
	return m.quit, nil
}
