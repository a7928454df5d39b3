package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/internal/hostile"
	"github.com/ratecheck/ratecheck/internal/longtest"
)

// TestReportsSafeToOpen runs against a target that puts markup, javascript:
// links, Markdown table breakers and terminal escapes in its headers and
// bodies. The HTML report, opened in headless Chromium, runs nothing: no
// request reaches the beacon the payloads point at, no dialog, no console
// message. JUnit decodes as XML, the Markdown keeps its tables and makes no
// link, and the plain output carries no terminal escape.
func TestReportsSafeToOpen(t *testing.T) {
	longtest.Skip(t, "a run and headless Chromium")
	// Not parallel: it runs alone, so Chromium's start starves no timed test.
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed (.ci/run installs it)")
		}
		t.Skip("chromium is not installed")
	}
	var mu sync.Mutex
	var beacon []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		beacon = append(beacon, r.URL.Path)
		mu.Unlock()
	}))
	defer other.Close()
	srv := httptest.NewServer(hostile.New(other.URL))
	defer srv.Close()

	dir := t.TempDir()
	// Over the limit for 2 s: one whole second of the target's clock-aligned
	// window then sees twice the limit, so 429s (whose bodies the checks
	// quote) come however the phase falls across seconds.
	scen := hostileScenario(t, dir, "/inject", "2s")
	// Declare a 429 body shape the payload body does not have, so that
	// body.error-format fails and quotes it.
	b, _ := os.ReadFile(scen)
	os.WriteFile(scen, append(b, "errors:\n  429: {body: {error: number}}\n"...), 0o644)
	f := func(name string) string { return filepath.Join(dir, name) }
	cmd := ratecheckCmd(t, "run", scen, "--target", srv.URL, "--no-tui", "--out", f("run"),
		"--html", f("r.html"), "--junit", f("r.xml"), "--md", f("r.md"), "--json", f("r.json"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil && cmd.ProcessState.ExitCode() != exitFail {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	p := hostile.Payloads(other.URL + "/beacon")

	page, _ := os.ReadFile(f("r.html"))
	if !bytes.Contains(page, []byte("&lt;script&gt;")) {
		t.Fatalf("the HTML report shows no escaped payload: the test proved nothing\n%s", stdout.String())
	}
	console := openInChromium(t, chromium, f("r.html"))
	mu.Lock()
	if len(beacon) > 0 {
		t.Errorf("opening the HTML report reached the beacon: %v", beacon)
	}
	mu.Unlock()
	for _, line := range strings.Split(console, "\n") {
		if strings.Contains(line, "CONSOLE") || strings.Contains(line, "Uncaught") || strings.Contains(line, "Refused to") || strings.Contains(line, "alert") {
			t.Errorf("Chromium logged: %s", line)
		}
	}

	junit, _ := os.ReadFile(f("r.xml"))
	dec := xml.NewDecoder(bytes.NewReader(junit))
	for {
		if _, err := dec.Token(); err != nil {
			if !errors.Is(err, io.EOF) {
				t.Errorf("the JUnit report is not valid XML: %v", err)
			}
			break
		}
	}

	md, _ := os.ReadFile(f("r.md"))
	checkMarkdown(t, string(md), p)

	if !bytes.Contains(stdout.Bytes(), []byte("pwned")) {
		t.Errorf("the plain output shows no part of the escapes' payload: the test proved nothing\n%s", tail(stdout.String()))
	}
	for name, out := range map[string][]byte{"stdout": stdout.Bytes(), "stderr": stderr.Bytes(), "markdown": md, "junit": junit} {
		if i := bytes.IndexAny(out, "\x1b\x07\x9b"); i >= 0 {
			t.Errorf("%s carries a terminal control byte %q at %d: %q", name, out[i], i, out[max(0, i-40):min(len(out), i+20)])
		}
	}
	checkDashboardStripsEscapes(t, scen, srv.URL, p)
	t.Logf("Chromium: %d requests to the beacon, %d console lines, no dialog (the page loaded within the budget); JUnit valid XML; Markdown tables intact, no link; plain output and dashboard without the target's escapes", len(beacon), strings.Count(console, "CONSOLE"))
}

// checkDashboardStripsEscapes runs the scenario again with the dashboard
// (a terminal nobody types on): its frames show the target's body, but
// none of the escape sequences in it. The dashboard draws with escapes of
// its own, so the payload's own sequences are searched for.
func checkDashboardStripsEscapes(t *testing.T, scen, target string, p hostile.InjectPayloads) {
	var out, errb syncBuffer
	stdin, w := io.Pipe()
	defer w.Close()
	env := &Env{Stdin: stdin, Stdout: &out, Stderr: &errb, IsTTY: true, Now: time.Now, Getenv: func(string) string { return "" }}
	code := run(context.Background(), env, []string{"run", scen, "--target", target, "--out", filepath.Join(t.TempDir(), "run")})
	screen := out.Bytes()
	if code != exitFail || !bytes.Contains(screen, []byte("pwned")) {
		t.Errorf("dashboard run: exit %d, the payload shown: %v; want a failure whose body the screen quotes\nstderr:\n%s", code, bytes.Contains(screen, []byte("pwned")), errb.Bytes())
	}
	for _, seq := range []string{"\x1b[31mred", "\x1b]0;pwned", "\x07", "\x1b[2J"} {
		if i := bytes.Index(screen, []byte(seq)); i >= 0 {
			t.Errorf("the dashboard wrote the target's escape %q at byte %d: %q", seq, i, screen[max(0, i-60):min(len(screen), i+20)])
		}
	}
	if !strings.Contains(p.Escapes, "\x1b]0;pwned\x07") {
		t.Fatalf("the payload changed: update the sequences searched for")
	}
}

// openInChromium loads the page in headless Chromium with logging on and
// returns what it logged.
func openInChromium(t *testing.T, chromium, page string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu",
		"--user-data-dir="+t.TempDir(), "--enable-logging=stderr", "--v=0",
		"--virtual-time-budget=2000", "--dump-dom", "file://"+page)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			// --dump-dom waits for the page; a dialog (alert, confirm)
			// never lets it finish.
			t.Fatalf("chromium did not finish the page in 60 s: a dialog holds it, or the page never loads\n%s", errb.String())
		}
		t.Fatalf("chromium: %v\n%s", err, errb.String())
	}
	if !strings.Contains(out.String(), "</html>") {
		t.Fatalf("chromium dumped no page:\n%s", errb.String())
	}
	return errb.String()
}

