package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ratecheck/ratecheck/results"
)

// The soak section (issue 15): the same traffic, SoakRate per second under
// a declared limit of half of it (bench/target admits everything, so every
// window is over-admitted and judged), for each of SoakDurations. For each
// length both tools run it once:
//
//   - ratecheck: `ratecheck run` (peak RSS; the size of observations.bin per
//     request), then `ratecheck report RUN_DIR` (its peak RSS and wall time:
//     re-judging throughput = requests ÷ wall);
//   - vegeta: `vegeta attack | vegeta report` (peak RSS of both; the size of
//     attack's results file per request), then `vegeta report` of that file
//     again (its peak RSS and wall time).
//
// vegeta's report judges nothing: it is the floor of re-reading the traffic.

// soakLimit is the declared limit per 1s of the soak runs: half their rate.
func (o options) soakLimit() int { return max(1, o.SoakRate/2) }

// soakScenario names the soak scenario of duration d.
func soakScenario(d time.Duration) string { return "bench-soak-" + d.String() }

// soak runs the soak section: each duration once per repetition, shortest
// first.
func (b *bench) soak(ctx context.Context) error {
	o := b.opts
	ds := slices.Clone(o.SoakDurations)
	slices.Sort(ds)
	for rep := range o.N {
		for _, d := range ds {
			v := vegetaRun{Rate: o.SoakRate, Duration: d, Workers: o.Workers, Keep: true, SizeOnly: true}
			r := ratecheckRun{Name: soakScenario(d), Rate: o.SoakRate, Duration: d, Connections: int(o.Workers), Limit: o.soakLimit(), Replay: true}
			if err := b.runBoth(ctx, "soak", rep, v, r); err != nil {
				return err
			}
		}
	}
	return nil
}

// replayRatecheck runs `ratecheck report dir` and measures it; it records
// the run directory's observations size in s.
func (b *bench) replayRatecheck(ctx context.Context, dir string, s *sample) error {
	fi, err := os.Stat(filepath.Join(dir, results.ObservationsFile))
	if err != nil {
		return fmt.Errorf("compare: soak: %w", err)
	}
	s.DiskBytes = fi.Size()
	jsonFile := filepath.Join(b.work, "replay.json")
	cmd, cmdUsage := b.command(ctx, "ratecheck-report", filepath.Join(b.bin, "ratecheck"), "report", dir, "--json", jsonFile)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	u, err := b.measure(func() error {
		err := cmd.Run()
		if ee, ok := errors.AsType[*exec.ExitError](err); ok && ee.ExitCode() == 1 {
			return nil // a check failed: expected, the target over-admits
		}
		if err != nil {
			return fmt.Errorf("compare: ratecheck report: %w:\n%s", err, out.Bytes())
		}
		return nil
	}, cmdUsage)
	if err != nil {
		return err
	}
	s.Replay = &u
	rep, err := readRatecheckReport(jsonFile)
	if err != nil {
		return err
	}
	s.Verdict = rep.Verdict
	b.logf("ratecheck report: %d observations in %.1f s, RSS %.1f MB, verdict %s", s.Requests, u.Wall.Seconds(), mb(u.RSS), rep.Verdict)
	return nil
}

// replayVegeta runs `vegeta report` of attack's saved results and measures
// it; it records the file's size in s.
func (b *bench) replayVegeta(ctx context.Context, file string, s *sample) error {
	fi, err := os.Stat(file)
	if err != nil {
		return fmt.Errorf("compare: soak: %w", err)
	}
	s.DiskBytes = fi.Size()
	in, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("compare: soak: %w", err)
	}
	defer in.Close()
	cmd, cmdUsage := b.command(ctx, "vegeta-report", filepath.Join(b.bin, "vegeta"), "report", "-type=json")
	var out, errb bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = in, &out, &errb
	u, err := b.measure(func() error {
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("compare: vegeta report: %w: %s", err, errb.Bytes())
		}
		return nil
	}, cmdUsage)
	if err != nil {
		return err
	}
	s.Replay = &u
	var vm vegetaMetrics
	if err := json.Unmarshal(out.Bytes(), &vm); err != nil {
		return fmt.Errorf("compare: decode vegeta report: %w", err)
	}
	b.logf("vegeta report: %d results in %.1f s, RSS %.1f MB", vm.Requests, u.Wall.Seconds(), mb(u.RSS))
	return nil
}

