package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ratecheck/ratecheck/attack"
	"github.com/ratecheck/ratecheck/scenarios"
)

// The exit statuses of ratecheck; this file is the one place that decides them.
const (
	exitPass         = 0
	exitFail         = 1
	exitUsage        = 2
	exitInconclusive = 3
	exitSIGINT       = 130 // 128 + SIGINT, as a shell reports a process it interrupted
	exitSIGTERM      = 143 // 128 + SIGTERM
)

// errChecksFailed says the run was judged and at least one check failed. The
// verdict has already been printed.
var errChecksFailed = errors.New("checks failed")

// errInterrupted says a stored run did not carry out its plan. What was
// recorded has been judged and written, but a partial run never passes a CI
// gate.
var errInterrupted = errors.New("run interrupted before the plan ended")

// errInconclusive says the run completed but its evidence settles nothing. The
// verdict and its reason have already been printed.
var errInconclusive = errors.New("inconclusive")

// stoppedError says a signal (or quitting the dashboard) stopped the run
// before its plan ended. What was sent has been judged and written.
type stoppedError struct {
	by string // "SIGINT", "SIGTERM" or "quit"
}

func (e *stoppedError) Error() string {
	return "run stopped by " + e.by + " before the plan ended; reports written, marked INCOMPLETE"
}

// exitStatus is the status of a stopped run: 143 for SIGTERM, 130 otherwise.
func exitStatus(e *stoppedError) int {
	if e.by == "SIGTERM" {
		return exitSIGTERM
	}
	return exitSIGINT
}

// usageError is a problem with the command line itself.
type usageError struct {
	err error
	cmd *cobra.Command
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// reportError prints err for a person and returns the exit status it means.
func reportError(env *Env, err error) int {
	if err == nil {
		return exitPass
	}
	if list, ok := errors.AsType[scenarios.ErrorList](err); ok {
		for _, e := range list {
			fmt.Fprintln(env.Stderr, e.Error())
		}
		return exitUsage
	}
	if se, ok := errors.AsType[*stoppedError](err); ok {
		fmt.Fprintf(env.Stderr, "ratecheck: %v\n", err)
		return exitStatus(se)
	}
	switch {
	case errors.Is(err, errChecksFailed), errors.Is(err, errRegressed):
		return exitFail
	case errors.Is(err, errInconclusive):
		return exitInconclusive
	case errors.Is(err, errInterrupted):
		fmt.Fprintf(env.Stderr, "ratecheck: %v\n", err)
		return exitFail
	case errors.Is(err, attack.ErrTLS):
		// The target answered but could not be trusted: no verdict, not a
		// usage error (the scenario and flags are fine), and nothing sent.
		fmt.Fprintf(env.Stderr, "ratecheck: %v\nverdict: INCONCLUSIVE (nothing was sent: the TLS handshake with the target failed)\n", err)
		return exitInconclusive
	case errors.Is(err, attack.ErrTargetUnreachable):
		fmt.Fprintf(env.Stderr, "ratecheck: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(env.Stderr, "ratecheck: %v\n", err)
	if ue, ok := errors.AsType[*usageError](err); ok && ue.cmd != nil {
		fmt.Fprintf(env.Stderr, "Run '%s --help' for usage.\n", ue.cmd.CommandPath())
	}
	return exitUsage
}

// argsError wraps cobra's positional-argument checks as usage errors.
func argsError(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return &usageError{err: err, cmd: cmd}
		}
		return nil
	}
}