// mdLink matches a Markdown link or image whose brackets were left unescaped.
var mdLink = regexp.MustCompile(`(^|[^\\])\]\(`)

// checkMarkdown checks that every table row has its header's cell count and
// that nothing the target sent became a link, an image or raw HTML.
func checkMarkdown(t *testing.T, md string, p hostile.InjectPayloads) {
	if !strings.Contains(md, "javascript:") && !strings.Contains(md, "script") {
		t.Errorf("the Markdown report shows no payload: the test proved nothing")
	}
	cells := func(row string) int {
		row = strings.ReplaceAll(row, `\|`, "")
		return strings.Count(row, "|")
	}
	lines := strings.Split(md, "\n")
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "|") {
			continue
		}
		want := cells(lines[i])
		for ; i < len(lines) && strings.HasPrefix(lines[i], "|"); i++ {
			if got := cells(lines[i]); got != want {
				t.Errorf("Markdown table row %d has %d separators; its header has %d: %s", i+1, got, want, lines[i])
			}
		}
	}
	if m := mdLink.FindStringIndex(md); m != nil {
		t.Errorf("the Markdown report makes a link: …%s…", md[max(0, m[0]-60):min(len(md), m[1]+40)])
	}
	for _, raw := range []string{"<script", "<img", "<a href", p.Beacon} {
		if strings.Contains(md, raw) {
			t.Errorf("the Markdown report holds %q raw: …%s…", raw, md[max(0, strings.Index(md, raw)-100):min(len(md), strings.Index(md, raw)+60)])
		}
	}
}
