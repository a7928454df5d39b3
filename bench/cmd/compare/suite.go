package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"
)

// sample is one run of one tool.
type sample struct {
	Section  string  `json:"section"` // "throughput", "rates" or "rss"
	Rep      int     `json:"rep"`
	Tool     string  `json:"tool"`    // "ratecheck" or "vegeta"
	Workers  uint64  `json:"workers"` // vegeta's -max-workers, ratecheck's run.connections
	Rate     int     `json:"rate"`    // requested per second; 0 for as fast as possible
	Requests int64   `json:"requests"`
	Achieved float64 `json:"achieved"` // requests per second, (n − 1) ÷ span of send times
	// LagP99 is the 99th percentile of the send lag against the schedule; 0
	// when unpaced or not measured.
	LagP99 time.Duration `json:"lag_p99"`
	// ReportLagP99 is ratecheck's own send_lag p99 from its JSON report,
	// measured from the start of the run (vegeta: unset).
	ReportLagP99 time.Duration `json:"report_lag_p99,omitempty"`
	Success      float64       `json:"success"` // share of 2xx/3xx answers
	// Soak runs: the planned duration, the bytes the run left on disk (the
	// observations, or vegeta's results file), the verdict, and what
	// re-reading them cost (ratecheck report, vegeta report).
	Duration  time.Duration `json:"duration,omitempty"`
	DiskBytes int64         `json:"disk_bytes,omitempty"`
	Verdict   string        `json:"verdict,omitempty"`
	Replay    *usage        `json:"replay,omitempty"`
	// SendRSS is ratecheck's largest resident set while it sent (sampled
	// every 100 ms over the planned duration, before the verdict).
	SendRSS int64 `json:"send_rss,omitempty"`
	usage
}

// usage is what a run cost, measured from outside the tool.
type usage struct {
	Wall time.Duration `json:"wall"`
	// RSS is the peak resident set in bytes, added up over the tool's
	// processes (vegeta: attack + report); RSSParts holds each process's.
	RSS      int64         `json:"rss"`
	RSSParts []int64       `json:"rss_parts"`
	CPU      time.Duration `json:"cpu"`        // user+system time of the tool's processes
	Target   time.Duration `json:"target_cpu"` // the target's CPU time meanwhile
	// Other is the cores that other processes (everything but the tool, the
	// target and this program) kept busy on average during the run: noise.
	Other float64 `json:"other_cores"`
}

func (s *sample) apply(u usage) { s.usage = u }

// command returns a command that runs prog under the rusage wrapper (see
// rusage.go), and the file the wrapper writes prog's rusage to.
func (b *bench) command(ctx context.Context, name, prog string, args ...string) (*exec.Cmd, string) {
	file := filepath.Join(b.work, name+".rusage.json")
	os.Remove(file)
	return exec.CommandContext(ctx, b.self, append([]string{rusageFlag, file, prog}, args...)...), file
}

// measure runs run and measures the programs whose rusage files are given;
// run must have started them and waited for them.
func (b *bench) measure(run func() error, rusageFiles ...string) (usage, error) {
	cpu0, _ := readCPU()
	tgt0, _ := processCPU(b.targetPID)
	self0 := selfCPU()
	start := time.Now()
	err := run()
	u := usage{Wall: time.Since(start)}
	cpu1, _ := readCPU()
	tgt1, _ := processCPU(b.targetPID)
	self := selfCPU() - self0
	if err != nil {
		return u, err
	}
	for _, f := range rusageFiles {
		cu, err := readChildUsage(f)
		if err != nil {
			return u, err
		}
		u.RSS += cu.MaxRSS
		u.RSSParts = append(u.RSSParts, cu.MaxRSS)
		u.CPU += cu.CPU
	}
	u.Target = tgt1 - tgt0
	busy := time.Duration(cpu1.Busy-cpu0.Busy) * time.Second / userHZ
	if sec := u.Wall.Seconds(); sec > 0 {
		u.Other = max(0, (busy-u.CPU-u.Target-self).Seconds()/sec)
	}
	return u, nil
}

