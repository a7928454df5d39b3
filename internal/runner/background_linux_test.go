package runner

import (
	"syscall"
	"testing"
)

// TestBackgroundJudgesAtLowPriority: the stretches a live run judges run on
// a thread at nice 19, and the caller's thread keeps its priority.
func TestBackgroundJudgesAtLowPriority(t *testing.T) {
	before, err := syscall.Getpriority(syscall.PRIO_PROCESS, 0)
	if err != nil {
		t.Skipf("getpriority: %v", err)
	}
	got := make(chan int, 1)
	background(func() {
		p, err := syscall.Getpriority(syscall.PRIO_PROCESS, syscall.Gettid())
		if err != nil {
			p = -1
		}
		got <- p
	})
	// Linux's getpriority returns 20 - nice.
	if p := <-got; p != 20-19 {
		t.Errorf("the judging thread's getpriority = %d; want %d (nice 19)", p, 20-19)
	}
	if after, _ := syscall.Getpriority(syscall.PRIO_PROCESS, 0); after != before {
		t.Errorf("the process's priority moved from %d to %d", before, after)
	}
}
