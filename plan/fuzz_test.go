package plan

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ratecheck/ratecheck/scenarios"
)

// FuzzNew plans every scenario Parse accepts from arbitrary bytes, seeded
// with the shipped scenarios: New must never panic.
func FuzzNew(f *testing.F) {
	files, err := filepath.Glob("../scenarios/*.yaml")
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
	f.Fuzz(func(t *testing.T, data []byte) {
		if sc, err := scenarios.Parse("fuzz.yaml", data); err == nil {
			New(sc)
		}
	})
}
