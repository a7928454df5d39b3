// Package spill is the storage a conformance.Judge moves its records to once
// they outgrow memory: a temporary file, removed from its directory at once
// where the system allows, written in order and read back once. It owns the
// only file I/O of judging, so that conformance itself stays pure; the caller
// (the runner, `ratecheck report`) chooses the directory and hands
// conformance.Options a maker of these files.
//
// It imports only the standard library and must not import conformance.
package spill

import (
	"bufio"
	"fmt"
	"io"
	"os"
)

// File is one spill file: Write appends, Reader reads everything written from
// the start, Close removes it.
type File struct {
	f       *os.File
	removed bool // the file is already gone from its directory
	w       *bufio.Writer
}

// Create makes a spill file in dir (the system's temporary directory when dir
// is ""). It is removed from the directory at once where the system allows
// (the data stay readable while it is open, and vanish when the process ends
// however it ends); elsewhere when it is closed.
func Create(dir string) (*File, error) {
	f, err := os.CreateTemp(dir, "ratecheck-records-*")
	if err != nil {
		return nil, fmt.Errorf("spill: %w", err)
	}
	sp := &File{f: f, w: bufio.NewWriterSize(f, 64<<10)}
	sp.removed = os.Remove(f.Name()) == nil
	return sp, nil
}

// Write appends b, buffered.
func (sp *File) Write(b []byte) (int, error) {
	n, err := sp.w.Write(b)
	if err != nil {
		return n, fmt.Errorf("spill: write to %s: %w", sp.f.Name(), err)
	}
	return n, nil
}

// Reader flushes what was written and returns a reader of it from the start.
// Writing after it is an error.
func (sp *File) Reader() (io.Reader, error) {
	if err := sp.w.Flush(); err != nil {
		return nil, fmt.Errorf("spill: write to %s: %w", sp.f.Name(), err)
	}
	if _, err := sp.f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("spill: read back %s: %w", sp.f.Name(), err)
	}
	return bufio.NewReaderSize(sp.f, 64<<10), nil
}

// Close closes the file and removes it where Create could not.
func (sp *File) Close() error {
	err := sp.f.Close()
	if !sp.removed {
		os.Remove(sp.f.Name()) // best effort: the file holds nothing secret
	}
	if err != nil {
		return fmt.Errorf("spill: close %s: %w", sp.f.Name(), err)
	}
	return nil
}
