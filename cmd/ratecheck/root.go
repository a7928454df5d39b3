package main

import (
	"github.com/spf13/cobra"
)

func newRootCmd(env *Env) *cobra.Command {
	root := &cobra.Command{
		Use:   "ratecheck",
		Short: "Prove that an API keeps the rate limits its docs promise",
		Long: `ratecheck turns a documented rate limit ("20 requests per second; 429 beyond;
succeeds again after one second") into a scenario file, drives calibrated
traffic at it, and checks every response against a model of the limiter.

Exit status: 0 every check passed; 1 a check failed or the run was
interrupted; 2 bad input or usage (invalid scenario, bad flags, target
unreachable).`,
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
