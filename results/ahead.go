package results

import (
	"errors"
	"fmt"
	"io"
)

// Reading observations.bin ahead of its reader.
//
// Decompressing a block and decoding its records (a header map, strings, a
// time per observation) is about a third of what `ratecheck report` spends
// per observation before the verdict, and it does not depend on what the
// reader does with them. So decodeBlocks decodes on a goroutine of its own,
// a few batches ahead, while the caller's loop judges the batch before: on
// two cores the decoding comes almost free. The observations, their order,
// the errors and where they come stay those of the plain loop.

// aheadBatch is how many observations a batch holds (about 150 KB), and
// aheadBatches how many are decoded ahead of the reader.
const (
	aheadBatch   = 1024
	aheadBatches = 4
)

// decodeBlocks decodes the observations of observations.bin in rd (named
// path in errors) and yields them until yield returns false, the input ends,
// or an error is yielded. A last block cut short is skipped and described
// to cut. It returns once it no longer reads rd.
func decodeBlocks(path string, rd io.Reader, yield func(Observation, error) bool, cut func(msg string)) {
	full := make(chan []Observation, aheadBatches)
	free := make(chan []Observation, aheadBatches+2)
	stop := make(chan struct{})
	var end error // the decoder's last error; read after full is closed
	var cutAt int64
	go func() { // exits at the end of the input, or when stop is closed
		defer close(full)
		br := newBlockReader(rd)
		defer br.close()
		end = br.readMagic()
		for end == nil {
			var batch []Observation
			select {
			case batch = <-free:
				batch = batch[:0]
			default:
				batch = make([]Observation, 0, aheadBatch)
			}
			for end == nil && len(batch) < aheadBatch {
				var o Observation
				if o, end = br.next(); end == nil {
					batch = append(batch, o)
				}
			}
			if len(batch) > 0 {
				select {
				case full <- batch:
				case <-stop:
					return
				}
			}
		}
		cutAt = br.start
	}()
	defer func() {
		close(stop)
		for range full { // wait for the decoder to leave rd
		}
	}()
	for batch := range full {
		for _, o := range batch {
			if !yield(o, nil) {
				return
			}
		}
		clear(batch) // drop the headers and strings it held
		free <- batch
	}
	switch {
	case end == io.EOF:
	case errors.Is(end, errCut):
		cut(fmt.Sprintf("the last block (from byte %d) was cut short (the process died mid-write) and is skipped", cutAt))
	default:
		yield(Observation{}, fmt.Errorf("results: read %s: %w", path, end))
	}
}
