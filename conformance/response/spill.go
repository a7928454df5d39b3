package response

import (
	"encoding/binary"

	"github.com/ratecheck/ratecheck/conformance/records"
)

// The header checks' records on disk.
//
// headers.remaining keeps a record of every counted response (respRec, 80
// bytes) to judge the countdown at the end: 80 MB a million responses while
// the run sends, the one part of judging that still grew with a run's length
// once the model checks' records spilled (records.SpillAfter). Past spillAfter
// records a respSet given a Spill writes them there and reads them back when
// judged, as the collector does with its own.

// respSpillSize is the bytes of one respRec on disk: its key index, then
// its fields.
const respSpillSize = 4 + 8 + 8 + 8 + 4 + 2 + 1 + 8 + 8 + 8 + 8 + 4 + 4

// Bits of a spilled respRec's flags byte.
const (
	respSole = 1 << iota
	respClaimed
	respHasRem
	respHasTime
	respAbs
	respLong
)

// respSpill encodes a respSet's records onto a Spill.
type respSpill struct {
	records.SpillFile
	buf [respSpillSize]byte
}

func (sp *respSpill) write(k int32, r *respRec) {
	b := sp.buf[:]
	le := binary.LittleEndian
	le.PutUint32(b[0:], uint32(k))
	le.PutUint64(b[4:], r.seq)
	le.PutUint64(b[12:], uint64(r.sent))
	le.PutUint64(b[20:], uint64(r.recv))
	le.PutUint32(b[28:], uint32(r.phase))
	le.PutUint16(b[32:], uint16(r.status))
	var f byte
	for bit, on := range []bool{r.sole, r.claimed, r.hasRem, r.hasTime, r.abs, r.long} {
		if on {
			f |= 1 << bit
		}
	}
	b[34] = f
	le.PutUint64(b[35:], uint64(r.rem))
	le.PutUint64(b[43:], uint64(r.at))
	le.PutUint64(b[51:], uint64(r.lo))
	le.PutUint64(b[59:], uint64(r.hi))
	le.PutUint32(b[67:], uint32(r.raw))
	le.PutUint32(b[71:], uint32(r.rawTime))
	sp.Put(b)
}

// readInto gives each record written to add, in the order written, and
// closes the storage.
func (sp *respSpill) readInto(add func(k int32, r respRec) bool) error {
	le := binary.LittleEndian
	return sp.Each(respSpillSize, "response record", func(b []byte) error {
		f := b[34]
		r := respRec{
			seq: le.Uint64(b[4:]), sent: int64(le.Uint64(b[12:])), recv: int64(le.Uint64(b[20:])),
			phase: int32(le.Uint32(b[28:])), status: int16(le.Uint16(b[32:])),
			sole: f&respSole != 0, claimed: f&respClaimed != 0, hasRem: f&respHasRem != 0,
			hasTime: f&respHasTime != 0, abs: f&respAbs != 0, long: f&respLong != 0,
			rem: int64(le.Uint64(b[35:])), at: int64(le.Uint64(b[43:])),
			lo: int64(le.Uint64(b[51:])), hi: int64(le.Uint64(b[59:])),
			raw: int32(le.Uint32(b[67:])), rawTime: int32(le.Uint32(b[71:])),
		}
		if !add(int32(le.Uint32(b[0:])), r) {
			return records.ErrBadKey
		}
		return nil
	})
}
