package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Peak RSS is measured by a wrapper process, not from this one.
//
// Linux reports a child's ru_maxrss as at least its parent's own peak RSS: Go
// starts children with clone(CLONE_VM|CLONE_VFORK), so until exec the child
// runs in the parent's memory, and exec keeps that memory's high-water mark
// (exec_mmap → setmax_mm_hiwater_rss). compare's own peak (tens of MB after
// decoding results) would then be the floor of every measurement. So each
// measured program runs under `compare -rusage FILE PROG ARGS…`: a fresh
// process with a few MB of its own, which runs PROG, waits for it and writes
// its rusage to FILE.

// rusageFlag starts the wrapper mode.
const rusageFlag = "-rusage"

// childUsage is what the wrapper writes: the measured program's rusage.
type childUsage struct {
	MaxRSS int64         `json:"max_rss"` // bytes
	CPU    time.Duration `json:"cpu"`     // user + system
	Exit   int           `json:"exit"`
}

// runWrapper is the wrapper mode: args are FILE PROG ARGS…. It runs PROG with
// this process's stdin, stdout and stderr, writes PROG's rusage to FILE and
// exits with PROG's exit status.
func runWrapper(args []string) int {
	if len(args) < 2 {
		fmt.Fprintln(os.Stderr, "compare -rusage: want FILE PROG [ARGS…]")
		return 2
	}
	cmd := exec.Command(args[1], args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// The program dies with the wrapper, so killing the wrapper stops it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	err := cmd.Run()
	exit := 0
	if ee, ok := errors.AsType[*exec.ExitError](err); ok {
		exit = max(ee.ExitCode(), 1)
	} else if err != nil {
		fmt.Fprintln(os.Stderr, "compare -rusage:", err)
		return 2
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		fmt.Fprintln(os.Stderr, "compare -rusage: no rusage")
		return 2
	}
	data, _ := json.Marshal(childUsage{MaxRSS: ru.Maxrss * 1024, CPU: rusageCPU(ru), Exit: exit})
	if err := os.WriteFile(args[0], data, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "compare -rusage:", err)
		return 2
	}
	return exit
}

// readChildUsage reads what the wrapper wrote to file.
func readChildUsage(file string) (childUsage, error) {
	var u childUsage
	data, err := os.ReadFile(file)
	if err != nil {
		return u, fmt.Errorf("compare: read rusage: %w", err)
	}
	if err := json.Unmarshal(data, &u); err != nil {
		return u, fmt.Errorf("compare: decode rusage %s: %w", file, err)
	}
	return u, nil
}
