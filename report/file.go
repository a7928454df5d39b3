package report

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// WriteFile writes r to path with write (WriteJSON, WriteHTML, ...) atomically:
// it writes a temporary file in path's directory, syncs it and renames it over
// path, so readers see the old file or the whole new one, never a part. It
// creates missing parent directories. The file gets mode 0644, like a file the
// user's shell would create. On error path is left as it was.
func WriteFile(path string, write func(io.Writer, *Report) error, r *Report) (err error) {
	if write == nil {
		return fmt.Errorf("report: write %s: no writer given", path)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := write(f, r); err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	if err := finish(f); err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	return nil
}

// CheckWritable reports whether WriteFile could write path, before there is
// anything to write: path is not a directory, and its directory exists (or
// can be made, as WriteFile would make it) and takes a new file. It leaves no
// file behind.
func CheckWritable(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("report: %s is a directory, not a file", path)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report: cannot write %s: %w", path, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("report: cannot write %s: %w", path, err)
	}
	return errors.Join(f.Close(), os.Remove(f.Name()))
}

// finish makes the temporary file world-readable, flushes it to disk and closes it.
func finish(f *os.File) error {
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	return errors.Join(f.Sync(), f.Close())
}
