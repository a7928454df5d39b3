package results

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/klauspost/compress/zstd"
)

// ErrRunExists is returned by Create for a directory that already holds a run's
// observations.
var ErrRunExists = errors.New("directory already holds a run's observations")

// ErrClosed is returned by a Writer's methods after Close.
var ErrClosed = errors.New("run writer closed")

// Writer appends a run's observations to its directory, in blocks of
// observations.bin. It is meant for one goroutine: its methods must not be
// called concurrently.
type Writer struct {
	dir    string
	path   string // observations.bin
	f      *os.File
	enc    *recordEncoder // the block being filled
	z      *zstd.Encoder
	frame  []byte    // the framed block, reused
	since  time.Time // when the block's first observation was appended
	saved  int64     // observations in blocks the file accepted whole
	closed bool
}

// Create starts a run directory at dir: it creates dir and its parents as
// needed, writes m to meta.json and scenario's bytes to scenario.yaml, and opens
// observations.bin for appending. It refuses a directory that already holds
// a run's observations (observations.bin or observations.jsonl), with an
// error wrapping ErrRunExists, so a run never mixes with an earlier one.
func Create(dir string, m Meta, scenario []byte) (*Writer, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("results: create run directory: %w", err)
	}
	for _, name := range []string{ObservationsFile, LinesFile} {
		if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
			return nil, fmt.Errorf("results: create run in %s: %s exists (use another directory): %w", dir, name, ErrRunExists)
		}
	}
	path := filepath.Join(dir, ObservationsFile)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("results: create run in %s: %s exists (use another directory): %w", dir, ObservationsFile, ErrRunExists)
	}
	if err != nil {
		return nil, fmt.Errorf("results: create run: %w", err)
	}
	if _, err := f.WriteString(blocksMagic); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("results: create run: %w", err)
	}
	if err := writeStart(dir, m, scenario); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	return &Writer{dir: dir, path: path, f: f, enc: newRecordEncoder(), z: newCompressor()}, nil
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
// write error (a full disk), what observations.bin holds for 'ratecheck
// report' to judge.
func (w *Writer) Saved() int64 { return w.saved }

// Path is the observations file.
func (w *Writer) Path() string { return w.path }

// Append adds o to the block being filled. It allocates nothing once the
// block's buffers have grown; the block reaches the file when it passes
// about a MiB, on Flush, on FlushOlder once it is old enough, and on Close.
func (w *Writer) Append(o Observation) error {
	if w.closed {
		return fmt.Errorf("results: append observation %d to %s: %w", o.Seq, w.path, ErrClosed)
	}
	if w.enc.n == 0 {
		w.since = time.Now()
	}
	err := w.enc.append(o)
	if err == nil && len(w.enc.buf) >= blockRawTarget {
		err = w.writeBlock()
	}
	if err != nil {
		return fmt.Errorf("results: append observation %d to %s: %w", o.Seq, w.path, err)
	}
	return nil
}

// Flush compresses the block being filled and writes it to the file, so that
// readers (and a later `ratecheck report`, should the process die) see its
// observations. It does not sync them to the disk; Close does.
func (w *Writer) Flush() error {
	if w.closed {
		return fmt.Errorf("results: flush %s: %w", w.path, ErrClosed)
	}
	if err := w.writeBlock(); err != nil {
		return fmt.Errorf("results: flush %s: %w", w.path, err)
	}
	return nil
}

// FlushOlder flushes the block being filled if its first observation was
// appended at least age ago. Called often, it writes blocks of about age's
// worth of observations (larger blocks compress better) while a crash loses
// at most age plus the interval between calls.
func (w *Writer) FlushOlder(age time.Duration) error {
	if !w.closed && (w.enc.n == 0 || time.Since(w.since) < age) {
		return nil
	}
	return w.Flush()
}

// writeBlock writes the block being filled, if it has observations, and
// starts the next one. A block the file took only in part is not counted in
// Saved; a reader skips it as cut short.
func (w *Writer) writeBlock() error {
	if w.enc.n == 0 {
		return nil
	}
	w.frame = appendBlock(w.frame[:0], w.z, w.enc.buf, w.enc.n)
	n := w.enc.n
	w.enc.reset()
	if _, err := w.f.Write(w.frame); err != nil {
		return err
	}
	w.saved += int64(n)
	return nil
}

// Close ends the run: it writes the last block, syncs and closes the file,
// and rewrites meta.json atomically with m (which should now carry Finished
// and Interrupted). It returns every error met on the way; after Close the
// Writer only returns ErrClosed.
func (w *Writer) Close(m Meta) error {
	if w.closed {
		return fmt.Errorf("results: close %s: %w", w.path, ErrClosed)
	}
	w.closed = true
	var errs []error
	if err := w.writeBlock(); err != nil {
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
