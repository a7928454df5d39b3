package runner

import (
	"runtime"
	"syscall"
)

// background runs judge on a goroutine locked to a thread of the lowest
// priority (nice 19), so that a stretch judged while the run sends yields
// to the attack, and to a target on the same machine. The thread ends with
// the goroutine (it is never unlocked), so no other goroutine inherits its
// priority.
func background(judge func()) {
	go func() {
		runtime.LockOSThread()
		_ = syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), 19) // best effort: judged at normal priority otherwise
		judge()
	}()
}
