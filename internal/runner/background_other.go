//go:build !linux

package runner

// background runs judge on a goroutine of its own (thread priorities are
// set on Linux only).
func background(judge func()) { go judge() }
