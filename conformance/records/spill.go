package records

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Records on disk.
//
// A run keeps one record per request for judging, 24 bytes, and a long run
// would hold them all in memory while it sends: 24 MB a million requests,
// which the collector's headroom doubles. Past spillAfter records the
// collector writes them to a Spill instead (Options.Spill; the caller decides
// where it lives, see conformance/spill), and reads them back only if judging
// needs them (see quietness: a run that never came near its limit needs none).
// Memory while sending then stays flat however long the run. A Judge without
// Options.Spill keeps every record in memory.

// Spill is storage for the records of a Judge once they outgrow memory: the
// records are written in order, then read back once from the start.
type Spill interface {
	io.Writer
	// Reader returns everything written, from the start; nothing is written
	// after it.
	Reader() (io.Reader, error)
	// Close releases the storage.
	Close() error
}

// SpillAfter is how many records a collector keeps in memory before it moves
// them to disk (1.5 MB); a variable so tests can spill small runs.
var SpillAfter = 1 << 16

// spillRecordSize is the bytes of one record on disk: its key index, then the
// record's fields.
const spillRecordSize = 4 + 8 + 4 + 4 + 4 + 4

// SpillFile is a Spill of fixed-size records: the framing both record
// codecs share (the collector's, and the header checks' in
// conformance/response's spill.go).
type SpillFile struct {
	To  Spill
	N   int   // records written
	err error // the first write error; the records on disk are then incomplete
}

// Put appends one encoded record; after a write error it writes nothing.
func (sf *SpillFile) Put(b []byte) {
	if sf.err != nil {
		return
	}
	if _, err := sf.To.Write(b); err != nil {
		sf.err = err
		return
	}
	sf.N++
}

// Each reads the records back in the order written, size bytes each, hands
// each to f, and closes the storage. what names the records in errors.
func (sf *SpillFile) Each(size int, what string, f func(b []byte) error) (err error) {
	defer func() {
		if cerr := sf.To.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	if sf.err != nil {
		return fmt.Errorf("writing the %ss: %w", what, sf.err)
	}
	r, err := sf.To.Reader()
	if err != nil {
		return fmt.Errorf("reading the %ss back: %w", what, err)
	}
	b := make([]byte, size)
	for x := range sf.N {
		if _, err := io.ReadFull(r, b); err != nil {
			return fmt.Errorf("reading %s %d of %d back: %w", what, x+1, sf.N, err)
		}
		if err := f(b); err != nil {
			return fmt.Errorf("reading %s %d of %d back: %w", what, x+1, sf.N, err)
		}
	}
	return nil
}

// spill encodes a collector's records onto a Spill.
type spill struct {
	SpillFile
	buf [spillRecordSize]byte
}

// write appends record r of key k.
func (sp *spill) write(k int32, r *Record) {
	b := sp.buf[:]
	binary.LittleEndian.PutUint32(b[0:], uint32(k))
	binary.LittleEndian.PutUint64(b[4:], uint64(r.Sent))
	binary.LittleEndian.PutUint32(b[12:], r.Latency)
	binary.LittleEndian.PutUint32(b[16:], uint32(r.Seq))
	binary.LittleEndian.PutUint32(b[20:], uint32(r.Phase))
	binary.LittleEndian.PutUint32(b[24:], uint32(r.Status))
	sp.Put(b)
}

// readInto appends the records written to byKey, in the order written, and
// closes the storage.
func (sp *spill) readInto(byKey [][]Record) error {
	return sp.Each(spillRecordSize, "record", func(b []byte) error {
		k := int32(binary.LittleEndian.Uint32(b[0:]))
		if k < 0 || int(k) >= len(byKey) {
			return ErrBadKey
		}
		byKey[k] = append(byKey[k], Record{
			Sent:    int64(binary.LittleEndian.Uint64(b[4:])),
			Latency: binary.LittleEndian.Uint32(b[12:]),
			Seq:     int32(binary.LittleEndian.Uint32(b[16:])),
			Phase:   int32(binary.LittleEndian.Uint32(b[20:])),
			Status:  int32(binary.LittleEndian.Uint32(b[24:])),
		})
		return nil
	})
}

// ErrBadKey is the error of records read back whose key index is out of
// range: the stored records were changed.
var ErrBadKey = errors.New("a key index out of range (the stored records were changed)")
