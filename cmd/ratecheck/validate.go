package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ratecheck/ratecheck/scenarios"
)

func newValidateCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "validate SCENARIO...",
		Short: "Check scenario files and print every problem as file:line:col: message",
		Example: `  ratecheck validate scenarios/*.yaml
  ratecheck validate my-api.yaml`,
		Args: argsError(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return validateRun(env, args)
		},
	}
}

func validateRun(env *Env, files []string) error {
	var all scenarios.ErrorList
	var other error
	for _, f := range files {
		_, err := scenarios.Load(f)
		if err == nil {
			fmt.Fprintf(env.Stdout, "%s: ok\n", f)
			continue
		}
		if list, ok := errors.AsType[scenarios.ErrorList](err); ok {
			all = append(all, list...)
			continue
		}
		other = errors.Join(other, err)
	}
	if other != nil {
		return &usageError{err: other}
	}
	if len(all) > 0 {
		return all
	}
	return nil
}
