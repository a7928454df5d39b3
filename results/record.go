package results

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// The record encoding of observations.bin's blocks (see the package doc for
// the file's framing). A block's records share a table of strings and the
// previous record's values, both reset at each block so that a block decodes
// alone:
//
//	flags     one byte: flagKey, flagHeaders, flagBody, flagError, flagZeroSent
//	seq       zigzag varint, seq − the previous record's seq (0 before the first)
//	phase     zigzag varint
//	endpoint  string reference
//	key       string reference, if flagKey
//	sent      zigzag varint, UnixNano − the previous non-zero sent's (0 before
//	          the first); absent with flagZeroSent (a zero time)
//	latency   zigzag varint, nanoseconds
//	status    zigzag varint
//	headers   if flagHeaders: uvarint count, then per header in name order a
//	          string reference to the name and a value reference
//	body      string reference, if flagBody
//	error     string reference, if flagError
//
// A string reference is a uvarint r: r = 0 is a new string (uvarint length,
// then its bytes), which joins the block's table when it is at most
// tableStringMax bytes and the table holds fewer than tableMax strings;
// r ≥ 2 is the table's string r − 2. A value reference is a string reference
// or r = 1, a decimal integer written as a zigzag varint of its difference
// from the previous integer value at the same header position (0 before the
// first); counting headers (Remaining) then take a byte or two.
const (
	flagKey = 1 << iota
	flagHeaders
	flagBody
	flagError
	flagZeroSent
)

const (
	refNew  = 0
	refInt  = 1
	refBase = 2

	tableMax       = 4096
	tableStringMax = 64
	// intSlots is how many header positions keep an integer register; values
	// past it are written as strings.
	intSlots = 16
)

// errRecord is a record that does not decode: the block is corrupt.
var errRecord = errors.New("corrupt observation record")

// Times UnixNano can hold: the years 1678 to 2262.
var (
	minSent = time.Unix(0, -1<<63).Add(time.Second)
	maxSent = time.Unix(0, 1<<63-1).Add(-time.Second)
)

// recordEncoder appends observations to a block's raw bytes.
type recordEncoder struct {
	buf      []byte
	n        int // records in buf
	table    map[string]int
	prevSeq  uint64
	prevSent int64
	ints     [intSlots]int64
	names    []string // Append's scratch: header names, sorted
}

func newRecordEncoder() *recordEncoder {
	return &recordEncoder{table: make(map[string]int, 64)}
}

// reset starts a new block.
func (e *recordEncoder) reset() {
	e.buf, e.n = e.buf[:0], 0
	clear(e.table)
	e.prevSeq, e.prevSent, e.ints = 0, 0, [intSlots]int64{}
}

// append encodes o as the block's next record. It fails, leaving the block
// as it was, for a send time UnixNano cannot hold.
func (e *recordEncoder) append(o Observation) error {
	if !o.Sent.IsZero() && (o.Sent.Before(minSent) || o.Sent.After(maxSent)) {
		return fmt.Errorf("send time %s is outside the years 1678 to 2262", o.Sent.UTC().Format(time.RFC3339Nano))
	}
	var flags byte
	if o.KeyID != "" {
		flags |= flagKey
	}
	if len(o.Headers) > 0 {
		flags |= flagHeaders
	}
	if o.Body != "" {
		flags |= flagBody
	}
	if o.Error != "" {
		flags |= flagError
	}
	if o.Sent.IsZero() {
		flags |= flagZeroSent
	}
	b := append(e.buf, flags)
	b = binary.AppendVarint(b, int64(o.Seq-e.prevSeq))
	e.prevSeq = o.Seq
	b = binary.AppendVarint(b, int64(o.Phase))
	b = e.str(b, o.Endpoint)
	if flags&flagKey != 0 {
		b = e.str(b, o.KeyID)
	}
	if flags&flagZeroSent == 0 {
		ns := o.Sent.UnixNano()
		b = binary.AppendVarint(b, ns-e.prevSent)
		e.prevSent = ns
	}
	b = binary.AppendVarint(b, int64(o.Latency))
	b = binary.AppendVarint(b, int64(o.Status))
	if flags&flagHeaders != 0 {
		b = e.headers(b, o.Headers)
	}
	if flags&flagBody != 0 {
		b = e.str(b, o.Body)
	}
	if flags&flagError != 0 {
		b = e.str(b, o.Error)
	}
	e.buf = b
	e.n++
	return nil
}

