package conformance

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// Records on disk.
//
// A run keeps one record per request for judging, 24 bytes, and a long run
// would hold them all in memory while it sends: 24 MB a million requests,
// which the collector's headroom doubles. Past spillAfter records the
// collector writes them to an unlinked temporary file instead, and reads them
// back only if judging needs them (see quietness: a run that never came near
// its limit needs none). Memory while sending then stays flat however long
// the run.

// spillAfter is how many records a collector keeps in memory before it moves
// them to disk (1.5 MB); a variable so tests can spill small runs.
var spillAfter = 1 << 16

// spillRecordSize is the bytes of one record on disk: its key index, then the
// record's fields.
const spillRecordSize = 4 + 8 + 4 + 4 + 4 + 4

// spill is the file a collector's records go to once they outgrow memory.
type spill struct {
	f       *os.File
	removed bool // the file is already gone from its directory
	w       *bufio.Writer
	n       int   // records written
	err     error // the first write error; the records on disk are then incomplete
	buf     [spillRecordSize]byte
}

// newSpill creates the file. It is removed from the directory at once where
// the system allows (the data stay readable while it is open, and vanish when
// the process ends however it ends); elsewhere when it is closed.
func newSpill() (*spill, error) {
	f, err := os.CreateTemp("", "ratecheck-records-*")
	if err != nil {
		return nil, err
	}
	sp := &spill{f: f, w: bufio.NewWriterSize(f, 64<<10)}
	sp.removed = os.Remove(f.Name()) == nil
	return sp, nil
}

// write appends record r of key k.
func (sp *spill) write(k int32, r *record) {
	if sp.err != nil {
		return
	}
	b := sp.buf[:]
	binary.LittleEndian.PutUint32(b[0:], uint32(k))
	binary.LittleEndian.PutUint64(b[4:], uint64(r.sent))
	binary.LittleEndian.PutUint32(b[12:], r.latency)
	binary.LittleEndian.PutUint32(b[16:], uint32(r.seq))
	binary.LittleEndian.PutUint32(b[20:], uint32(r.phase))
	binary.LittleEndian.PutUint32(b[24:], uint32(r.status))
	if _, err := sp.w.Write(b); err != nil {
		sp.err = err
		return
	}
	sp.n++
}

// readInto appends the records on disk to byKey, in the order written, and
// closes the file.
func (sp *spill) readInto(byKey [][]record) (err error) {
	defer func() {
		if cerr := sp.f.Close(); err == nil && cerr != nil {
			err = cerr
		}
		if !sp.removed {
			os.Remove(sp.f.Name())
		}
	}()
	if sp.err != nil {
		return fmt.Errorf("writing the records to %s: %w", sp.f.Name(), sp.err)
	}
	if err := sp.w.Flush(); err != nil {
		return fmt.Errorf("writing the records to %s: %w", sp.f.Name(), err)
	}
	if _, err := sp.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("reading the records back from %s: %w", sp.f.Name(), err)
	}
	r := bufio.NewReaderSize(sp.f, 64<<10)
	var b [spillRecordSize]byte
	for x := range sp.n {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return fmt.Errorf("reading record %d of %d back from %s: %w", x+1, sp.n, sp.f.Name(), err)
		}
		k := int32(binary.LittleEndian.Uint32(b[0:]))
		if k < 0 || int(k) >= len(byKey) {
			return fmt.Errorf("reading record %d of %d back from %s: %w", x+1, sp.n, sp.f.Name(), errBadKey)
		}
		byKey[k] = append(byKey[k], record{
			sent:    int64(binary.LittleEndian.Uint64(b[4:])),
			latency: binary.LittleEndian.Uint32(b[12:]),
			seq:     int32(binary.LittleEndian.Uint32(b[16:])),
			phase:   int32(binary.LittleEndian.Uint32(b[20:])),
			status:  int32(binary.LittleEndian.Uint32(b[24:])),
		})
	}
	return nil
}

var errBadKey = errors.New("a key index out of range (the file was changed)")
