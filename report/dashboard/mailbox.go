package dashboard

import "sync"

// Mailbox is a one-slot, latest-wins hand-off of frames from a run to the
// dashboard. Put never waits for the reader: a frame the dashboard has not
// taken yet is replaced by the newer one. The zero value is not usable; call
// NewMailbox.
type Mailbox struct {
	mu sync.Mutex // serialises Puts so that the drain-then-send below cannot fail
	ch chan Frame // capacity 1: the slot
}

// NewMailbox returns an empty mailbox.
func NewMailbox() *Mailbox {
	return &Mailbox{ch: make(chan Frame, 1)}
}

// Put leaves f in the slot, dropping the frame there if the reader has not
// taken it. It never blocks on the reader.
func (m *Mailbox) Put(f Frame) {
	m.mu.Lock()
	defer m.mu.Unlock()
	select {
	case <-m.ch: // stale: nobody took it
	default:
	}
	// Only Put fills the slot and we hold the lock, so the slot is free now.
	m.ch <- f
}

// C is the channel the dashboard takes frames from. It is never closed.
func (m *Mailbox) C() <-chan Frame {
	return m.ch
}
