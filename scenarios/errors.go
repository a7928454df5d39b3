package scenarios

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// String formats the position as file:line:col, leaving out the parts that are unknown.
func (p Position) String() string {
	s := p.File
	if p.Line > 0 {
		if s != "" {
			s += ":"
		}
		s += fmt.Sprint(p.Line)
		if p.Col > 0 {
			s += fmt.Sprintf(":%d", p.Col)
		}
	}
	if s == "" {
		s = "-"
	}
	return s
}

// Error is a problem in a scenario file, printed as file:line:col: path: message.
type Error struct {
	Pos  Position // where the problem is, taken from the YAML node
	Path string   // the field, e.g. "limits[0].window"; "" for the file as a whole
	Msg  string   // what was found and what is wanted
}

// Error formats e as file:line:col: path: message.
func (e *Error) Error() string {
	if e.Path == "" {
		return e.Pos.String() + ": " + e.Msg
	}
	return e.Pos.String() + ": " + e.Path + ": " + e.Msg
}

// ErrorList is every problem found in one scenario file, sorted by line and column.
// Load and Parse return it as their error; find it with errors.AsType[ErrorList].
type ErrorList []*Error

// Error formats the list one problem per line.
func (l ErrorList) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Err returns l as an error, or nil when l is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// Unwrap returns the problems as errors, so errors.AsType[*Error] finds the first.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// sort orders the list by file, line and column, keeping the order of equal positions.
func (l ErrorList) sort() {
	slices.SortStableFunc(l, func(a, b *Error) int {
		return cmp.Or(
			cmp.Compare(a.Pos.File, b.Pos.File),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Col, b.Pos.Col),
		)
	})
}
