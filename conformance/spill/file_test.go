package spill

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// What is written comes back from the start, and nothing is left in the
// directory once the file is closed (nor, where the system allows, before).
func TestFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	f, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := bytes.Repeat([]byte("0123456789abcdef"), 10000) // past the 64 KiB buffer
	for b := want; len(b) > 0; b = b[min(len(b), 28):] {
		if _, err := f.Write(b[:min(len(b), 28)]); err != nil {
			t.Fatal(err)
		}
	}
	r, err := f.Reader()
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("read back %d bytes; want the %d written", len(got), len(want))
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("%d files left in %s after Close; want none", len(left), dir)
	}
}

// A directory that does not exist is an error naming the package.
func TestCreateInMissingDirectory(t *testing.T) {
	_, err := Create(filepath.Join(t.TempDir(), "missing"))
	if err == nil {
		t.Fatal("Create in a missing directory: no error")
	}
}
