package results

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"
)

func TestDefaultDir(t *testing.T) {
	started := time.Date(2026, 11, 22, 15, 20, 0, 999, time.FixedZone("CET", 3600))
	tests := []struct {
		scenario, want string
	}{
		{"copilot", "20261122T142000Z-copilot"},
		{"stripe-v1.2_test", "20261122T142000Z-stripe-v1.2_test"},
		{"My API (prod)", "20261122T142000Z-My-API-prod"},
		{"../../etc/passwd", "20261122T142000Z-etc-passwd"},
		{"..", "20261122T142000Z-run"},
		{"", "20261122T142000Z-run"},
		{"日本語", "20261122T142000Z-run"},
		{strings.Repeat("a", 100), "20261122T142000Z-" + strings.Repeat("a", 64)},
	}
	for _, tt := range tests {
		got := DefaultDir("runs", started, tt.scenario)
		if want := filepath.Join("runs", tt.want); got != want {
			t.Errorf("DefaultDir(runs, %v, %q) = %q; want %q", started, tt.scenario, got, want)
		}
	}
}

func TestRedactTarget(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"https://api.example.com/v1/", "https://api.example.com/v1/"},
		{"https://sk_live_123:@api.stripe.com", "https://api.stripe.com"},
		{"https://u:p%zz@host/", "host/"}, // not a URL: cut to after the '@'
		{"https://u:p@api.example.test/?api_key=abc&x=1", "https://api.example.test/?api_key=REDACTED&x=REDACTED"},
		{"https://user:secret@api.example.com/v1", "https://api.example.com/v1"},
		{"https://api.example.com/v1?api_key=SECRET&x=1", "https://api.example.com/v1?api_key=REDACTED&x=REDACTED"},
		{"http://user:pw@[::1%zz/bad?token=SECRET", "[::1%zz/bad"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := RedactTarget(tt.in); got != tt.want {
			t.Errorf("RedactTarget(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestTargetName(t *testing.T) {
	tests := []struct {
		target  string
		builtin bool
		want    string
	}{
		{"https://api.example.com", false, "https://api.example.com"},
		{"https://user:secret@api.example.com/v1", false, "https://api.example.com/v1"},
		{"http://127.0.0.1:4242", true, "the built-in reference target on http://127.0.0.1:4242"},
		{"", true, "the built-in reference target"},
		{"", false, ""},
	}
	for _, tt := range tests {
		if got := TargetName(tt.target, tt.builtin); got != tt.want {
			t.Errorf("TargetName(%q, %v) = %q; want %q", tt.target, tt.builtin, got, tt.want)
		}
	}
}

func TestMetaNeverStoresTargetCredentials(t *testing.T) {
	dir := t.TempDir()
	m := sampleMeta()
	m.Target = "https://sk_live_SECRET1:@api.example.com/v1?key=SECRET2"
	w, err := Create(dir, m, scenarioBytes)
	if err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		b, _ := os.ReadFile(filepath.Join(dir, MetaFile))
		if strings.Contains(string(b), "SECRET") {
			t.Errorf("meta.json %s holds a secret:\n%s", when, b)
		}
	}
	check("at the start")
	if err := w.Close(m); err != nil {
		t.Fatal(err)
	}
	check("at the end")
}

// TestMetaJSON shows meta.json's format at the end of a run.
func TestMetaJSON(t *testing.T) {
	m := sampleMeta()
	m.Finished = t0.Add(95 * time.Second)
	b, err := encodeMeta(m)
	if err != nil {
		t.Fatal(err)
	}
	golden.RequireEqual(t, b)
}

func TestEncodeMetaRedactsURLsInArgs(t *testing.T) {
	b, err := encodeMeta(Meta{Args: []string{"run", "s.yaml", "--target", "https://u:pw-secret@api.example.com/v1?api_key=sk-secret", "--html=https://x:pw-secret@h/?k=sk-secret", "--no-tui"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"pw-secret", "sk-secret"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("meta.json holds %q from the command line:\n%s", secret, b)
		}
	}
	for _, kept := range []string{`"run"`, `"--no-tui"`, "https://api.example.com/v1?api_key=REDACTED"} {
		if !strings.Contains(string(b), kept) {
			t.Errorf("meta.json lost %q:\n%s", kept, b)
		}
	}
}
