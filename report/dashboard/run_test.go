package dashboard

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
)

// Bounds for the real-program tests; they end in milliseconds when all is well.
const (
	waitLimit  = 5 * time.Second
	finalLimit = 5 * time.Second
)

// newTestProgram runs the model in teatest at 80x24, fed by mb.
func newTestProgram(t *testing.T, mb *Mailbox) *teatest.TestModel {
	t.Helper()
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) }) // ends a frame-waiting command left behind
	return teatest.NewTestModel(t, newModel(stop, mb.C()), teatest.WithInitialTermSize(80, 24))
}

func contains(s string) func([]byte) bool {
	return func(b []byte) bool { return bytes.Contains(b, []byte(s)) }
}

func TestProgramQuitsAfterTheDoneFrame(t *testing.T) {
	mb := NewMailbox()
	tm := newTestProgram(t, mb)
	mb.Put(runningFrame())
	teatest.WaitFor(t, tm.Output(), contains("phase 3/5"), teatest.WithDuration(waitLimit))

	mb.Put(doneFailFrame())
	final, ok := tm.FinalModel(t, teatest.WithFinalTimeout(finalLimit)).(model)
	if !ok {
		t.Fatalf("FinalModel is not a model")
	}
	if !final.frame.Done || final.quit {
		t.Errorf("final model: Done %v, quit %v; want true, false", final.frame.Done, final.quit)
	}
	out, err := io.ReadAll(tm.FinalOutput(t))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte("✗ FAIL")) {
		t.Errorf("final output does not show the verdict:\n%s", out)
	}
}

func TestProgramQuitsOnQ(t *testing.T) {
	mb := NewMailbox()
	tm := newTestProgram(t, mb)
	mb.Put(runningFrame())
	teatest.WaitFor(t, tm.Output(), contains("q stop"), teatest.WithDuration(waitLimit))

	tm.Type("q")
	final := tm.FinalModel(t, teatest.WithFinalTimeout(finalLimit)).(model)
	if !final.quit {
		t.Errorf("after q, final model quit = false; want true")
	}
}

func TestRunReturnsQuitOnQ(t *testing.T) {
	mb := NewMailbox()
	mb.Put(runningFrame())
	var out bytes.Buffer
	quit, err := Run(t.Context(), mb, Options{In: strings.NewReader("q"), Out: &out})
	if !quit || err != nil {
		t.Errorf("Run with q typed = %v, %v; want true, nil", quit, err)
	}
	if !strings.Contains(out.String(), "stopping the run") {
		t.Errorf("Run with q typed left the screen:\n%s\nwant it to say the run is stopping", out.String())
	}
}

func TestRunEndsAfterTheDoneFrame(t *testing.T) {
	mb := NewMailbox()
	mb.Put(donePassFrame())
	var out bytes.Buffer
	quit, err := Run(t.Context(), mb, Options{In: strings.NewReader(""), Out: &out})
	if quit || err != nil {
		t.Errorf("Run with a Done frame = %v, %v; want false, nil", quit, err)
	}
	if !strings.Contains(out.String(), "✓ PASS") {
		t.Errorf("Run with a Done frame left the screen:\n%s\nwant the verdict on it", out.String())
	}
}

func TestRunEndsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	mb := NewMailbox()
	mb.Put(runningFrame())
	type result struct {
		quit bool
		err  error
	}
	done := make(chan result)
	go func() { // ends when Run returns
		quit, err := Run(ctx, mb, Options{In: strings.NewReader(""), Out: io.Discard})
		done <- result{quit, err}
	}()
	cancel()
	select {
	case r := <-done:
		if r.quit || !errors.Is(r.err, context.Canceled) {
			t.Errorf("Run after cancel = %v, %v; want false, context.Canceled", r.quit, r.err)
		}
	case <-time.After(waitLimit):
		t.Fatalf("Run did not return %v after its context was cancelled", waitLimit)
	}
}

func TestRunNilMailbox(t *testing.T) {
	if _, err := Run(t.Context(), nil, Options{}); err == nil {
		t.Errorf("Run(nil mailbox) = nil error; want one")
	}
}

var _ tea.Model = model{}

// TestProgramFinalFrames runs the real program at 80×24 and 160×48 to the last
// frame of a failing run and keeps that frame as a golden file: the limit
// line crossed where the target over-admitted, and the failing checks.
func TestProgramFinalFrames(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			mb := NewMailbox()
			stop := make(chan struct{})
			t.Cleanup(func() { close(stop) })
			tm := teatest.NewTestModel(t, newModel(stop, mb.C()), teatest.WithInitialTermSize(size[0], size[1]))
			mb.Put(runningFrame())
			teatest.WaitFor(t, tm.Output(), contains("phase 3/5"), teatest.WithDuration(waitLimit))
			mb.Put(doneFailFrame())
			final, ok := tm.FinalModel(t, teatest.WithFinalTimeout(finalLimit)).(model)
			if !ok {
				t.Fatalf("FinalModel is not a model")
			}
			view := final.View()
			golden.RequireEqual(t, view)
			for _, want := range []string{"limit 20 ", "┼", "✗ limit.enforced", "✗ FAIL"} {
				if !strings.Contains(ansi.Strip(view), want) {
					t.Errorf("final frame lacks %q", want)
				}
			}
		})
	}
}

// TestProgramShowsAFailureWhileRunning: the real program, fed a frame whose
// provisional checks hold a failure, shows the failing check and its first
// evidence request before the run is done, at 80×24 and 160×48.
func TestProgramShowsAFailureWhileRunning(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			mb := NewMailbox()
			stop := make(chan struct{})
			t.Cleanup(func() { close(stop) })
			tm := teatest.NewTestModel(t, newModel(stop, mb.C()), teatest.WithInitialTermSize(size[0], size[1]))
			mb.Put(runningFailFrame())
			teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
				s := ansi.Strip(string(b))
				return strings.Contains(s, "✗ limit.enforced") && strings.Contains(s, "#261 over +12.512s 200") && strings.Contains(s, "provisional")
			}, teatest.WithDuration(waitLimit))
			mb.Put(doneFailFrame())
			if _, ok := tm.FinalModel(t, teatest.WithFinalTimeout(finalLimit)).(model); !ok {
				t.Fatalf("FinalModel is not a model")
			}
		})
	}
}