// runBoth runs the vegeta and ratecheck runs of one measurement, one after
// the other, vegeta first on even repetitions, each once the machine is quiet.
func (b *bench) runBoth(ctx context.Context, section string, rep int, v vegetaRun, r ratecheckRun) error {
	steps := []func() (sample, error){
		func() (sample, error) { return b.runVegeta(ctx, v) },
		func() (sample, error) { return b.runRatecheck(ctx, r) },
	}
	if rep%2 == 1 {
		slices.Reverse(steps)
	}
	for _, step := range steps {
		if err := b.once(ctx, section, rep, step); err != nil {
			return err
		}
	}
	return nil
}

// once waits for a quiet machine, runs one tool and records the sample.
func (b *bench) once(ctx context.Context, section string, rep int, step func() (sample, error)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	waitQuiet(b.opts.Quiet, b.opts.QuietWait, b.logf)
	s, err := step()
	if err != nil {
		return err
	}
	s.Section, s.Rep = section, rep
	b.samples = append(b.samples, s)
	b.logf("%s", s)
	return nil
}

func (s sample) String() string {
	rate := "max"
	if s.Rate > 0 {
		rate = fmt.Sprintf("%d/s", s.Rate)
	}
	lag := s.LagP99.Round(time.Microsecond).String()
	if s.ReportLagP99 > 0 {
		lag += fmt.Sprintf(" (report %s)", s.ReportLagP99.Round(time.Microsecond))
	}
	return fmt.Sprintf("%-10s rep %d %-9s w=%-3d %-8s %8d req  %9.1f req/s  deviation p99 %-9s  success %6.2f%%  RSS %6.1f MB  CPU %6.2fs  target %5.2fs  other %.2f cores  wall %.1fs",
		s.Section, s.Rep+1, s.Tool, s.Workers, rate, s.Requests, s.Achieved, lag,
		100*s.Success, mb(s.RSS), s.CPU.Seconds(), s.Target.Seconds(), s.Other, s.Wall.Seconds())
}

func mb(bytes int64) float64 { return float64(bytes) / 1e6 }

// throughput measures both tools unpaced: vegeta -rate=0 -max-workers=W,
// ratecheck rate max over W connections.
func (b *bench) throughput(ctx context.Context) error {
	o := b.opts
	for rep := range o.N {
		v := vegetaRun{Rate: 0, Duration: o.Duration, Workers: o.Workers, Keep: true}
		r := ratecheckRun{Name: scenarioName(0), Rate: 0, Duration: o.Duration, Connections: int(o.Workers), Sends: true}
		if err := b.runBoth(ctx, "throughput", rep, v, r); err != nil {
			return err
		}
	}
	return nil
}

// rates measures both tools at each requested rate; above 10,000/s vegeta
// also runs with each of the BestOf worker settings.
func (b *bench) rates(ctx context.Context) error {
	o := b.opts
	for rep := range o.N {
		for _, rate := range o.Rates {
			v := vegetaRun{Rate: rate, Duration: o.Duration, Workers: o.Workers, Keep: true}
			r := ratecheckRun{Name: scenarioName(rate), Rate: rate, Duration: o.Duration, Connections: int(o.Workers), Sends: true}
			if err := b.runBoth(ctx, "rates", rep, v, r); err != nil {
				return err
			}
			if rate <= bestOfAbove {
				continue
			}
			for _, w := range o.BestOf {
				if w == o.Workers {
					continue
				}
				v.Workers = w
				if err := b.once(ctx, "rates", rep, func() (sample, error) { return b.runVegeta(ctx, v) }); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// bestOfAbove is the rate above which vegeta also runs with the BestOf worker settings.
const bestOfAbove = 10_000

// rss measures peak RSS over a run of RSSRequests requests at RSSRate, and
// ratecheck's over the same traffic limited throughout (section
// "rss-limited"), where judging replays every request.
func (b *bench) rss(ctx context.Context) error {
	o := b.opts
	d := o.rssDuration()
	for rep := range o.N {
		v := vegetaRun{Rate: o.RSSRate, Duration: d, Workers: o.Workers}
		r := ratecheckRun{Name: rssScenario, Rate: o.RSSRate, Duration: d, Connections: int(o.Workers)}
		if err := b.runBoth(ctx, "rss", rep, v, r); err != nil {
			return err
		}
		r.Name, r.Limit = rssLimitedScenario, o.rssLimit()
		if err := b.once(ctx, "rss-limited", rep, func() (sample, error) { return b.runRatecheck(ctx, r) }); err != nil {
			return err
		}
	}
	return nil
}
