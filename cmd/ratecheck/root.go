package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newRootCmd(env *Env) *cobra.Command {
	root := &cobra.Command{
		Use:   "ratecheck",
		Short: "Prove that an API keeps the rate limits its docs promise",
		Long: `ratecheck turns a documented rate limit ("20 requests per second; 429 beyond;
succeeds again after one second") into a scenario file, drives calibrated
traffic at it, and checks every response against a model of the limiter.

` + exitStatusHelp,
		Version:       currentVersion().Short(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate(currentVersion().Long())
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	root.SetIn(env.Stdin)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &usageError{err: err, cmd: cmd}
	})
	root.AddCommand(
		newRunCmd(env, nil),
		newValidateCmd(env),
		newPlanCmd(env),
		newServeCmd(env),
		newReportCmd(env),
		newCompareCmd(env),
		newExportCmd(env),
		newVersionCmd(env),
		newSchemaCmd(env),
		newK8sCmd(env),
	)
	return root
}

// exitStatusHelp states the exit statuses (exit.go) for the help.
var exitStatusHelp = fmt.Sprintf(`Exit status: %d PASS, every check passed; %d FAIL, a check failed (report of a
run that never finished: INCOMPLETE); %d bad input or usage, found before
anything is sent (invalid scenario, bad flags, an output that cannot be
written, target unreachable); %d INCONCLUSIVE, the run completed but its
evidence settles nothing (every answer 401, nothing limited); %d and %d
INCOMPLETE, stopped by SIGINT or SIGTERM (every report written, never PASS).`,
	exitPass, exitFail, exitUsage, exitInconclusive, exitSIGINT, exitSIGTERM)
