package results

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrRunExists is returned by Create for a directory that already holds a run's
// observations.
var ErrRunExists = errors.New("directory already holds a run's observations")

// ErrClosed is returned by a Writer's methods after Close.
var ErrClosed = errors.New("run writer closed")

// writeBufferSize is the Writer's buffer: large enough that the system call cost
// is spread over a few hundred observations, small enough that a crash loses
// little.
const writeBufferSize = 64 << 10

// Writer appends a run's observations to its directory. It is meant for one
// goroutine: its methods must not be called concurrently.
type Writer struct {
	dir    string
	path   string // observations.jsonl
	f      *os.File
	cf     *countingFile // between bw and f: counts the lines f accepted
	bw     *bufio.Writer
	line   []byte // Append's scratch line, reused
	closed bool
}

// Create starts a run directory at dir: it creates dir and its parents as
// needed, writes m to meta.json and scenario's bytes to scenario.yaml, and opens
// observations.jsonl for appending. It refuses a directory that already holds
// observations.jsonl, with an error wrapping ErrRunExists, so a run never mixes
// with an earlier one.
func Create(dir string, m Meta, scenario []byte) (*Writer, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("results: create run directory: %w", err)
	}
	path := filepath.Join(dir, ObservationsFile)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("results: create run in %s: %s exists (use another directory): %w", dir, ObservationsFile, ErrRunExists)
	}
	if err != nil {
		return nil, fmt.Errorf("results: create run: %w", err)
	}
	if err := writeStart(dir, m, scenario); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	w := &Writer{dir: dir, path: path, f: f, line: make([]byte, 0, 1024)}
	w.cf = &countingFile{f: f}
	w.bw = bufio.NewWriterSize(w.cf, writeBufferSize)
	return w, nil
}

// writeStart writes the files a run has from its start: the scenario and meta.
func writeStart(dir string, m Meta, scenario []byte) error {
	path := filepath.Join(dir, ScenarioFile)
	if err := os.WriteFile(path, scenario, 0o644); err != nil {
		return fmt.Errorf("results: create run: %w", err)
	}
	return writeMeta(dir, m)
}

// Saved is the number of observations the file has accepted whole: after a
// write error (a full disk), what observations.jsonl holds for 'ratecheck
// report' to judge.
func (w *Writer) Saved() int64 { return w.cf.lines }

// Path is the observations file.
func (w *Writer) Path() string { return w.path }

// Dir is the run directory.
func (w *Writer) Dir() string { return w.dir }

// Append buffers o as one line of observations.jsonl. It allocates nothing;
// lines reach the file when the buffer fills, on Flush, and on Close.
func (w *Writer) Append(o Observation) error {
	if w.closed {
		return fmt.Errorf("results: append observation %d to %s: %w", o.Seq, w.path, ErrClosed)
	}
	line, err := appendObservation(w.line[:0], o)
	if err == nil {
		w.line = line
		_, err = w.bw.Write(line)
	}
	if err != nil {
		return fmt.Errorf("results: append observation %d to %s: %w", o.Seq, w.path, err)
	}
	return nil
}

// Flush writes the buffered observations to the file, so that readers (and a
// later `ratecheck report`, should the process die) see them. It does not sync
// them to the disk; Close does.
func (w *Writer) Flush() error {
	if w.closed {
		return fmt.Errorf("results: flush %s: %w", w.path, ErrClosed)
	}
	if err := w.bw.Flush(); err != nil {
		return fmt.Errorf("results: flush %s: %w", w.path, err)
	}
	return nil
}

// Close ends the run: it flushes the observations, syncs and closes the file,
// and rewrites meta.json atomically with m (which should now carry Finished and
// Interrupted). It returns every error met on the way; after Close the Writer
// only returns ErrClosed.
func (w *Writer) Close(m Meta) error {
	if w.closed {
		return fmt.Errorf("results: close %s: %w", w.path, ErrClosed)
	}
	w.closed = true
	var errs []error
	if err := w.bw.Flush(); err != nil {
		errs = append(errs, fmt.Errorf("results: flush %s: %w", w.path, err))
	}
	if err := w.f.Sync(); err != nil {
		errs = append(errs, fmt.Errorf("results: sync %s: %w", w.path, err))
	}
	if err := w.f.Close(); err != nil {
		errs = append(errs, fmt.Errorf("results: close %s: %w", w.path, err))
	}
	if err := writeMeta(w.dir, m); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
