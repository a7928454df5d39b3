package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestFindingsAreTheTestsExcuses checks that docs/findings.md and the tests
// that count known wrong verdicts name the same findings: every finding a
// test excuses ("F9: ..." in a Go test file) has its row in the table, and
// every row but those seen outside any excusing test (listed in the row as
// such) is excused by some test. A row dropped by mistake, or an excuse left
// after its fix, fails here.
func TestFindingsAreTheTestsExcuses(t *testing.T) {
	root := filepath.Join("..", "..")
	doc, err := os.ReadFile(filepath.Join(root, "docs", "findings.md"))
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, m := range regexp.MustCompile(`(?m)^\| (F\d+) \|`).FindAllStringSubmatch(string(doc), -1) {
		rows = append(rows, m[1])
	}
	excuse := regexp.MustCompile(`"(F\d+): `)
	var excused []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range excuse.FindAllStringSubmatch(string(src), -1) {
			excused = append(excused, m[1])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(excused) == 0 {
		t.Fatal(`no test excuses a finding ("F<n>: ..."): the pattern no longer matches how the tests name them`)
	}
	for _, f := range excused {
		if !slices.Contains(rows, f) {
			t.Errorf("a test excuses %s, which docs/findings.md has no row for", f)
		}
	}
	for _, f := range rows {
		if !slices.Contains(excused, f) && !untested[f] {
			t.Errorf("docs/findings.md lists %s, which no test excuses: remove the row if it is fixed, or say in untested why no test can", f)
		}
	}
}

// untested are the findings seen where no test counts known wrong verdicts,
// so no test excuses them.
var untested = map[string]bool{
	"F13": true, // once, in a script test that fails on any wrong verdict
}
