package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ratecheck/ratecheck/report"
	"github.com/ratecheck/ratecheck/scenarios"
)

// schemas are the JSON Schemas ratecheck prints, by name; schema/ in the
// repository holds each one as <name>.schema.json.
var schemas = map[string]func() []byte{
	"scenario": scenarios.JSONSchema,
	"report":   report.JSONSchema,
}

func newSchemaCmd(env *Env) *cobra.Command {
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range schemas {
			if !yield(n) {
				return
			}
		}
	})
	return &cobra.Command{
		Use:   "schema " + strings.Join(names, "|"),
		Short: "Print the JSON Schema of a scenario file or of report.json",
		Long: `schema prints a JSON Schema (draft 2020-12). The scenario schema lets an
editor check and complete scenario files: the shipped ones start with

  # yaml-language-server: $schema=../schema/scenario.schema.json

It checks the shape of a file (fields, types, words); what needs the whole
file (an endpoint a limit names, a plan every limit has) only
'ratecheck validate' checks.

The report schema describes report.json (and --json) of this version
(schema_version is a constant in it): durations are milliseconds, in fields
named with _ms (latency.p99_ms). 'ratecheck compare' still reads reports of
schema_version 1, which wrote nanoseconds.`,
		Example: `  ratecheck schema scenario > scenario.schema.json
  ratecheck schema report > report.schema.json`,
		Args: argsError(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			gen, ok := schemas[args[0]]
			if !ok {
				return &usageError{err: fmt.Errorf("no schema %q (want one of: %s)", args[0], strings.Join(names, ", ")), cmd: cmd}
			}
			_, err := env.Stdout.Write(gen())
			return err
		},
	}
}
