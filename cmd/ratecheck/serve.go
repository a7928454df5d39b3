package main

import (
	"context"
	"fmt"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/ratecheck/ratecheck/internal/reftarget"
	"github.com/ratecheck/ratecheck/scenarios"
)

type serveOptions struct {
	Scenario string
	Addr     string
	Fault    string
}

func newServeCmd(env *Env) *cobra.Command {
	opts := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve SCENARIO",
		Short: "Serve the scenario's reference target: an API that keeps the contract exactly, or breaks it on purpose",
		Long: `serve runs the reference target alone: an HTTP server that implements the
scenario's limits, headers, error bodies and auth exactly. With --fault it
carries one realistic bug, to see ratecheck catch it.

It accepts the API keys found in the scenario's environment variables, the
same ones 'ratecheck run --target' sends.

Faults:
` + faultHelp(),
		Example: `  export COPILOT_API_KEY=demo-key
  ratecheck serve scenarios/copilot.yaml --addr 127.0.0.1:8080 --fault off-by-one &
  ratecheck run scenarios/copilot.yaml --target http://127.0.0.1:8080`,
		Args: argsError(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Scenario = args[0]
			return serveRun(cmd.Context(), env, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Addr, "addr", "127.0.0.1:8080", "address to listen on")
	cmd.Flags().StringVar(&opts.Fault, "fault", "", "inject a fault (see the list above)")
	return cmd
}

func faultHelp() string {
	var b strings.Builder
	for _, f := range reftarget.Faults() {
		fmt.Fprintf(&b, "  %-16s %s\n", f, f.Description())
	}
	return b.String()
}

func serveRun(ctx context.Context, env *Env, o *serveOptions) error {
	sc, err := scenarios.Load(o.Scenario)
	if err != nil {
		return err
	}
	keys, err := envKeys(sc, env.Getenv)
	if err != nil {
		return err
	}
	t, err := startTarget(sc, o.Addr, keys, o.Fault)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	fault := "no fault"
	if o.Fault != "" {
		fault = "fault " + o.Fault
	}
	fmt.Fprintf(env.Stdout, "serving %s (%s) on %s; Ctrl-C stops\n", sc.Name, fault, t.URL)
	select {
	case <-ctx.Done():
	case err := <-t.err:
		if err != nil {
			return fmt.Errorf("serve %s: %w", t.URL, err)
		}
	}
	return t.Close()
}
