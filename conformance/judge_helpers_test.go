package conformance

import (
	"bytes"
	"errors"
	"io"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/plan"
)

// responseMakers are the makers of the checks that judge what responses say,
// by id.
func responseMakers() map[check.ID]func(*plan.Plan, *records.Collector) check.Checker {
	out := map[check.ID]func(*plan.Plan, *records.Collector) check.Checker{}
	for _, c := range checks {
		if c.make != nil {
			out[c.id] = c.make
		}
	}
	return out
}

// checkIndex is the position of id's checker in a Judge.
func checkIndex(id check.ID) int {
	for x, c := range checks {
		if c.id == id {
			return x
		}
	}
	return -1
}

// memSpill is a Spill in memory; fail makes every later Write fail, gone
// makes Reader fail.
type memSpill struct {
	buf        bytes.Buffer
	fail, gone bool
	closed     bool
}

func (m *memSpill) Write(b []byte) (int, error) {
	if m.fail {
		return 0, errors.New("the disk is full")
	}
	return m.buf.Write(b)
}

func (m *memSpill) Reader() (io.Reader, error) {
	if m.gone {
		return nil, errors.New("the file went away")
	}
	return bytes.NewReader(m.buf.Bytes()), nil
}

func (m *memSpill) Close() error { m.closed = true; return nil }

// inMemory spills to a new memSpill, kept in *last.
func inMemory(last **memSpill) func() (records.Spill, error) {
	return func() (records.Spill, error) {
		*last = &memSpill{}
		return *last, nil
	}
}
