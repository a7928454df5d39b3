// Command ratecheck proves that an HTTP API keeps the rate limits its
// documentation promises: it plans calibrated traffic from a scenario file,
// sends it with vegeta, judges every response against a model of the limiter,
// and writes JSON, HTML, JUnit and Markdown reports.
//
// EXIT STATUS
//
//	0    every check that could be judged passed
//	1    at least one check failed ('ratecheck report': or the stored run is unfinished)
//	2    bad input or usage: invalid scenario, bad flags, target unreachable,
//	     an output that cannot be written; found before anything is sent
//	3    inconclusive: the run completed but its evidence settles nothing
//	     (nothing admitted or limited, every answer 401/403/404/5xx or none,
//	     no limit check could be judged)
//	130  stopped by SIGINT (Ctrl-C) or by quitting the dashboard; 143 by
//	     SIGTERM: reports are written and marked INCOMPLETE
package main

import (
	"context"
	"io"
	"os"
	"time"

	"golang.org/x/term"
)

// Env is what a command may touch of the world: streams, environment, clock
// and whether stdout is a terminal. Tests build their own.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	IsTTY  bool // stdout is an interactive terminal
	// Loopback, when set, replaces the check that a host is this machine
	// (tests pretend a loopback target is remote).
	Loopback func(host string) bool
	Now      func() time.Time
}

func systemEnv() *Env {
	return &Env{
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Getenv: os.Getenv,
		IsTTY:  term.IsTerminal(int(os.Stdout.Fd())) && os.Getenv("CI") == "" && os.Getenv("TERM") != "dumb",
		Now:    time.Now,
	}
}

func main() {
	os.Exit(run(context.Background(), systemEnv(), os.Args[1:]))
}

// run executes one command line and returns the exit status.
func run(ctx context.Context, env *Env, args []string) int {
	root := newRootCmd(env)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	return reportError(env, err)
}
