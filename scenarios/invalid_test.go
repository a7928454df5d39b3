package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// goldenAt renames a test for golden.RequireEqual, which reads
// testdata/<Name()>.golden: this keeps each golden file next to its YAML case
// in testdata/invalid/ while -update still rewrites it.
type goldenAt struct {
	*testing.T
	name string
}

// Name is the golden file's path under testdata, without .golden.
func (g goldenAt) Name() string { return g.name }

// TestInvalid loads every testdata/invalid/<case>.yaml and compares the error
// text, file:line:col: path: message per line, with <case>.golden.
func TestInvalid(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("Glob(testdata/invalid/*.yaml) = %v, %v; want files", files, err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			sc, err := Load(file)
			if sc != nil {
				t.Errorf("Load(%s) returned a scenario; want nil with an error", file)
			}
			list, ok := errors.AsType[ErrorList](err)
			if !ok {
				t.Fatalf("Load(%s) error = %v (%T); want an ErrorList", file, err, err)
			}
			if strings.Contains(list.Error(), "sk_live") {
				t.Errorf("Load(%s) error quotes a key value:\n%s", file, list)
			}
			golden.RequireEqual(goldenAt{t, "invalid/" + name}, list.Error()+"\n")
		})
	}
}

// TestInvalidCases guards the list of cases the suite promises to cover.
func TestInvalidCases(t *testing.T) {
	cases := []string{
		"unknown_field", "bad_duration", "zero_requests", "literal_key",
		"unknown_endpoint", "duplicate_name", "burst_fixed_window", "wrong_kind",
		"yaml_syntax", "plan_missing", "plan_unknown", "staleness_without_approximate",
		"bad_rate", "pause_with_rate", "several_errors", "max_not_last",
		"bad_scopes", "scopes_without_auth", "header_aliases",
	}
	for _, c := range cases {
		for _, ext := range []string{".yaml", ".golden"} {
			if _, err := os.Stat(filepath.Join("testdata", "invalid", c+ext)); err != nil {
				t.Errorf("case %s%s: %v", c, ext, err)
			}
		}
	}
}
