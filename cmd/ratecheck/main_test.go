package main

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ratecheck/ratecheck/internal/longtest"
	"github.com/ratecheck/ratecheck/report"
)

// cliParallel is how many parallel CLI tests run at once.
const cliParallel = 16

func TestMain(m *testing.M) {
	if os.Getenv(asMainEnv) == "1" {
		// A test started this binary as a ratecheck process (see ratecheckCmd).
		if n, err := strconv.ParseUint(os.Getenv(fileSizeEnv), 10, 64); err == nil {
			// No file of the process may grow past n bytes, as on a full disk.
			syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: n})
		}
		code := run(context.Background(), systemEnv(), os.Args[1:])
		if path := os.Getenv(peakRSSEnv); path != "" {
			writePeakRSS(path)
		}
		os.Exit(code)
	}
	// The CLI tests mostly wait on their runs' schedules, not on the CPU:
	// let more of them wait at once than testing's default -parallel
	// (GOMAXPROCS, 2 here). An explicit -parallel still wins: the flags
	// are parsed after this.
	if f := flag.Lookup("test.parallel"); f != nil {
		f.Value.Set(strconv.Itoa(cliParallel))
	}
	testscript.Main(m, map[string]func(){
		"ratecheck": func() { os.Exit(run(context.Background(), systemEnv(), os.Args[1:])) },
	})
}

// TestScripts runs the CLI end to end from testdata/script/*.txtar: real
// processes, the built-in reference target and standalone targets on loopback.
// The scripts run in parallel; those that send traffic use the short-window
// scenario testdata/short.yaml (about 6 s a run), and runs that need not wait
// for each other start together. The README's first command, which runs
// scenarios/copilot.yaml as written there for 18 s, is a [long] script.
func TestScripts(t *testing.T) {
	t.Parallel()
	shipped, err := filepath.Abs("../../scenarios")
	if err != nil {
		t.Fatal(err)
	}
	testdata, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	docs, err := filepath.Abs("../../docs")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(e *testscript.Env) error {
			e.Setenv("SCENARIOS", shipped)
			e.Setenv("TESTDATA", testdata)
			e.Setenv("DOCS", docs)
			e.Setenv("SCHEMA", filepath.Join(docs, "..", "schema"))
			e.Setenv("CI", "true")
			return nil
		},
		// [long]: the long tests run (RATECHECK_LONG=1); a script that sends
		// for more than a few seconds skips without it.
		Condition: func(cond string) (bool, error) {
			if cond == "long" {
				return longtest.Enabled(), nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode":     cmdExitcode,
			"cmp-checks":   cmdCmpChecks,
			"freeport":     cmdFreeport,
			"waitfor":      cmdWaitfor,
			"observations": cmdObservations,
			"envsubst":     cmdEnvsubst,
			"answer":       cmdAnswer,
			"tlsserver":    cmdTLSServer,
		},
	})
}

// cmdExitcode runs a command and checks its exact exit status:
//
//	exitcode 2 ratecheck validate bad.yaml
//
// testscript's `! exec` only checks for a non-zero status. Its stdout and
// stderr can be matched afterwards as with exec.
func cmdExitcode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %q is not a number", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exitcode: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with status %d; want %d", args[1], got, want)
	}
}

// cmdCmpChecks compares the verdict and checks of two JSON reports:
//
//	cmp-checks live.json replayed.json
func cmdCmpChecks(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: cmp-checks a.json b.json")
	}
	read := func(name string) *report.Report {
		f, err := os.Open(ts.MkAbs(name))
		ts.Check(err)
		defer f.Close()
		r, err := report.ReadJSON(f)
		ts.Check(err)
		return r
	}
	a, b := read(args[0]), read(args[1])
	diff := cmp.Diff(a.Checks, b.Checks)
	if a.Verdict != b.Verdict {
		diff = fmt.Sprintf("verdict %s != %s\n%s", a.Verdict, b.Verdict, diff)
	}
	if (diff != "") != neg {
		ts.Fatalf("checks of %s and %s differ (-%s +%s):\n%s", args[0], args[1], args[0], args[1], diff)
	}
}

// cmdFreeport sets an environment variable to a free loopback port:
//
//	freeport PORT
func cmdFreeport(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: freeport VAR")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	ts.Setenv(args[0], strconv.Itoa(port))
}

// cmdWaitfor waits, for at most 10 s, until a TCP address accepts connections,
// a file exists and is not empty, or a run directory holds an observation:
//
//	waitfor 127.0.0.1:$PORT
//	waitfor -file run/meta.json
//	waitfor -run run
func cmdWaitfor(ts *testscript.TestScript, neg bool, args []string) {
	ready := func() error {
		conn, err := net.DialTimeout("tcp", args[0], time.Second)
		if err == nil {
			conn.Close()
		}
		return err
	}
	switch {
	case len(args) == 2 && args[0] == "-file":
		path := ts.MkAbs(args[1])
		ready = func() error {
			fi, err := os.Stat(path)
			if err == nil && fi.Size() == 0 {
				err = errors.New("empty")
			}
			return err
		}
	case len(args) == 2 && args[0] == "-run":
		dir := ts.MkAbs(args[1])
		ready = func() error {
			if !hasObservations(dir) {
				return errors.New("no observation yet")
			}
			return nil
		}
	case len(args) != 1:
		ts.Fatalf("usage: waitfor HOST:PORT | waitfor -file PATH | waitfor -run DIR")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := ready()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("waitfor %s: not ready within 10s: %v", strings.Join(args, " "), err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cmdEnvsubst replaces $VAR in a file with the variable's value (other $ and
// ${...} are kept):
//
//	envsubst PORT scenario.yaml
func cmdEnvsubst(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: envsubst VAR FILE")
	}
	path := ts.MkAbs(args[1])
	b, err := os.ReadFile(path)
	ts.Check(err)
	s := strings.ReplaceAll(string(b), "$"+args[0], ts.Getenv(args[0]))
	ts.Check(os.WriteFile(path, []byte(s), 0o644))
}

// cmdAnswer serves, on loopback until the script ends, a target that answers
// every request with one status, and sets VAR to its URL:
//
//	answer URL 401
func cmdAnswer(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: answer VAR STATUS")
	}
	status, err := strconv.Atoi(args[1])
	ts.Check(err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
	}))
	ts.Defer(srv.Close)
	ts.Setenv(args[0], srv.URL)
}

// cmdTLSServer serves, on loopback until the script ends, an https:// target
// whose certificate is trusted (its PEM written to CAFILE) but which demands
// a client certificate ratecheck does not have: with TLS 1.3 the handshake
// seems to succeed and every request then fails. It sets VAR to its URL:
//
//	tlsserver URL ca.pem
func cmdTLSServer(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: tlsserver VAR CAFILE")
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAnyClientCert, MinVersion: tls.VersionTLS13}
	srv.StartTLS()
	ts.Defer(srv.Close)
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), pemBytes, 0o644))
	ts.Setenv(args[0], srv.URL)
}
