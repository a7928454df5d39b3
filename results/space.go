package results

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"syscall"
)

// Bounds of one observation in observations.bin, for the space a run
// needs: MinRecordBytes is the least any takes (compressed, a record that
// repeats the one before takes less than a byte; a block's header, 16
// bytes, is shared by thousands), RecordBytes the most without a body (an
// incompressible record with its rate-limit headers), to which the body
// snippet adds up to its size.
const (
	MinRecordBytes = 1
	RecordBytes    = 256
)

// ErrNoSpace says a run directory's filesystem cannot hold the run's
// observations.
var ErrNoSpace = errors.New("not enough free space")

// FreeSpace is the space free to this process on the filesystem that holds
// dir (or would hold it: the nearest existing parent is asked).
func FreeSpace(dir string) (int64, error) {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		var st syscall.Statfs_t
		err := syscall.Statfs(d, &st)
		if err == nil {
			return int64(st.Bavail) * int64(st.Bsize), nil
		}
		if !errors.Is(err, fs.ErrNotExist) || d == filepath.Dir(d) {
			return 0, fmt.Errorf("results: free space of %s: %w", d, err)
		}
	}
}

// CheckSpace says, before a run of the given number of requests with
// body snippets of up to maxBody bytes, whether dir's filesystem can hold
// its observations. It fails wrapping ErrNoSpace when even the smallest
// lines would not fit, and returns a warning when the largest might not.
func CheckSpace(dir string, requests, maxBody int64) (warning string, err error) {
	free, err := FreeSpace(dir)
	if err != nil || requests <= 0 {
		return "", err
	}
	least, most := requests*MinRecordBytes, requests*(RecordBytes+maxBody)
	switch {
	case free < least:
		return "", fmt.Errorf("results: %s has %s free; %d observations take at least %s: %w", dir, bytesText(free), requests, bytesText(least), ErrNoSpace)
	case free < most:
		return fmt.Sprintf("%s has %s free; %d observations may take up to %s: the run may fill the disk", dir, bytesText(free), requests, bytesText(most)), nil
	}
	return "", nil
}

// bytesText is n in binary units.
func bytesText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
