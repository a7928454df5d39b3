package results

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// encodeAll is obs as observations.jsonl's bytes.
func encodeAll(t *testing.T, obs []Observation) []byte {
	t.Helper()
	var b []byte
	for _, o := range obs {
		var err error
		if b, err = appendObservation(b, o); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// runWithObservations writes a run whose observations.jsonl holds data, as
// runs written before observations.bin did.
func runWithObservations(t *testing.T, data []byte) *Run {
	t.Helper()
	dir, _ := writeRun(t, nil)
	if err := os.Remove(filepath.Join(dir, ObservationsFile)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, LinesFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestObservationsSkipsTruncatedLastLine(t *testing.T) {
	obs := sampleObservations(4)
	whole := encodeAll(t, obs)
	lastStart := len(encodeAll(t, obs[:3]))
	r := runWithObservations(t, nil)
	path := filepath.Join(r.Dir, LinesFile)
	// Every cut inside the last line, from its first byte to just before "\n".
	for cut := lastStart + 1; cut < len(whole)-1; cut++ {
		if err := os.WriteFile(path, whole[:cut], 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := collect(r)
		if err != nil {
			t.Fatalf("cut at %d of %d: Observations error: %v", cut, len(whole), err)
		}
		if diff := cmp.Diff(obs[:3], got, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("cut at %d (%q): (-want +got):\n%s", cut, whole[lastStart:cut], diff)
		}
		if r.cutLine != 4 {
			t.Fatalf("cut at %d: cutLine = %d; want 4", cut, r.cutLine)
		}
	}
	// A later pass over a whole file forgets the cut.
	if err := os.WriteFile(path, whole, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := collect(r); err != nil || r.cutLine != 0 {
		t.Errorf("whole file: error %v, cutLine = %d; want nil, 0", err, r.cutLine)
	}
}

func TestObservationsKeepsCompleteLastLineWithoutNewline(t *testing.T) {
	obs := sampleObservations(2)
	data := encodeAll(t, obs)
	r := runWithObservations(t, data[:len(data)-1])
	if diff := cmp.Diff(obs, readAll(t, r), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if r.cutLine != 0 {
		t.Errorf("cutLine = %d for a whole last line without newline; want 0", r.cutLine)
	}
}

func TestObservationsReportsCorruptLine(t *testing.T) {
	obs := sampleObservations(5)
	lines := bytes.SplitAfter(encodeAll(t, obs), []byte("\n"))
	tests := []struct {
		name     string
		corrupt  int // 0-based line to damage
		with     string
		wantLine string
	}{
		{"middle line cut short", 2, `{"seq":3,"pha` + "\n", ":3: "},
		{"first line garbage", 0, "garbage\n", ":1: "},
		{"wrong type", 1, `{"seq":"two"}` + "\n", ":2: "},
		{"last line complete but corrupt", 4, `{"seq":5,` + "\n", ":5: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			damaged := make([][]byte, len(lines))
			copy(damaged, lines)
			damaged[tt.corrupt] = []byte(tt.with)
			r := runWithObservations(t, bytes.Join(damaged, nil))
			got, err := collect(r)
			if err == nil {
				t.Fatalf("Observations() error = nil; want an error at line %d", tt.corrupt+1)
			}
			want := filepath.Join(r.Dir, LinesFile) + tt.wantLine
			if !strings.Contains(err.Error(), want) {
				t.Errorf("Observations() error = %q; want it to contain %q", err, want)
			}
			if diff := cmp.Diff(obs[:tt.corrupt], got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("observations before the error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestObservationsStopsAfterError(t *testing.T) {
	data := append([]byte("bad\n"), encodeAll(t, sampleObservations(2))...)
	r := runWithObservations(t, data)
	var yields, errs int
	for _, err := range r.Observations() {
		yields++
		if err != nil {
			errs++
		}
	}
	if yields != 1 || errs != 1 {
		t.Errorf("Observations() yielded %d times, %d errors; want 1 error and nothing after it", yields, errs)
	}
}

func TestObservationsSkipsBlankLines(t *testing.T) {
	obs := sampleObservations(2)
	lines := bytes.SplitAfter(encodeAll(t, obs), []byte("\n"))
	data := bytes.Join([][]byte{[]byte("\n"), lines[0], []byte(" \t\r\n"), lines[1], []byte("\n")}, nil)
	r := runWithObservations(t, data)
	if diff := cmp.Diff(obs, readAll(t, r), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestObservationsLongLines(t *testing.T) {
	obs := sampleObservations(3)
	obs[1].Body = strings.Repeat("0123456789", 20000) // 200 KB, over the 64 KiB read buffer
	r := runWithObservations(t, encodeAll(t, obs))
	if diff := cmp.Diff(obs, readAll(t, r), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestObservationsEarlyBreak(t *testing.T) {
	dir, _ := writeRun(t, sampleObservations(10))
	r, _ := Open(dir)
	n := 0
	for range r.Observations() {
		n++
		if n == 3 {
			break
		}
	}
	if n != 3 {
		t.Errorf("after break at 3, n = %d", n)
	}
	if got := len(readAll(t, r)); got != 10 {
		t.Errorf("a second pass read %d observations; want 10", got)
	}
}

func TestObservationsMissingFile(t *testing.T) {
	r := &Run{Dir: t.TempDir()}
	_, err := collect(r)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), ObservationsFile) {
		t.Errorf("Observations() without the file = %v; want ErrNotExist naming %s", err, ObservationsFile)
	}
}

func TestLineReader(t *testing.T) {
	tests := []struct {
		name, in  string
		limit     int
		wantLines []string
		wantFull  []bool
		wantErr   error
	}{
		{"empty", "", 100, nil, nil, nil},
		{"lines", "a\nbb\n", 100, []string{"a", "bb"}, []bool{true, true}, nil},
		{"partial last", "a\nbb", 100, []string{"a", "bb"}, []bool{true, false}, nil},
		{"over limit", strings.Repeat("x", 200000) + "\n", 100000, nil, nil, errLineTooLong},
		{"long within limit", strings.Repeat("y", 150000) + "\nz", 200000,
			[]string{strings.Repeat("y", 150000), "z"}, []bool{true, false}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lr := newLineReader(strings.NewReader(tt.in), tt.limit)
			var lines []string
			var full []bool
			var err error
			for {
				var line []byte
				var complete bool
				line, complete, err = lr.next()
				if err != nil {
					break
				}
				lines, full = append(lines, string(line)), append(full, complete)
			}
			if tt.wantErr == nil && err != io.EOF || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("next() error = %v; want %v", err, tt.wantErr)
			}
			if !cmp.Equal(lines, tt.wantLines) || !cmp.Equal(full, tt.wantFull) {
				t.Errorf("lines = %.40q %v; want %.40q %v", lines, full, tt.wantLines, tt.wantFull)
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(dir string) // damages a good run
		wantIn   string           // file the error must name
		wantErrs error
	}{
		{"missing directory", func(dir string) { os.RemoveAll(dir) }, MetaFile, fs.ErrNotExist},
		{"missing meta", func(dir string) { os.Remove(filepath.Join(dir, MetaFile)) }, MetaFile, fs.ErrNotExist},
		{"corrupt meta", func(dir string) { os.WriteFile(filepath.Join(dir, MetaFile), []byte("{"), 0o644) }, MetaFile, nil},
		{"newer schema", func(dir string) {
			os.WriteFile(filepath.Join(dir, MetaFile), []byte(`{"schema_version": 3}`), 0o644)
		}, MetaFile, ErrSchemaVersion},
		{"no schema", func(dir string) { os.WriteFile(filepath.Join(dir, MetaFile), []byte(`{}`), 0o644) }, MetaFile, ErrSchemaVersion},
		{"missing scenario", func(dir string) { os.Remove(filepath.Join(dir, ScenarioFile)) }, ScenarioFile, fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, _ := writeRun(t, sampleObservations(1))
			tt.setup(dir)
			r, err := Open(dir)
			if err == nil {
				t.Fatalf("Open() = %+v, nil; want an error", r)
			}
			if want := filepath.Join(dir, tt.wantIn); !strings.Contains(err.Error(), want) {
				t.Errorf("Open() error = %q; want it to name %s", err, want)
			}
			if tt.wantErrs != nil && !errors.Is(err, tt.wantErrs) {
				t.Errorf("Open() error = %v; want it to wrap %v", err, tt.wantErrs)
			}
		})
	}
}
