package dashboard

import (
	"testing"
	"testing/synctest"
	"time"
)

func TestMailboxLatestWins(t *testing.T) {
	mb := NewMailbox()
	for i := range 5 {
		mb.Put(Frame{Elapsed: time.Duration(i + 1)})
	}
	if got := (<-mb.C()).Elapsed; got != 5 {
		t.Errorf("after Put 1..5, C() gave frame %d; want 5", got)
	}
	select {
	case f := <-mb.C():
		t.Errorf("C() gave a second frame %d; want the slot empty", f.Elapsed)
	default:
	}
}

func TestMailboxPutNeverBlocks(t *testing.T) {
	// In a bubble, a Put blocked on the channel with nobody reading is a
	// deadlock that synctest reports instead of hanging.
	synctest.Test(t, func(t *testing.T) {
		mb := NewMailbox()
		for i := range 10_000 {
			mb.Put(Frame{Elapsed: time.Duration(i)})
		}
		if got := (<-mb.C()).Elapsed; got != 9_999 {
			t.Errorf("C() gave frame %d; want the last, 9999", got)
		}
	})
}

func TestMailboxReaderSeesFramesInOrderAndTheLast(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n = 2_000
		mb := NewMailbox()
		got := make(chan []time.Duration)
		go func() { // reader; exits after it has seen the last frame
			var seen []time.Duration
			for f := range mb.C() {
				seen = append(seen, f.Elapsed)
				if f.Elapsed == n {
					break
				}
			}
			got <- seen
		}()
		for i := range n {
			mb.Put(Frame{Elapsed: time.Duration(i + 1)})
			if i%7 == 0 {
				synctest.Wait() // let the reader catch up now and then
			}
		}
		seen := <-got
		for i := 1; i < len(seen); i++ {
			if seen[i] <= seen[i-1] {
				t.Fatalf("reader saw frame %d after %d; want increasing", seen[i], seen[i-1])
			}
		}
		if len(seen) < 2 || len(seen) > n {
			t.Errorf("reader saw %d frames; want between 2 and %d", len(seen), n)
		}
	})
}