func (e *recordEncoder) headers(b []byte, h map[string]string) []byte {
	e.names = e.names[:0]
	for k := range h {
		e.names = append(e.names, k)
	}
	slices.Sort(e.names)
	b = binary.AppendUvarint(b, uint64(len(e.names)))
	for i, k := range e.names {
		b = e.str(b, k)
		v := h[k]
		if n, ok := decimal(v); ok && i < intSlots {
			b = binary.AppendUvarint(b, refInt)
			b = binary.AppendVarint(b, n-e.ints[i])
			e.ints[i] = n
			continue
		}
		b = e.str(b, v)
	}
	return b
}

// str appends a string reference to s.
func (e *recordEncoder) str(b []byte, s string) []byte {
	if i, ok := e.table[s]; ok {
		return binary.AppendUvarint(b, uint64(refBase+i))
	}
	if len(s) <= tableStringMax && len(e.table) < tableMax {
		e.table[s] = len(e.table)
	}
	b = binary.AppendUvarint(b, refNew)
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decimal reports whether s is a non-negative integer written the one way
// strconv.FormatInt writes it (no sign, no leading zero), and its value.
func decimal(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 18 || (s[0] == '0' && len(s) > 1) {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// recordDecoder reads the records of one block.
type recordDecoder struct {
	b        []byte
	table    []string
	prevSeq  uint64
	prevSent int64
	ints     [intSlots]int64
	intStr   [intSlots]string // the string of ints[i], reused while it repeats
	// last is the headers map of the latest record that had headers, and
	// lastKey its headers' encoding (headerKey): a record whose headers are
	// the same (a run's 429s, one after another) gets the same map rather
	// than a copy, so the maps decoded must be read, never changed. pairs
	// and key are headers' scratch.
	last    map[string]string
	lastKey []byte
	pairs   []headerPair
	key     []byte
	maps    headerMaps
}

// reset starts decoding the block b.
func (d *recordDecoder) reset(b []byte) {
	d.b = b
	d.table = d.table[:0]
	d.prevSeq, d.prevSent = 0, 0
	d.ints, d.intStr = [intSlots]int64{}, [intSlots]string{}
}

// next decodes the next record into a fresh Observation.
func (d *recordDecoder) next() (Observation, error) {
	var o Observation
	if len(d.b) == 0 {
		return o, errRecord
	}
	flags := d.b[0]
	d.b = d.b[1:]
	d.prevSeq += uint64(d.varint())
	o.Seq = d.prevSeq
	o.Phase = int(d.varint())
	o.Endpoint = d.str()
	if flags&flagKey != 0 {
		o.KeyID = d.str()
	}
	if flags&flagZeroSent == 0 {
		d.prevSent += d.varint()
		o.Sent = time.Unix(0, d.prevSent).UTC()
	}
	o.Latency = time.Duration(d.varint())
	o.Status = int(d.varint())
	if flags&flagHeaders != 0 {
		o.Headers = d.headers()
	}
	if flags&flagBody != 0 {
		o.Body = d.str()
	}
	if flags&flagError != 0 {
		o.Error = d.str()
	}
	if d.b == nil {
		return Observation{}, errRecord
	}
	return o, nil
}

// headers decodes a record's headers. A map is made only for headers not
// seen lately: the same as the last record's get its map, and others seen
// before may get theirs from d.maps. The value of an integer register is
// written out only for a map that is made.
func (d *recordDecoder) headers() map[string]string {
	n := d.uvarint()
	if n > 1<<16 || d.b == nil {
		d.b = nil
		return nil
	}
	d.pairs, d.key = d.pairs[:0], d.key[:0]
	for i := range int(n) {
		k := d.str()
		if r := d.peekUvarint(); r == refInt && i < intSlots {
			d.uvarint()
			v := d.ints[i] + d.varint()
			if v != d.ints[i] {
				d.ints[i], d.intStr[i] = v, ""
			}
			d.pairs = append(d.pairs, headerPair{name: k, slot: i})
			var digits [20]byte
			d.key = appendHeaderKey(d.key, k, strconv.AppendInt(digits[:0], v, 10))
			continue
		}
		p := headerPair{name: k, value: d.str(), slot: -1}
		d.pairs = append(d.pairs, p)
		d.key = appendHeaderKey(d.key, k, p.value)
	}
	if d.last != nil && string(d.key) == string(d.lastKey) {
		return d.last
	}
	h := d.maps.get(d.key)
	if h == nil {
		h = make(map[string]string, len(d.pairs))
		for _, p := range d.pairs {
			h[p.name] = d.value(p)
		}
		d.maps.put(d.key, h)
	}
	d.last, d.lastKey = h, append(d.lastKey[:0], d.key...)
	return h
}

// value is header p's value: its string, or its integer register's
// written out (once while the register holds it).
func (d *recordDecoder) value(p headerPair) string {
	if p.slot < 0 {
		return p.value
	}
	if d.intStr[p.slot] == "" {
		d.intStr[p.slot] = strconv.FormatInt(d.ints[p.slot], 10)
	}
	return d.intStr[p.slot]
}

// headerPair is one header of a record being decoded: its value, or the
// integer register slot that holds it (−1 for none).
type headerPair struct {
	name, value string
	slot        int
}

// appendHeaderKey appends one header to the encoding of a record's
// headers, a key that two records share exactly when their headers are the
// same, in the same order: its name and value (an integer register's
// written out), each after its length.
func appendHeaderKey[V string | []byte](key []byte, name string, value V) []byte {
	key = binary.AppendUvarint(key, uint64(len(name)))
	key = append(key, name...)
	key = binary.AppendUvarint(key, uint64(len(value)))
	return append(key, value...)
}

// headerMaps are the headers maps a pass over a run has made, by their
// headers' key (appendHeaderKey), for records whose headers come back: a
// Remaining counted down window after window, with a Reset counted in
// seconds. A pass whose headers do not come back (a Reset at a time of
// its own in every window) fills them without finding one, and stops
// looking for a while.
type headerMaps struct {
	byKey map[string]map[string]string
	hits  int // since byKey was last emptied
	off   int // lookups left to skip before looking again
}

const (
	// maxHeaderMaps bounds the maps kept, about 350 bytes each.
	maxHeaderMaps = 1 << 14
	// headerMapsOff is how many lookups are skipped (records whose headers
	// differ from the last one's go without a map kept) once the maps kept
	// filled up and less than a quarter of the lookups found one.
	headerMapsOff = 1 << 20
)

// get is the map kept for key, or nil.
func (c *headerMaps) get(key []byte) map[string]string {
	if c.off > 0 {
		c.off--
		return nil
	}
	h, ok := c.byKey[string(key)]
	if ok {
		c.hits++
	}
	return h
}

// put keeps h for key, the headers of a record get found no map for.
func (c *headerMaps) put(key []byte, h map[string]string) {
	switch {
	case c.off > 0:
		return
	case c.byKey == nil:
		c.byKey = make(map[string]map[string]string)
	case len(c.byKey) >= maxHeaderMaps:
		if c.hits < maxHeaderMaps/3 { // misses are at least maxHeaderMaps
			c.off = headerMapsOff
		}
		clear(c.byKey)
		c.hits = 0
		if c.off > 0 {
			return
		}
	}
	c.byKey[string(key)] = h
}

// The readers below set d.b to nil when the record is cut short or corrupt;
// next reports it once the record is read.

func (d *recordDecoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *recordDecoder) peekUvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		return 0
	}
	return v
}

func (d *recordDecoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *recordDecoder) str() string {
	r := d.uvarint()
	if r >= refBase {
		if i := r - refBase; i < uint64(len(d.table)) {
			return d.table[i]
		}
		d.b = nil
		return ""
	}
	if r != refNew || d.b == nil {
		d.b = nil
		return ""
	}
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.b = nil
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	if len(s) <= tableStringMax && len(d.table) < tableMax {
		d.table = append(d.table, s)
	}
	return s
}
