package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/internal/longtest"
	"github.com/ratecheck/ratecheck/internal/reftarget"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// syncBuffer is a bytes.Buffer safe for the writes of several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.b.Bytes())
}

// echoKeys wraps a target so that it sends the request's credential back in
// every place a response has: rate-limit header names and values, the
// scenario's declared headers, and the start of every body, raw and encoded.
func echoKeys(sc *scenarios.Scenario, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cred := r.Header.Get(sc.Auth.Header)
		key := cred
		if sc.Auth.Scheme != "" {
			key = strings.TrimPrefix(cred, sc.Auth.Scheme+" ")
		}
		b64 := base64.StdEncoding.EncodeToString([]byte("user:" + key))
		h := w.Header()
		h.Set("X-RateLimit-Echo", cred)
		h.Set("X-RateLimit-"+hex.EncodeToString([]byte(key)), b64)
		for _, n := range sc.Headers.Declared() {
			h.Add(n, "echo "+url.QueryEscape(key))
		}
		echo := `{"echo":"` + cred + `","basic":"` + b64 + `","url":"/k/` + url.PathEscape(key) + `"}` + "\n"
		next.ServeHTTP(&echoWriter{ResponseWriter: w, echo: echo}, r)
	})
}

// echoWriter puts echo at the start of the body, after the handler's status.
type echoWriter struct {
	http.ResponseWriter
	echo string
	sent bool
}

func (e *echoWriter) WriteHeader(code int) {
	e.ResponseWriter.WriteHeader(code)
	if !e.sent {
		e.sent = true
		io.WriteString(e.ResponseWriter, e.echo)
	}
}

func (e *echoWriter) Write(p []byte) (int, error) {
	if !e.sent {
		e.WriteHeader(http.StatusOK)
	}
	return e.ResponseWriter.Write(p)
}

// TestNoOutputHoldsAKey runs every shipped scenario against a target that
// echoes its keys back, writes every report, re-judges the run, and asks for
// plan and validate, with the dashboard and with plain output. No byte of
// any of it may hold a key, raw or encoded. By default each run is stopped
// once its first answers are on disk (an interrupted run still writes every
// output); the long step runs every scenario to its end.
func TestNoOutputHoldsAKey(t *testing.T) {
	longtest.Parallel(t) // in the long step, ten whole runs at once
	files, err := filepath.Glob("../../scenarios/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no shipped scenarios: %v", err)
	}
	// The runs mostly wait on their schedules, so all of them go at once
	// (t.Parallel would hold them to GOMAXPROCS at a time).
	var wg sync.WaitGroup
	for _, file := range files {
		for _, tui := range []bool{false, true} {
			name := strings.TrimSuffix(filepath.Base(file), ".yaml")
			if tui {
				name += "/dashboard"
			}
			wg.Go(func() {
				t.Run(name, func(t *testing.T) { checkNoKeyInOutputs(t, file, tui) })
			})
		}
	}
	wg.Wait()
}

func checkNoKeyInOutputs(t *testing.T, file string, tui bool) {
	sc, err := scenarios.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	for _, k := range sc.Auth.Keys {
		keys[k.ID] = "RCSECRET-" + k.ID + "-Zq7vX2pL9mW4"
	}
	srv := httptest.NewServer(echoKeys(sc, reftarget.New(sc, reftarget.Keys(byValue(keys)))))
	defer srv.Close()

	dir := t.TempDir()
	var stdout, stderr syncBuffer
	stdin, stdinW := io.Pipe() // a terminal nobody types on
	defer stdinW.Close()
	env := &Env{
		Stdin: stdin, Stdout: &stdout, Stderr: &stderr, IsTTY: tui, Now: time.Now,
		Getenv: func(name string) string {
			for _, k := range sc.Auth.Keys {
				if k.Env == name {
					return keys[k.ID]
				}
			}
			return ""
		},
	}
	out := func(name string) string { return filepath.Join(dir, name) }
	reports := func(prefix string) []string {
		return []string{"--json", out(prefix + ".json"), "--html", out(prefix + ".html"), "--junit", out(prefix + ".xml"), "--md", out(prefix + ".md")}
	}
	ctx := context.Background()
	if !longtest.Enabled() {
		// Stop the run once an answer is on disk (at most 30 s): a loaded
		// machine may take longer than usual to get there.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		// This goroutine cancels the run once observations reached the disk,
		// or exits when the run ends.
		go func() {
			for ctx.Err() == nil {
				if hasObservations(out("run")) {
					time.Sleep(200 * time.Millisecond) // a few more answers
					cancel()
					return
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	args := append([]string{"run", file, "--target", srv.URL, "--out", out("run"), "--yes"}, reports("live")...)
	if !tui {
		args = append(args, "--no-tui")
	}
	run(ctx, env, args)
	run(context.Background(), env, append([]string{"report", out("run")}, reports("replayed")...))
	run(context.Background(), env, []string{"plan", file})
	run(context.Background(), env, []string{"validate", file})
	// A run that fails before sending, with the keys set: its errors too.
	run(context.Background(), env, []string{"run", file, "--target", "http://127.0.0.1:1", "--no-tui", "--yes", "--out", out("unreachable")})

	if _, err := os.Stat(out("run/" + results.ObservationsFile)); err != nil {
		t.Fatalf("the run left no observations: %v\nstderr:\n%s", err, stderr.Bytes())
	}
	if !bytes.Contains(readAll(t, dir), []byte("[REDACTED]")) {
		t.Errorf("no output shows [REDACTED]: the target's echo was not recorded, so nothing was proven")
	}
	outputs := map[string][]byte{"stdout": stdout.Bytes(), "stderr": stderr.Bytes()}
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Error(err)
			}
			outputs[path] = b
		}
		return nil
	})
	for _, key := range keys {
		for _, form := range keyForms(key) {
			for name, b := range outputs {
				if i := bytes.Index(bytes.ToLower(b), bytes.ToLower([]byte(form))); i >= 0 {
					t.Errorf("%s holds the key as %q at byte %d: …%s…", name, form, i, b[max(0, i-60):min(len(b), i+len(form)+20)])
				}
			}
		}
	}
}

// keyForms are the ways a key may be written: raw, escaped, hex, and the
// part of its base64 that a longer encoded string shares.
func keyForms(key string) []string {
	forms := []string{key, url.QueryEscape(key), hex.EncodeToString([]byte(key))}
	for pad := range 3 {
		s := base64.StdEncoding.EncodeToString(append(make([]byte, pad), key...))
		forms = append(forms, s[4:(pad+len(key))/3*4])
	}
	return forms
}

// readAll concatenates every file under dir.
func readAll(t *testing.T, dir string) []byte {
	var all []byte
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(path)
			all = append(all, b...)
			if d.Name() == results.ObservationsFile {
				// Compressed: search what it holds.
				lines, _, _ := storedObservations(filepath.Dir(path))
				all = append(all, lines...)
			}
		}
		return nil
	})
	return all
}
