package results

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// errLineTooLong is returned for a line longer than a lineReader's limit.
var errLineTooLong = errors.New("line too long")

// lineReader splits its input into lines and tells whether each ended with a
// newline, which bufio.Scanner does not: a reader must tell a line cut short by
// a crash (no newline, last in the file) from a complete one.
type lineReader struct {
	br    *bufio.Reader
	long  []byte // the line so far, when it outgrows br's buffer
	limit int
}

func newLineReader(rd io.Reader, limit int) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(rd, 64<<10), limit: limit}
}

// next returns the next line without its "\n" and whether the "\n" was there
// (it is missing only on the last line). At the end of the input it returns
// io.EOF. The line is valid until the next call.
func (lr *lineReader) next() (line []byte, complete bool, err error) {
	lr.long = lr.long[:0]
	for {
		b, err := lr.br.ReadSlice('\n')
		switch {
		case err == nil:
			return lr.join(b[:len(b)-1]), true, nil
		case errors.Is(err, bufio.ErrBufferFull):
			if len(lr.long)+len(b) > lr.limit {
				return nil, false, fmt.Errorf("%w (over %d bytes)", errLineTooLong, lr.limit)
			}
			lr.long = append(lr.long, b...)
		case err == io.EOF:
			if len(b) == 0 && len(lr.long) == 0 {
				return nil, false, io.EOF
			}
			return lr.join(b), false, nil
		default:
			return nil, false, err
		}
	}
}

// join completes a line that may have begun in lr.long.
func (lr *lineReader) join(b []byte) []byte {
	if len(lr.long) == 0 {
		return b
	}
	lr.long = append(lr.long, b...)
	return lr.long
}
