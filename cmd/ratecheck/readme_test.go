package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeIsTrue checks what a newcomer relies on in README.md on a fresh
// clone: the Go version it names is the one go.mod needs, every relative link
// and image resolves inside the repository, and every file path it quotes
// exists.
func TestReadmeIsTrue(t *testing.T) {
	root := filepath.Join("..", "..")
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)

	goLine := regexp.MustCompile(`(?m)^go (\S+)$`).FindStringSubmatch(string(gomod))
	if goLine == nil {
		t.Fatal("go.mod has no go line")
	}
	for _, m := range regexp.MustCompile(`Go (1\.\d+(?:\.\d+)?)`).FindAllStringSubmatch(text, -1) {
		if m[1] != goLine[1] && !strings.Contains(text, "Go "+m[1]+"+") {
			t.Errorf("README names Go %s; go.mod needs %s", m[1], goLine[1])
		}
	}

	for _, m := range regexp.MustCompile(`\]\(([^)\s]+)\)`).FindAllStringSubmatch(text, -1) {
		link := m[1]
		if strings.Contains(link, "://") || strings.HasPrefix(link, "#") || strings.HasPrefix(link, "mailto:") {
			continue
		}
		link, _, _ = strings.Cut(link, "#")
		if _, err := os.Stat(filepath.Join(root, link)); err != nil {
			t.Errorf("README links to %s, which does not exist", m[1])
		}
	}

	// Paths quoted as code: `docs/ci.md`, `scenarios/copilot.yaml`, `bench/README.md`.
	quoted := regexp.MustCompile("`((?:docs|scenarios|bench|scripts|internal|cmd|report|conformance|results|attack|schema)/[^`\\s<>*]*[^`\\s<>*/.])`")
	for _, m := range quoted.FindAllStringSubmatch(text, -1) {
		if strings.Contains(m[1], "…") { // an elided name, such as docs/apis/000_…
			continue
		}
		if _, err := os.Stat(filepath.Join(root, m[1])); err != nil {
			t.Errorf("README quotes the path %s, which does not exist", m[1])
		}
	}
}
