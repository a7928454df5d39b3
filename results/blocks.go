package results

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// blocksMagic opens observations.bin: the format's name and version.
const blocksMagic = "RCOBS01\n"

// blockHeaderLen is a block's header: compressed length, record count, raw
// length, CRC-32C of the compressed bytes, each a little-endian uint32.
const blockHeaderLen = 16

// Bounds of one block. The writer closes a block when its raw records pass
// blockRawTarget; a reader refuses a header claiming more than blockRawMax,
// so a corrupt length cannot make it allocate without bound.
const blockRawMax = 64 << 20

// blockRawTarget is a variable for the tests, which fill many blocks.
var blockRawTarget = 1 << 20

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errCut marks a block cut short at the end of the file.
var errCut = errors.New("cut short")

// newCompressor is the zstd encoder of the writer's blocks: one goroutine,
// each block a frame of its own (EncodeAll), a window no larger than a block.
func newCompressor() *zstd.Encoder {
	e, err := zstd.NewWriter(nil,
		zstd.WithEncoderConcurrency(1),
		zstd.WithEncoderLevel(zstd.SpeedBetterCompression),
		zstd.WithWindowSize(2<<20),
		zstd.WithEncoderCRC(false),
	)
	if err != nil {
		panic(fmt.Sprintf("results: zstd encoder: %v", err)) // the options are constants
	}
	return e
}

// decompressors keeps zstd decoders between passes over observations:
// making one costs more than reading a small run.
var decompressors = sync.Pool{New: func() any {
	d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(blockRawMax))
	if err != nil {
		panic(fmt.Sprintf("results: zstd decoder: %v", err)) // the options are constants
	}
	return d
}}

// appendBlock appends the framed, compressed block of raw (n records) to dst.
func appendBlock(dst []byte, z *zstd.Encoder, raw []byte, n int) []byte {
	at := len(dst)
	dst = append(dst, make([]byte, blockHeaderLen)...)
	dst = z.EncodeAll(raw, dst)
	payload := dst[at+blockHeaderLen:]
	h := dst[at : at+blockHeaderLen]
	binary.LittleEndian.PutUint32(h[0:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(h[4:], uint32(n))
	binary.LittleEndian.PutUint32(h[8:], uint32(len(raw)))
	binary.LittleEndian.PutUint32(h[12:], crc32.Checksum(payload, castagnoli))
	return dst
}

// blockReader reads observations.bin block by block.
type blockReader struct {
	r      *bufio.Reader
	z      *zstd.Decoder
	offset int64 // of the next block
	start  int64 // of the current block
	block  int   // blocks read
	packed []byte
	raw    []byte
	rec    recordDecoder
	left   int // records of the current block not yet decoded
}

func newBlockReader(r io.Reader) *blockReader {
	return &blockReader{r: bufio.NewReaderSize(r, 256<<10), z: decompressors.Get().(*zstd.Decoder)}
}

// close gives the reader's decoder back for the next pass.
func (br *blockReader) close() {
	decompressors.Put(br.z)
	br.z = nil
}

// readMagic checks the file's first bytes.
func (br *blockReader) readMagic() error {
	var m [len(blocksMagic)]byte
	n, err := io.ReadFull(br.r, m[:])
	br.offset = int64(n)
	if err == io.EOF {
		return io.EOF // an empty file: the process died before its first block
	}
	if err != nil || string(m[:]) != blocksMagic {
		if err == io.ErrUnexpectedEOF && blocksMagic[:n] == string(m[:n]) {
			return errCut
		}
		return fmt.Errorf("not an observations file (it does not start with %q)", blocksMagic)
	}
	return nil
}

// next returns the next observation; io.EOF at the end, errCut for a last
// block cut short (nothing of it is returned), another error for a corrupt
// block.
func (br *blockReader) next() (Observation, error) {
	for br.left == 0 {
		if err := br.nextBlock(); err != nil {
			return Observation{}, err
		}
	}
	o, err := br.rec.next()
	if err != nil {
		return o, fmt.Errorf("block %d (byte %d): %w", br.block, br.offset, err)
	}
	br.left--
	return o, nil
}

func (br *blockReader) nextBlock() error {
	br.start = br.offset
	var h [blockHeaderLen]byte
	n, err := io.ReadFull(br.r, h[:])
	if err == io.EOF {
		return io.EOF
	}
	if err == io.ErrUnexpectedEOF {
		return errCut
	}
	if err != nil {
		return err
	}
	at := br.start
	size := binary.LittleEndian.Uint32(h[0:])
	count := binary.LittleEndian.Uint32(h[4:])
	rawLen := binary.LittleEndian.Uint32(h[8:])
	sum := binary.LittleEndian.Uint32(h[12:])
	if size > blockRawMax || rawLen > blockRawMax || count > rawLen {
		return fmt.Errorf("block %d (byte %d): header claims %d bytes for %d records: %w", br.block+1, at, size, count, errRecord)
	}
	br.packed = grow(br.packed, int(size))
	m, err := io.ReadFull(br.r, br.packed)
	br.offset += int64(n + m)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		return errCut
	}
	if err != nil {
		return err
	}
	br.block++
	if crc32.Checksum(br.packed, castagnoli) != sum {
		if br.atEnd() {
			return errCut // torn last write
		}
		return fmt.Errorf("block %d (byte %d): checksum mismatch: %w", br.block, at, errRecord)
	}
	raw, err := br.z.DecodeAll(br.packed, br.raw[:0])
	if err != nil || len(raw) != int(rawLen) {
		return fmt.Errorf("block %d (byte %d): decompress: %w", br.block, at, errors.Join(err, errRecord))
	}
	br.raw = raw
	br.rec.reset(raw)
	br.left = int(count)
	return nil
}

// atEnd reports whether the input has nothing after the current block.
func (br *blockReader) atEnd() bool {
	_, err := br.r.Peek(1)
	return err != nil
}

func grow(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n)
	}
	return b[:n]
}

// countBlocks adds up the observation counts of the whole blocks of
// observations.bin in f, reading only their headers.
func countBlocks(f io.ReadSeeker) (int64, error) {
	if _, err := f.Seek(int64(len(blocksMagic)), io.SeekStart); err != nil {
		return 0, err
	}
	var n int64
	var h [blockHeaderLen]byte
	for {
		if _, err := io.ReadFull(f, h[:]); err != nil {
			return n, nil // the end, or a header cut short
		}
		size := int64(binary.LittleEndian.Uint32(h[0:]))
		if _, err := f.Seek(size, io.SeekCurrent); err != nil {
			return n, err
		}
		n += int64(binary.LittleEndian.Uint32(h[4:]))
	}
}
