package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ratecheck/ratecheck/attack"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

type exportOptions struct {
	Dir      string
	Format   string
	Encoding string
	Output   string
}

func newExportCmd(env *Env) *cobra.Command {
	opts := &exportOptions{}
	cmd := &cobra.Command{
		Use:   "export RUN_DIR --format vegeta",
		Short: "Write a stored run's requests in another tool's format (vegeta)",
		Long: `export writes every observation of a run directory as a vegeta result, so
vegeta's own tools read a ratecheck run: 'vegeta report', 'vegeta plot',
'vegeta encode'. The encoding is gob (what 'vegeta attack' writes, the
default), json or csv.

Each result carries the send time, latency, status, method and URL, and the
attack name scenario/phase. Error is vegeta's for a status outside 200-399
("429 Too Many Requests") or the transport error. Body and bytes_in are the
bounded snippet ratecheck kept, not the whole body; headers are the rate-limit
headers ratecheck recorded. No API key is ever written.`,
		Example: `  ratecheck export runs/20261204T170000Z-copilot --format vegeta > results.bin
  vegeta report results.bin
  ratecheck export runs/20261204T170000Z-copilot --format vegeta | vegeta plot > plot.html
  ratecheck export runs/20261204T170000Z-copilot --format vegeta --encoding json -o results.json`,
		Args: argsError(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = args[0]
			if opts.Format != "vegeta" {
				return &usageError{err: fmt.Errorf("--format %q: the one format is vegeta", opts.Format), cmd: cmd}
			}
			return exportRun(env, opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.Format, "format", "vegeta", "the `tool` whose format to write: vegeta")
	fs.StringVar(&opts.Encoding, "encoding", "gob", "vegeta's result encoding: "+strings.Join(attack.Encodings, ", "))
	fs.StringVarP(&opts.Output, "output", "o", "-", "output `file`; - is stdout")
	return cmd
}

func exportRun(env *Env, o *exportOptions) (err error) {
	run, err := results.Open(o.Dir)
	if err != nil {
		return &usageError{err: err}
	}
	sc, err := scenarios.Parse(run.Meta.ScenarioFile, run.Scenario)
	if err != nil {
		return err
	}
	plan, err := storedPlan(sc, run.Meta)
	if err != nil {
		return err
	}
	var w io.Writer = env.Stdout
	if o.Output != "-" {
		f, err := os.Create(o.Output)
		if err != nil {
			return &usageError{err: err}
		}
		defer func() { err = errors.Join(err, f.Close()) }()
		w = f
	}
	bw := bufio.NewWriter(w)
	e, err := attack.NewVegetaExporter(bw, o.Encoding, plan, run.Meta.Target)
	if err != nil {
		return &usageError{err: err}
	}
	n := 0
	for ob, err := range run.Observations() {
		if err != nil {
			return err
		}
		if err := e.Write(ob); err != nil {
			return err
		}
		n++
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if o.Output != "-" {
		fmt.Fprintf(env.Stderr, "exported %d requests to %s\n", n, o.Output)
	}
	return nil
}
