package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// benchModule is the module compare builds its binaries in.
const benchModule = "github.com/ratecheck/ratecheck/bench"

// bench holds what every measurement shares.
type bench struct {
	opts      options
	bin       string // holds vegeta, ratecheck and target
	self      string // this program, run as the rusage wrapper
	work      string
	targets   string // vegeta's targets file
	targetURL string
	targetPID int
	target    *exec.Cmd
	samples   []sample
	logger    *log.Logger
	removeDir bool
	source    string // the product tree ratecheck was built from
}

func (b *bench) logf(format string, args ...any) { b.logger.Printf(format, args...) }

// setup makes the work directory, builds the binaries unless -bin names them,
// and starts the target.
func setup(ctx context.Context, o options) (*bench, error) {
	b := &bench{opts: o, logger: log.New(os.Stderr, "", log.Ltime)}
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("compare: find myself for the rusage wrapper: %w", err)
	}
	b.self = self
	b.work = o.Work
	if b.work == "" {
		dir, err := os.MkdirTemp("", "ratecheck-bench-")
		if err != nil {
			return nil, fmt.Errorf("compare: make work dir: %w", err)
		}
		b.work, b.removeDir = dir, !o.Keep
	} else if err := os.MkdirAll(b.work, 0o755); err != nil {
		return nil, fmt.Errorf("compare: make work dir: %w", err)
	}
	b.source = sourceState(ctx)
	b.bin = o.Bin
	if b.bin == "" {
		b.bin = filepath.Join(b.work, "bin")
		if err := b.build(ctx); err != nil {
			b.close()
			return nil, err
		}
	}
	if err := b.startTarget(ctx); err != nil {
		b.close()
		return nil, err
	}
	b.logFloor(ctx)
	return b, nil
}

// logFloor logs the peak RSS the wrapper reports for a program that does
// nothing: no measured RSS can be lower.
func (b *bench) logFloor(ctx context.Context) {
	cmd, file := b.command(ctx, "floor", "/bin/true")
	if err := cmd.Run(); err != nil {
		b.logf("rusage floor: %v", err)
		return
	}
	if u, err := readChildUsage(file); err == nil {
		b.logf("peak RSS floor of a measured process (/bin/true under the wrapper): %.1f MB", mb(u.MaxRSS))
	}
}

// build compiles vegeta's CLI (the version bench/go.mod pins), ratecheck and
// the target, from the bench module.
func (b *bench) build(ctx context.Context) error {
	out, err := exec.CommandContext(ctx, "go", "list", "-m").Output()
	if err != nil || strings.TrimSpace(string(out)) != benchModule {
		return fmt.Errorf("compare: run me from bench/ (module %s); go list -m says %q: %v", benchModule, strings.TrimSpace(string(out)), err)
	}
	for name, pkg := range map[string]string{
		"vegeta":    "github.com/tsenart/vegeta/v12",
		"ratecheck": "github.com/ratecheck/ratecheck/cmd/ratecheck",
		"target":    benchModule + "/target",
	} {
		b.logf("building %s", pkg)
		cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(b.bin, name), pkg)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("compare: build %s: %w\n%s", pkg, err, out)
		}
	}
	return nil
}

// startTarget starts the target on a free loopback port and writes vegeta's
// targets file for it.
func (b *bench) startTarget(ctx context.Context) error {
	cmd := exec.CommandContext(ctx, filepath.Join(b.bin, "target"), "-addr", "127.0.0.1:0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("compare: start target: %w", err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("compare: start target: %w", err)
	}
	b.target, b.targetPID = cmd, cmd.Process.Pid
	addr := make(chan string, 1)
	// This goroutine reads the target's address line, then drains its stdout
	// until the target exits.
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			addr <- strings.TrimPrefix(sc.Text(), "listening on ")
		}
		close(addr)
		io.Copy(io.Discard, out)
	}()
	select {
	case a, ok := <-addr:
		if !ok || !strings.HasPrefix(a, "127.0.0.1:") {
			return fmt.Errorf("compare: target did not say where it listens (got %q)", a)
		}
		b.targetURL = "http://" + a
	case <-time.After(10 * time.Second):
		return fmt.Errorf("compare: target did not start within 10s")
	}
	b.targets = filepath.Join(b.work, "targets.txt")
	if err := os.WriteFile(b.targets, []byte("GET "+b.targetURL+"/\n"), 0o644); err != nil {
		return fmt.Errorf("compare: write vegeta targets: %w", err)
	}
	return nil
}

// close stops the target and removes the work directory unless it is kept.
func (b *bench) close() {
	if b.target != nil && b.target.Process != nil {
		b.target.Process.Kill()
		b.target.Wait()
	}
	if b.removeDir {
		os.RemoveAll(b.work)
	}
}

// sourceState describes the product tree ratecheck is built from: the commit
// and how many files differ from it (the bench builds the working tree).
func sourceState(ctx context.Context) string {
	head, err := exec.CommandContext(ctx, "git", "-C", "..", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown (no git)"
	}
	status, _ := exec.CommandContext(ctx, "git", "-C", "..", "status", "--porcelain", "--untracked-files=no").Output()
	changed := 0
	for _, l := range strings.Split(string(status), "\n") {
		if strings.TrimSpace(l) != "" {
			changed++
		}
	}
	return fmt.Sprintf("commit %s, %d tracked files changed in the working tree", strings.TrimSpace(string(head)), changed)
}
