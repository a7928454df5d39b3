// Command profile runs a ratecheck run in this process through
// internal/runner, as `ratecheck run` does (observations written to a run
// directory, metrics recorded, the Judge fed, a snapshot every 100 ms, the
// verdict at the end), so that it can be profiled: the ratecheck CLI has no
// profiling flag. The bench module may import internal/runner: its import
// path lies under the main module's root.
//
// Usage (with bench/target running on 127.0.0.1:8089):
//
//	go run ./cmd/profile -target http://127.0.0.1:8089 -rate 20000 -duration 10s -cpuprofile cpu.out
//	go tool pprof -top cpu.out
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/ratecheck/ratecheck/attack"
	"github.com/ratecheck/ratecheck/conformance"
	"github.com/ratecheck/ratecheck/internal/runner"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/results/metrics"
	"github.com/ratecheck/ratecheck/scenarios"
)

type options struct {
	Target      string
	Rate        int // 0: rate max
	Duration    time.Duration
	Connections int
	CPUProfile  string
	MemProfile  string
	Out         string
	Drain       bool
}

func main() {
	var o options
	flag.StringVar(&o.Target, "target", "http://127.0.0.1:8089", "loopback `URL` of bench/target")
	flag.IntVar(&o.Rate, "rate", 20000, "requests per second; 0 sends as fast as the connections allow")
	flag.DurationVar(&o.Duration, "duration", 10*time.Second, "length of the run")
	flag.IntVar(&o.Connections, "connections", 64, "run.connections")
	flag.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of the run to `file`")
	flag.StringVar(&o.MemProfile, "memprofile", "", "write a heap profile (after the verdict) to `file`")
	flag.BoolVar(&o.Drain, "drain", false, "only drain the observations (no writing, metrics or checks): the attack alone, for comparison")
	flag.StringVar(&o.Out, "out", "", "run `dir` for observations.bin (default: a temporary one, removed)")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "profile:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	u, err := loopbackURL(o.Target)
	if err != nil {
		return err
	}
	p, raw, err := benchPlan(o)
	if err != nil {
		return err
	}
	dir := o.Out
	if dir == "" {
		if dir, err = os.MkdirTemp("", "ratecheck-profile-"); err != nil {
			return fmt.Errorf("profile: make run dir: %w", err)
		}
		defer os.RemoveAll(dir)
	}
	if o.CPUProfile != "" {
		f, err := os.Create(o.CPUProfile)
		if err != nil {
			return fmt.Errorf("profile: create cpu profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("profile: start cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	ao := attack.Options{Target: u, Connections: o.Connections, Timeout: 5 * time.Second}
	cpu0 := selfCPU()
	if o.Drain {
		return drain(o, p, ao, cpu0)
	}
	w, err := results.Create(dir, results.Meta{SchemaVersion: results.SchemaVersion, ScenarioName: p.Scenario.Name, Started: time.Now()}, raw)
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	// The run goes through internal/runner, as `ratecheck run` does: the same
	// fan-out, writer, metrics, Judge and collector policy.
	var rssSent float64
	out, err := runner.Run(context.Background(), runner.Options{Plan: p, Attack: ao, Writer: w,
		OnProgress: func(p runner.Progress) {
			if !p.Done {
				rssSent = peakRSS() // the last tick while sending
			}
		}})
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	judged := time.Since(out.Started)
	if err := errors.Join(out.WriteErr, w.Close(results.Meta{Finished: out.Finished})); err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	if o.MemProfile != "" {
		if err := writeHeapProfile(o.MemProfile); err != nil {
			return err
		}
	}
	report(o, out.Metrics, out.Verdict, out.Finished.Sub(out.Started), judged, selfCPU()-cpu0)
	fmt.Printf("peak RSS at the last progress tick while sending %.1f MB; after the verdict %.1f MB\n", rssSent, peakRSS())
	sends, err := sendTimes(dir, p, o.Rate)
	if err != nil {
		return err
	}
	fmt.Printf("first request sent %s after the attack started, %s after its phase was launched (send_lag counts from the launch); send-time deviation p99 %s\n",
		sends.first.Sub(out.Started), sends.first.Sub(out.PhaseStarts[0]), sends.deviationP99(float64(o.Rate)))
	return nil
}

// drain runs the attack alone, its observations only drained (no writing,
// metrics or checks), for comparison with a whole run.
func drain(o options, p *plan.Plan, ao attack.Options, cpu0 time.Duration) error {
	atk, err := attack.Start(context.Background(), p, ao)
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	sends := newSends(p, o.Rate)
	n := 0
	for obs := range atk.Observations() {
		sends.add(obs)
		n++
	}
	sent := time.Since(atk.Started())
	fmt.Printf("drained %d observations in %.2fs; cpu %.2fs; peak RSS %.1f MB\n", n, sent.Seconds(), (selfCPU() - cpu0).Seconds(), peakRSS())
	fmt.Printf("first request sent %s after the attack started, %s after its phase was launched; send-time deviation p99 %s\n",
		sends.first.Sub(atk.Started()), sends.first.Sub(atk.PhaseStarted(0)), sends.deviationP99(float64(o.Rate)))
	return nil
}

// loopbackURL parses target and refuses anything but a loopback address.
func loopbackURL(target string) (*url.URL, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("profile: -target: %w", err)
	}
	if ip := net.ParseIP(u.Hostname()); u.Scheme != "http" || ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("profile: -target %q: want http://127.0.0.1:PORT", target)
	}
	return u, nil
}

// benchPlan plans the compare program's scenario: one phase of GET / at the
// rate for the duration.
func benchPlan(o options) (*plan.Plan, []byte, error) {
	rate := "max"
	if o.Rate > 0 {
		rate = fmt.Sprintf("%d/s", o.Rate)
	}
	raw := fmt.Appendf(nil, `name: bench-profile
target: %s
endpoints: [{name: hit, method: GET, path: /}]
limits: [{name: huge, requests: 100000000, window: 1s, scope: global}]
run: {connections: %d, timeout: 5s, max_duration: 1h}
phases: [{name: steady, kind: under, rate: %s, duration: %s}]
`, o.Target, o.Connections, rate, o.Duration)
	sc, err := scenarios.Parse("bench-profile.yaml", raw)
	if err != nil {
		return nil, nil, fmt.Errorf("profile: %w", err)
	}
	return plan.New(sc), raw, nil
}

func report(o options, s metrics.Snapshot, v conformance.Verdict, sent, judged, cpu time.Duration) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("requests %d in %.2fs, verdict %s after %.2fs\n", s.Requests, sent.Seconds(), v.Status, judged.Seconds())
	for _, ph := range s.Phases {
		fmt.Printf("phase %s: requested %.0f/s achieved %.1f/s (%.4f), send lag p50 %s p99 %s max %s\n",
			ph.Name, ph.RequestedRate, ph.AchievedRate, ph.AchievedRate/max(ph.RequestedRate, 1), ph.SendLag.P50, ph.SendLag.P99, ph.SendLag.Max)
	}
	fmt.Printf("latency p50 %s p99 %s; statuses %v\n", s.Latency.P50, s.Latency.P99, s.Statuses)
	fmt.Printf("cpu %.2fs (%.1f µs/request), GC cycles %d, GC pause total %s, total alloc %.0f MB\n",
		cpu.Seconds(), float64(cpu.Microseconds())/float64(max(s.Requests, 1)),
		ms.NumGC, time.Duration(ms.PauseTotalNs), float64(ms.TotalAlloc)/1e6)
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("profile: create heap profile: %w", err)
	}
	defer f.Close()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		return fmt.Errorf("profile: write heap profile: %w", err)
	}
	return nil
}

// peakRSS is this process's peak resident set so far, in MB.
func peakRSS() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Maxrss) / 1024
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
