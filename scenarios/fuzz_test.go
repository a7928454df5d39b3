package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad parses arbitrary bytes: Parse must never panic, and every error
// must be an ErrorList whose entries all have a line.
func FuzzLoad(f *testing.F) {
	for _, pattern := range []string{"*.yaml", "testdata/invalid/*.yaml"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add([]byte(full))
	f.Add([]byte("a: &a [*a]\nname: *a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := Parse("fuzz.yaml", data)
		if err == nil {
			if sc == nil {
				t.Fatalf("Parse(%q) = nil, nil; want a scenario or an error", data)
			}
			return
		}
		if sc != nil {
			t.Errorf("Parse(%q) returned a scenario with error %v", data, err)
		}
		list, ok := errors.AsType[ErrorList](err)
		if !ok || len(list) == 0 {
			t.Fatalf("Parse(%q) error %v (%T); want a non-empty ErrorList", data, err, err)
		}
		for _, e := range list {
			if e.Pos.Line < 1 || e.Pos.Col < 1 || e.Pos.File != "fuzz.yaml" {
				t.Errorf("Parse(%q) error at %v; want fuzz.yaml, line and column >= 1: %v", data, e.Pos, e)
			}
		}
	})
}