// soakRows are the soak section's rows: per duration, peak RSS while
// sending, bytes per request on disk, re-reading throughput and its peak
// RSS; then how peak RSS grew from the shortest run to the longest.
func soakRows(samples []sample, o options) []row {
	var rows []row
	ds := slices.Clone(o.SoakDurations)
	slices.Sort(ds)
	pick := func(tool string, d time.Duration) []sample {
		var out []sample
		for _, s := range filter(samples, "soak", tool, o.SoakRate, 0) {
			if s.Duration == d {
				out = append(out, s)
			}
		}
		return out
	}
	perReq := func(s sample) float64 { return float64(s.DiskBytes) / float64(max(1, s.Requests)) }
	replayRate := func(s sample) float64 {
		if s.Replay == nil || s.Replay.Wall <= 0 {
			return math.NaN()
		}
		return float64(s.Requests) / s.Replay.Wall.Seconds()
	}
	replayRSS := func(s sample) float64 {
		if s.Replay == nil {
			return math.NaN()
		}
		return float64(s.Replay.RSS)
	}
	perReqText := func(x float64) string { return fmt.Sprintf("%.1f B", x) }
	perSec := func(x float64) string { return thousands(x) + "/s" }
	for _, d := range ds {
		rc, vg := pick("ratecheck", d), pick("vegeta", d)
		if len(rc) == 0 || len(vg) == 0 {
			continue
		}
		what := fmt.Sprintf("soak %s at %s/s (%s requests)", d, thousands(float64(o.SoakRate)), thousands(medianOf(rc, func(s sample) float64 { return float64(s.Requests) })))
		r, v := medianOf(rc, rssOf), medianOf(vg, rssOf)
		rows = append(rows, row{Measurement: what + ": peak RSS of the run (sending, then the verdict)", Ratecheck: spread(rc, rssOf, megabytes), Vegeta: spread(vg, rssOf, megabytes) + " (attack + report)", Ratio: r / v, Goal: "< 96 MB", Met: yesNo(r < 96e6)})
		sendRSS := func(s sample) float64 { return float64(s.SendRSS) }
		rows = append(rows, row{Measurement: what + ": peak RSS while sending (sampled, before the verdict)", Ratecheck: spread(rc, sendRSS, megabytes), Vegeta: "", Ratio: math.NaN(), Goal: "< 96 MB", Met: yesNo(medianOf(rc, sendRSS) < 96e6)})
		r, v = medianOf(rc, perReq), medianOf(vg, perReq)
		rows = append(rows, row{Measurement: what + ": bytes per request on disk", Ratecheck: spread(rc, perReq, perReqText), Vegeta: spread(vg, perReq, perReqText) + " (results file)", Ratio: r / v, Goal: "≤ 16 B", Met: yesNo(r <= 16)})
		r, v = medianOf(rc, replayRate), medianOf(vg, replayRate)
		rows = append(rows, row{Measurement: what + ": re-judging (ratecheck report) vs vegeta report", Ratecheck: spread(rc, replayRate, perSec), Vegeta: spread(vg, replayRate, perSec), Ratio: r / v, Goal: "≥ 2,000,000/s", Met: yesNo(r >= 2e6)})
		r, v = medianOf(rc, replayRSS), medianOf(vg, replayRSS)
		rows = append(rows, row{Measurement: what + ": peak RSS re-judging", Ratecheck: spread(rc, replayRSS, megabytes), Vegeta: spread(vg, replayRSS, megabytes), Ratio: r / v})
	}
	if len(ds) > 1 {
		first, last := pick("ratecheck", ds[0]), pick("ratecheck", ds[len(ds)-1])
		if len(first) > 0 && len(last) > 0 {
			g := medianOf(last, rssOf) / medianOf(first, rssOf)
			rows = append(rows, row{Measurement: fmt.Sprintf("peak RSS of the run, %s ÷ %s", ds[len(ds)-1], ds[0]), Ratecheck: fmt.Sprintf("%.2f", g), Ratio: math.NaN(), Goal: "≤ 1.25", Met: yesNo(g <= 1.25)})
			sendRSS := func(s sample) float64 { return float64(s.SendRSS) }
			g = medianOf(last, sendRSS) / medianOf(first, sendRSS)
			rows = append(rows, row{Measurement: fmt.Sprintf("peak RSS while sending, %s ÷ %s", ds[len(ds)-1], ds[0]), Ratecheck: fmt.Sprintf("%.2f", g), Ratio: math.NaN(), Goal: "≤ 1.25", Met: yesNo(g <= 1.25)})
		}
	}
	return rows
}

// watchRSS samples, every 100 ms until the returned stop is called, the
// resident set (VmRSS) of the program the wrapper process pid runs (its
// child), and stop returns the largest sample taken before until: for a
// ratecheck run, its memory while it sends, before the verdict at the end.
func watchRSS(pid int, until time.Time) (stop func() int64) {
	done := make(chan struct{})
	result := make(chan int64, 1)
	// This goroutine samples until done is closed, then reports its peak.
	go func() {
		var peak int64
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		child := 0
		for {
			select {
			case <-done:
				result <- peak
				return
			case now := <-t.C:
				if child == 0 {
					child = childOf(pid)
				}
				if child != 0 && now.Before(until) {
					peak = max(peak, vmRSS(child))
				}
			}
		}
	}()
	return func() int64 { close(done); return <-result }
}

// childOf is the first child of process pid, 0 when it has none (yet).
func childOf(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	if err != nil {
		return 0
	}
	var c int
	fmt.Sscan(string(b), &c)
	return c
}

// vmRSS is the resident set of process pid in bytes, 0 when unknown.
func vmRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb int64
			fmt.Sscan(rest, &kb)
			return kb << 10
		}
	}
	return 0
}
