package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// vegetaRun is one `vegeta attack | vegeta report` pipeline.
type vegetaRun struct {
	Rate     int           // requests per second; 0 sends as fast as the workers allow
	Duration time.Duration // -duration
	Workers  uint64        // -max-workers; 0 keeps vegeta's default (unbounded)
	// Keep saves attack's output (copied on its way to report) to compute the
	// send statistics; without it the processes are joined by a plain pipe.
	Keep bool
	// SizeOnly, with Keep, measures the results file's size and `vegeta
	// report` of it (soak.go) instead of decoding the sends.
	SizeOnly bool
}

func (r vegetaRun) attackArgs(targets string) []string {
	rate := "0"
	if r.Rate > 0 {
		rate = strconv.Itoa(r.Rate) + "/s"
	}
	args := []string{"attack", "-targets=" + targets, "-rate=" + rate, "-duration=" + r.Duration.String()}
	if r.Workers > 0 {
		args = append(args, "-max-workers="+strconv.FormatUint(r.Workers, 10))
	}
	return args
}

// vegetaMetrics is the part of `vegeta report -type=json` the bench reads.
type vegetaMetrics struct {
	Requests   int64   `json:"requests"`
	Rate       float64 `json:"rate"`
	Throughput float64 `json:"throughput"`
	Success    float64 `json:"success"`
}

// runVegeta runs attack and report as two processes against the target and
// measures them: their peak RSS added up, their CPU time, and (with Keep) the
// send statistics decoded from attack's results.
func (b *bench) runVegeta(ctx context.Context, r vegetaRun) (sample, error) {
	s := sample{Tool: "vegeta", Workers: r.Workers, Rate: r.Rate}
	if r.SizeOnly {
		s.Duration = r.Duration
	}
	bin := filepath.Join(b.bin, "vegeta")
	attack, attackUsage := b.command(ctx, "attack", bin, r.attackArgs(b.targets)...)
	report, reportUsage := b.command(ctx, "report", bin, "report", "-type=json")
	var attackErr, reportErr, reportOut bytes.Buffer
	attack.Stderr, report.Stderr, report.Stdout = &attackErr, &reportErr, &reportOut

	resultsFile := filepath.Join(b.work, "vegeta-results.bin")
	copied, err := connect(attack, report, r.Keep, resultsFile)
	if err != nil {
		return s, err
	}
	m, err := b.measure(func() error {
		if err := report.Start(); err != nil {
			closeParentEnds(attack, report)
			copied()
			return fmt.Errorf("compare: start vegeta report: %w", err)
		}
		if err := attack.Start(); err != nil {
			closeParentEnds(attack, report)
			copied()
			report.Process.Kill()
			report.Wait()
			return fmt.Errorf("compare: start vegeta attack: %w", err)
		}
		closeParentEnds(attack, report)
		cerr := copied()
		aerr := attack.Wait()
		rerr := report.Wait()
		if aerr != nil {
			return fmt.Errorf("compare: vegeta attack: %w: %s", aerr, bytes.TrimSpace(attackErr.Bytes()))
		}
		if rerr != nil {
			return fmt.Errorf("compare: vegeta report: %w: %s", rerr, bytes.TrimSpace(reportErr.Bytes()))
		}
		return cerr
	}, attackUsage, reportUsage)
	if err != nil {
		return s, err
	}
	s.apply(m)

	var vm vegetaMetrics
	if err := json.Unmarshal(reportOut.Bytes(), &vm); err != nil {
		return s, fmt.Errorf("compare: decode vegeta report: %w", err)
	}
	s.Requests, s.Success, s.Achieved = vm.Requests, vm.Success, vm.Rate
	if !r.Keep {
		return s, nil
	}
	if r.SizeOnly {
		defer os.Remove(resultsFile)
		return s, b.replayVegeta(ctx, resultsFile, &s)
	}
	sends, err := decodeSends(resultsFile)
	if err != nil {
		return s, err
	}
	os.Remove(resultsFile)
	st := scheduleStats(sends, float64(r.Rate))
	s.Requests, s.Achieved, s.LagP99 = st.Requests, st.Achieved, st.LagP99
	return s, nil
}

// connect joins attack's stdout to report's stdin with OS pipes. With keep,
// the stream is also copied to file on its way, and the returned func waits
// for the copy to end; it must be called before attack.Wait.
func connect(attack, report *exec.Cmd, keep bool, file string) (func() error, error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("compare: pipe attack to report: %w", err)
	}
	attack.Stdout = pw
	if !keep {
		report.Stdin = pr
		return func() error { return nil }, nil
	}
	f, err := os.Create(file)
	if err != nil {
		pr.Close()
		pw.Close()
		return nil, fmt.Errorf("compare: keep vegeta results: %w", err)
	}
	rpr, rpw, err := os.Pipe()
	if err != nil {
		pr.Close()
		pw.Close()
		f.Close()
		return nil, fmt.Errorf("compare: pipe attack to report: %w", err)
	}
	report.Stdin = rpr
	done := make(chan error, 1)
	// This goroutine copies attack's results to the file and to report; it
	// exits when attack's end of the pipe is closed (attack exited or never
	// started) or report stops reading.
	go func() {
		_, err := io.Copy(io.MultiWriter(f, rpw), pr)
		done <- errors.Join(err, pr.Close(), rpw.Close(), f.Close())
	}()
	return func() error { return <-done }, nil
}

// closeParentEnds closes this process's copies of the pipe between attack and
// report, so that report sees the end of its input when attack exits.
func closeParentEnds(attack, report *exec.Cmd) {
	if f, ok := attack.Stdout.(*os.File); ok {
		f.Close()
	}
	if f, ok := report.Stdin.(*os.File); ok {
		f.Close()
	}
}

// decodeSends reads vegeta's results file (any encoding vegeta writes) and
// returns each request's sequence number and send time.
func decodeSends(path string) ([]send, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("compare: read vegeta results: %w", err)
	}
	defer f.Close()
	dec := vegeta.NewDecoder(f)
	var sends []send
	for {
		var r vegeta.Result
		if err := dec.Decode(&r); err != nil {
			if errors.Is(err, io.EOF) {
				return sends, nil
			}
			return sends, fmt.Errorf("compare: decode vegeta result %d: %w", len(sends), err)
		}
		sends = append(sends, send{Seq: r.Seq, At: r.Timestamp})
	}
}
