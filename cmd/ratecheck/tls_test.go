package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/internal/reftarget"
	"github.com/ratecheck/ratecheck/scenarios"
)

// tlsScenario is a short contract (5 per 200 ms per key) with explicit phases
// of about 2.5 s, served over TLS by the reference target.
const tlsScenario = `name: tls
source: testdata
target: https://127.0.0.1:1
auth:
  header: X-API-KEY
  keys:
    primary: ${TLS_API_KEY}
endpoints:
  - name: items
    path: /v1/items
limits:
  - name: per-200ms
    requests: 5
    window: 200ms
    recovery: 200ms
phases:
  - {kind: under, rate: 0.5x, duration: 600ms}
  - {kind: over, rate: 2x, duration: 600ms}
  - {kind: probe, rate: 100/s, duration: 500ms}
  - {kind: pause, duration: 200ms}
  - {kind: recovery, rate: 0.5x, duration: 600ms}
`

const tlsKey = "tls-test-key-7d2e"

// tlsTarget serves the scenario's reference target over TLS with HTTP/2
// offered, and counts the requests that reach it by protocol.
type tlsTarget struct {
	srv          *httptest.Server
	caFile       string
	http2, http1 atomic.Int64
}

func startTLSTarget(t *testing.T, scenarioFile string) *tlsTarget {
	t.Helper()
	sc, err := scenarios.Load(scenarioFile)
	if err != nil {
		t.Fatal(err)
	}
	h := reftarget.New(sc, reftarget.Keys(map[string]string{tlsKey: "primary"}))
	if err := h.Err(); err != nil {
		t.Fatal(err)
	}
	tt := &tlsTarget{}
	tt.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor == 2 {
			tt.http2.Add(1)
		} else {
			tt.http1.Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	tt.srv.EnableHTTP2 = true
	tt.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	tt.srv.StartTLS()
	t.Cleanup(tt.srv.Close)
	tt.caFile = filepath.Join(t.TempDir(), "ca.pem")
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tt.srv.Certificate().Raw})
	if err := os.WriteFile(tt.caFile, ca, 0o644); err != nil {
		t.Fatal(err)
	}
	return tt
}

// runCLI runs ratecheck with args and returns its exit status and output.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Now: time.Now,
		Getenv: func(k string) string {
			if k == "TLS_API_KEY" {
				return tlsKey
			}
			return ""
		}}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	code = run(ctx, env, args)
	return code, out.String(), errOut.String()
}

// TestTLSTargets runs against an https:// target whose certificate no system
// root trusts: with --ca-file naming it or with --insecure the run is judged
// over HTTP/2, and every report names how the target was trusted; without
// either, it stops before sending anything, INCONCLUSIVE with exit 3 and a
// hint (a usage error, exit 2, only for the flags themselves).
func TestTLSTargets(t *testing.T) {
	t.Parallel()
	scenario := filepath.Join(t.TempDir(), "tls.yaml")
	if err := os.WriteFile(scenario, []byte(tlsScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		flags     func(tt *tlsTarget) []string
		target    func(tt *tlsTarget) string
		code      int
		stderr    string // in stderr when the run is refused
		note      string // in the JSON report's notes when it runs
		neverSent bool
	}{
		{name: "ca-file", flags: func(tt *tlsTarget) []string { return []string{"--ca-file", tt.caFile} },
			note: "(--ca-file)"},
		{name: "insecure", flags: func(*tlsTarget) []string { return []string{"--insecure"} },
			note: "verification disabled (--insecure)"},
		{name: "unknown CA", code: exitInconclusive, neverSent: true,
			stderr: "certificate signed by unknown authority (trust its CA with --ca-file FILE, or skip verification with --insecure)"},
		{name: "both flags", code: exitUsage, neverSent: true, stderr: "not both",
			flags: func(tt *tlsTarget) []string { return []string{"--insecure", "--ca-file", tt.caFile} }},
		{name: "insecure on http", code: exitUsage, neverSent: true, stderr: "https:// target only",
			flags:  func(*tlsTarget) []string { return []string{"--insecure"} },
			target: func(tt *tlsTarget) string { return strings.Replace(tt.srv.URL, "https:", "http:", 1) }},
		{name: "CA file without a certificate", code: exitUsage, neverSent: true, stderr: "no PEM certificate",
			flags: func(*tlsTarget) []string { return []string{"--ca-file", scenario} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tt := startTLSTarget(t, scenario)
			dir := t.TempDir()
			target := tt.srv.URL
			if tc.target != nil {
				target = tc.target(tt)
			}
			args := []string{"run", scenario, "--no-tui", "--target", target, "--out", filepath.Join(dir, "run"), "--json", filepath.Join(dir, "report.json")}
			if tc.flags != nil {
				args = append(args, tc.flags(tt)...)
			}
			code, stdout, stderr := runCLI(t, args...)
			// The transport is under test, not the limit: on a loaded machine
			// a run may leave a limit check undecided (INCONCLUSIVE), never
			// failed.
			undecided := tc.code == exitPass && code == exitInconclusive && strings.Contains(stdout, "could not be decided")
			if code != tc.code && !undecided {
				t.Fatalf("ratecheck %s: exit %d; want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, tc.code, stdout, stderr)
			}
			if !strings.Contains(stderr, tc.stderr) {
				t.Errorf("stderr = %q; want it to contain %q", stderr, tc.stderr)
			}
			h1, h2 := tt.http1.Load(), tt.http2.Load()
			if tc.neverSent {
				if h1+h2 != 0 {
					t.Errorf("%d requests reached the target; want none", h1+h2)
				}
				return
			}
			if h2 == 0 || h1 != 0 {
				t.Errorf("requests by protocol: HTTP/2 %d, HTTP/1.x %d; want every one over HTTP/2", h2, h1)
			}
			var rep struct {
				Notes []string `json:"notes"`
			}
			b, err := os.ReadFile(filepath.Join(dir, "report.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &rep); err != nil {
				t.Fatal(err)
			}
			notes := strings.Join(rep.Notes, "\n")
			for _, want := range []string{tc.note, ", HTTP/2"} {
				if !strings.Contains(notes, want) {
					t.Errorf("report notes %q; want one containing %q", rep.Notes, want)
				}
			}
		})
	}
}
