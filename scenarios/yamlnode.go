package scenarios

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// maxVisits and maxDepth bound the walk of a free-form value (a body or an
// error shape). Aliases let a small file describe a huge or cyclic tree; the
// walk stops with an error instead of running away.
const (
	maxVisits = 100_000
	maxDepth  = 64
)

// decoder walks the YAML tree of one file and collects every problem it finds.
type decoder struct {
	file    string
	errs    ErrorList
	visits  int
	runaway bool // the visit budget ran out; reported once
}

// pos is the position of n in the file; unknown lines and columns become 1.
func (d *decoder) pos(n *yaml.Node) Position {
	return Position{File: d.file, Line: max(n.Line, 1), Col: max(n.Column, 1)}
}

// errorf records a problem at n.
func (d *decoder) errorf(n *yaml.Node, path, format string, args ...any) {
	d.errs = append(d.errs, &Error{Pos: d.pos(n), Path: path, Msg: fmt.Sprintf(format, args...)})
}

// visit counts one node of a free-form value at the given depth, and reports
// false (with one error) once the value is too big or too deep.
func (d *decoder) visit(n *yaml.Node, path string, depth int) bool {
	d.visits++
	if d.visits <= maxVisits && depth <= maxDepth {
		return true
	}
	if !d.runaway {
		d.runaway = true
		d.errorf(n, path, "the value is nested deeper than %d levels or expands to more than %d nodes (aliases that refer to themselves?)", maxDepth, maxVisits)
	}
	return false
}

// resolve follows aliases to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 64; i++ {
		n = n.Alias
	}
	return n
}

// isNull reports whether n is absent or an explicit null ("key:" with no value).
func isNull(n *yaml.Node) bool {
	n = resolve(n)
	return n == nil || n.Kind == yaml.AliasNode || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// describe names what n is for a message: a mapping, a list, nothing, or its quoted value.
func describe(n *yaml.Node) string {
	n = resolve(n)
	switch {
	case isNull(n):
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:37] + "..."
	}
	return strconv.Quote(v)
}

// kindError reports that n is not the kind of value wanted.
func (d *decoder) kindError(n *yaml.Node, path, want string) {
	d.errorf(n, path, "want %s, found %s", want, describe(n))
}

// child is the path of a field of the value at path.
func child(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

// index is the path of the i-th entry of the list at path.
func index(path string, i int) string {
	return fmt.Sprintf("%s[%d]", path, i)
}

// pair is one key and value of a mapping, in file order.
type pair struct {
	Key   string
	KeyN  *yaml.Node
	Value *yaml.Node
}

// pairs returns the entries of the mapping n, reporting a wrong kind, keys that
// are not plain scalars, merge keys and duplicate keys.
func (d *decoder) pairs(n *yaml.Node, path string) ([]pair, bool) {
	m := resolve(n)
	if m == nil || m.Kind != yaml.MappingNode {
		d.kindError(n, path, "a mapping")
		return nil, false
	}
	first := map[string]*yaml.Node{}
	var out []pair
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		rk := resolve(k)
		switch {
		case rk == nil || rk.Kind != yaml.ScalarNode:
			d.errorf(k, path, "want a plain name as a key, found %s", describe(k))
			continue
		case rk.Tag == "!!merge":
			d.errorf(k, path, "merge keys (<<) are not supported: write the fields out")
			continue
		}
		if prev, dup := first[rk.Value]; dup {
			d.errorf(k, child(path, rk.Value), "duplicate key %q (first at line %d)", rk.Value, prev.Line)
			continue
		}
		first[rk.Value] = k
		out = append(out, pair{Key: rk.Value, KeyN: k, Value: v})
	}
	return out, true
}

// list returns the entries of the sequence n, or reports that n is not a list.
func (d *decoder) list(n *yaml.Node, path string) ([]*yaml.Node, bool) {
	s := resolve(n)
	if s == nil || s.Kind != yaml.SequenceNode {
		d.kindError(n, path, "a list")
		return nil, false
	}
	return s.Content, true
}

// scalar returns the text of the scalar n (null is ""), or reports that n is not one.
func (d *decoder) scalar(n *yaml.Node, path, want string) (string, bool) {
	if isNull(n) {
		return "", true
	}
	s := resolve(n)
	if s.Kind != yaml.ScalarNode {
		d.kindError(n, path, want)
		return "", false
	}
	return s.Value, true
}

// int reads a whole number.
func (d *decoder) int(n *yaml.Node, path string) (int64, bool) {
	s, ok := d.scalar(n, path, "a whole number")
	if !ok {
		return 0, false
	}
	var i int64
	if isNull(n) || resolve(n).Tag != "!!int" || resolve(n).Decode(&i) != nil {
		d.errorf(n, path, "%s is not a whole number", describeScalar(n, s))
		return 0, false
	}
	return i, true
}

// bool reads true or false.
func (d *decoder) bool(n *yaml.Node, path string) (bool, bool) {
	s, ok := d.scalar(n, path, "true or false")
	if !ok {
		return false, false
	}
	var b bool
	if isNull(n) || resolve(n).Tag != "!!bool" || resolve(n).Decode(&b) != nil {
		d.errorf(n, path, "%s is not true or false", describeScalar(n, s))
		return false, false
	}
	return b, true
}

// describeScalar quotes a scalar's text for a message, or says it is empty.
func describeScalar(n *yaml.Node, s string) string {
	if isNull(n) || s == "" {
		return "an empty value"
	}
	return describe(n)
}

// enum reads one of the allowed words, case-insensitively, and returns it as listed.
func (d *decoder) enum(n *yaml.Node, path, what string, allowed []string) (string, bool) {
	s, ok := d.scalar(n, path, what)
	if !ok {
		return "", false
	}
	for _, a := range allowed {
		if strings.EqualFold(strings.TrimSpace(s), a) {
			return a, true
		}
	}
	d.errorf(n, path, "%s is not %s (want one of: %s)", describeScalar(n, s), what, strings.Join(allowed, ", "))
	return "", false
}

// duration reads a duration longer than zero.
func (d *decoder) duration(n *yaml.Node, path string) (time.Duration, bool) {
	s, ok := d.scalar(n, path, "a duration")
	if !ok {
		return 0, false
	}
	dur, ok := parseDuration(s)
	switch {
	case !ok && resolve(n).Tag == "!!int":
		d.errorf(n, path, "%s has no unit (want e.g. %ss, 1m, 24h, day, month)", s, s)
		return 0, false
	case !ok:
		d.errorf(n, path, "%s is not a duration (want e.g. 1s, 1m, 24h, day, month)", describeScalar(n, s))
		return 0, false
	case dur <= 0:
		d.errorf(n, path, "%s is not longer than zero (want e.g. 1s, 1m, 24h)", describeScalar(n, s))
		return 0, false
	}
	return dur, true
}
