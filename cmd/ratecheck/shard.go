package main

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/spf13/pflag"

	"github.com/ratecheck/ratecheck/attack"
	"github.com/ratecheck/ratecheck/internal/runner"
	"github.com/ratecheck/ratecheck/internal/runreport"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
)

// shardFlags are run's flags for one shard of a run sent from several places.
type shardFlags struct {
	Shard      string
	StartAt    string
	SourceAddr string   // the first --source-addr: every phase's address
	OtherAddrs []string // further --source-addr values: a second client's
	ClockSkew  time.Duration
	sourceArgs []string
}

// maxStartLate is how late past --start-at a shard may still begin: it sends
// its overdue requests at once, a burst the plan did not ask for, so more
// than this is refused.
const maxStartLate = time.Second

func (f *shardFlags) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&f.Shard, "shard", "", "send shard `i/N` of the plan: requests i, i+N, … of every phase, at 1/N of each rate (i from 0)")
	fs.StringVar(&f.StartAt, "start-at", "", "begin at `TIME` (RFC 3339), the same for every shard, so that they send together")
	fs.StringArrayVar(&f.sourceArgs, "source-addr", nil, "send from the local address `IP` (e.g. 127.0.0.2: shards on one machine as distinct clients); given twice, the second is a second client for limit.per-ip")
	fs.DurationVar(&f.ClockSkew, "clock-skew", 0, "behave as if this machine's clock were off by `D` (tests of the shard merge)")
	_ = fs.MarkHidden("clock-skew")
}

// apply puts the flags into the attack's options; a bad value is a usage error.
// A shard writes no reports: its slice alone proves nothing about the limit.
func (f *shardFlags) apply(o *attack.Options, env *Env, outputs runreport.Outputs) error {
	if f.Shard != "" {
		s, err := plan.ParseShard(f.Shard)
		if err != nil {
			return &usageError{err: fmt.Errorf("--shard: %w", err)}
		}
		o.Shard = s
	}
	if o.Shard.Sharded() && outputs != (runreport.Outputs{}) {
		return &usageError{err: fmt.Errorf("--shard %s writes only its run directory: reports come from judging every shard together ('ratecheck report DIR...' with each shard's directory)", f.Shard)}
	}
	o.ClockSkew = f.ClockSkew
	if f.SourceAddr != "" {
		a, err := netip.ParseAddr(f.SourceAddr)
		if err != nil {
			return &usageError{err: fmt.Errorf("--source-addr %q: want an IP address of this machine, such as 127.0.0.2", f.SourceAddr)}
		}
		o.SourceAddr = a
	}
	for _, s := range f.OtherAddrs {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return &usageError{err: fmt.Errorf("--source-addr %q: want an IP address of this machine, such as 127.0.0.2", s)}
		}
		o.OtherSources = append(o.OtherSources, a)
	}
	if f.StartAt == "" {
		if o.Shard.Sharded() {
			return &usageError{err: fmt.Errorf("--shard %s needs --start-at TIME, the same for every shard, so that the shards send together", f.Shard)}
		}
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, f.StartAt)
	if err != nil {
		return &usageError{err: fmt.Errorf("--start-at %q: want an RFC 3339 time such as %s", f.StartAt, env.Now().Add(2*time.Minute).UTC().Format(time.RFC3339))}
	}
	if late := env.Now().Add(f.ClockSkew).Sub(t); late > maxStartLate {
		return &usageError{err: fmt.Errorf("--start-at %s passed %s ago: give every shard a start time still to come", f.StartAt, late.Round(time.Millisecond))}
	}
	o.StartAt = t // as this machine's clock reads it
	return nil
}

// announce says, before waiting, which shard this is and when it starts.
func (f *shardFlags) announce(env *Env, o attack.Options) {
	if o.StartAt.IsZero() {
		return
	}
	what := "the run"
	if o.Shard.Sharded() {
		what = "shard " + o.Shard.String()
	}
	wait := o.StartAt.Sub(env.Now().Add(o.ClockSkew))
	fmt.Fprintf(env.Stderr, "%s starts at %s (in %s)\n", what, o.StartAt.UTC().Format(time.RFC3339Nano), wait.Round(time.Millisecond))
}

// finishShard ends one shard's run: it records the run's end and says how to
// judge the whole run. It gives no verdict: a shard sends 1/N of every
// phase, which alone may never reach the limit.
func finishShard(env *Env, w *results.Writer, meta results.Meta, out *runner.Outcome, dir string) error {
	err := w.Close(meta)
	if out.WriteErr != nil {
		err = errors.Join(err, fmt.Errorf("observations were not all saved: %w", out.WriteErr))
	}
	span := out.Finished.Sub(out.Started)
	fmt.Fprintf(env.Stdout, "shard %s: sent %d requests in %s; run directory %s\n", meta.Shard, out.Metrics.Requests, span.Round(time.Millisecond), dir)
	fmt.Fprintln(env.Stdout, "judge the whole run once every shard has finished: ratecheck report DIR... (every shard's run directory)")
	switch {
	case err != nil:
		return err
	case out.Interrupted && meta.Stopped != "":
		return &stoppedError{by: meta.Stopped}
	case out.Interrupted:
		return errInterrupted
	}
	return nil
}

// keyEnv is env as the shard reads its API keys: a variable VAR_SHARD_<i>,
// when set, stands for VAR in shard i, so that shards may send with keys of
// their own (per-key limits seen from several places).
func (f *shardFlags) keyEnv(env *Env) *Env {
	s, err := plan.ParseShard(f.Shard)
	if f.Shard == "" || err != nil || !s.Sharded() {
		return env
	}
	e := *env
	e.Getenv = func(name string) string {
		if v := env.Getenv(fmt.Sprintf("%s_SHARD_%d", name, s.Index)); v != "" {
			return v
		}
		return env.Getenv(name)
	}
	return &e
}
