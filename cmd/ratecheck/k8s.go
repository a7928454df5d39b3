package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ratecheck/ratecheck/internal/k8s"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/scenarios"
)

type k8sOptions struct {
	Scenario     string
	Shards       int
	Image        string
	Target       string
	StartAt      string
	StartIn      time.Duration
	Name         string
	KeysSecret   string
	Storage      string
	StorageClass string
	Wait         time.Duration
	Limit        string
}

func newK8sCmd(env *Env) *cobra.Command {
	o := &k8sOptions{}
	cmd := &cobra.Command{
		Use:   "k8s SCENARIO --shards N --image IMAGE",
		Short: "Print the Kubernetes manifests that run a scenario from N pods at once and judge them as one run",
		Long: `k8s prints, for kubectl apply, the manifests of a sharded run:

  - the scenario as a ConfigMap;
  - a ReadWriteMany volume the run directories go to;
  - an Indexed Job of N pods, pod i running 'ratecheck run --shard i/N' at a
    shared start time (each pod its own source address: per-IP limits see N
    clients);
  - a Job that waits for every shard's run directory and judges them as one
    run ('ratecheck report' over all of them), writing report.json,
    report.html, junit.xml and summary.md next to them on the volume.

API keys come from the Secret named by --keys-secret, as environment
variables (the scenario's key variables; VAR_SHARD_<i> gives shard i a key
of its own). The start time is fixed when the manifests are printed: apply
them before it (default: 5 minutes from now), or print them again.`,
		Example: `  kubectl create secret generic copilot-keys --from-literal=COPILOT_API_KEY=...
  ratecheck k8s scenarios/copilot.yaml --shards 8 --image registry.example.com/ratecheck:v1 \
      --target https://staging.example.com --keys-secret copilot-keys | kubectl apply -f -`,
		Args: argsError(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Scenario = args[0]
			return k8sRun(env, o)
		},
	}
	fs := cmd.Flags()
	fs.IntVar(&o.Shards, "shards", 0, "number of shard pods `N` (each sends 1/N of every phase)")
	fs.StringVar(&o.Image, "image", "", "container `IMAGE` holding the ratecheck binary (see the Dockerfile)")
	fs.StringVar(&o.Target, "target", "", "base `URL` every shard sends to (default: the scenario's target:)")
	fs.StringVar(&o.StartAt, "start-at", "", "shared start `TIME` (RFC 3339; default: now + --start-in)")
	fs.DurationVar(&o.StartIn, "start-in", 5*time.Minute, "start this long after the manifests are printed, when --start-at is not given")
	fs.StringVar(&o.Name, "name", "", "base `NAME` of the objects (default: ratecheck-<scenario>)")
	fs.StringVar(&o.KeysSecret, "keys-secret", "", "`SECRET` whose entries become the shards' environment (API keys)")
	fs.StringVar(&o.Storage, "storage", "1Gi", "`SIZE` of the run directories' volume")
	fs.StringVar(&o.StorageClass, "storage-class", "", "storage `CLASS` of the volume; it must offer ReadWriteMany (default: the cluster's)")
	fs.DurationVar(&o.Wait, "wait", 30*time.Minute, "how long the judging Job waits for the shards")
	fs.StringVar(&o.Limit, "limit", "", "the limit `NAME` the shards test, for a scenario with several (default: the one that stops traffic first: the shortest window, then the fewest requests)")
	return cmd
}

func k8sRun(env *Env, o *k8sOptions) error {
	sc, err := scenarios.Load(o.Scenario)
	if err != nil {
		return err
	}
	if o.Shards < 1 {
		return &usageError{err: fmt.Errorf("--shards N is required: the number of pods that send the run together")}
	}
	if o.Image == "" {
		return &usageError{err: fmt.Errorf("--image is required: an image holding the ratecheck binary (the repository's Dockerfile builds one)")}
	}
	if o.Target == builtinTarget || (o.Target == "" && sc.Target == "") {
		return &usageError{err: fmt.Errorf("the shards need a target every pod can reach: give --target URL (the built-in reference target lives inside one process)")}
	}
	start := env.Now().Add(o.StartIn).Truncate(time.Second)
	if o.StartAt != "" {
		if start, err = time.Parse(time.RFC3339, o.StartAt); err != nil {
			return &usageError{err: fmt.Errorf("--start-at %q: want an RFC 3339 time such as %s", o.StartAt, env.Now().Add(5*time.Minute).UTC().Format(time.RFC3339))}
		}
	}
	var extra []string
	if o.Limit != "" {
		if err := knownLimit(sc, o.Limit); err != nil {
			return err
		}
		extra = []string{"--limit", o.Limit}
	}
	name := o.Name
	if name == "" {
		name = k8s.Name(sc.Name)
	}
	objs, err := k8s.Objects(k8s.Options{
		Name: name, Scenario: sc.Raw, Shards: o.Shards, Image: o.Image, StartAt: start, Target: o.Target,
		KeysSecret: o.KeysSecret, Storage: o.Storage, StorageClass: o.StorageClass, Wait: o.Wait, Extra: extra,
	})
	if err != nil {
		return &usageError{err: err}
	}
	y, err := k8s.YAML(objs)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "# ratecheck k8s %s: %d shards starting at %s; apply before then.\n", o.Scenario, o.Shards, start.UTC().Format(time.RFC3339))
	if several := plan.TestableLimits(sc); o.Limit == "" && len(several) > 1 {
		fmt.Fprintf(env.Stdout, "# %s has %d limits that each stop some endpoint first (%s); these shards test %s: print the manifests again with --limit NAME (and another --name) for each of the others.\n",
			sc.Name, len(several), strings.Join(several, ", "), several[0])
	}
	_, err = env.Stdout.Write(y)
	return err
}
