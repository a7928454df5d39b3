package scenarios

import (
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// fields is a mapping with a fixed set of known fields, read one field at a time.
type fields struct {
	d    *decoder
	node *yaml.Node // the mapping: missing fields are reported here
	path string
	vals map[string]*yaml.Node
	keys map[string]*yaml.Node
}

// mapping checks that n is a mapping whose keys are all in known and returns
// its fields. Unknown fields are reported with the list of valid ones.
func (d *decoder) mapping(n *yaml.Node, path string, known []string) (*fields, bool) {
	ps, ok := d.pairs(n, path)
	if !ok {
		return nil, false
	}
	f := &fields{d: d, node: n, path: path, vals: map[string]*yaml.Node{}, keys: map[string]*yaml.Node{}}
	for _, p := range ps {
		if !contains(known, p.Key) {
			d.errorf(p.KeyN, path, "unknown field %q (want one of: %s)", p.Key, strings.Join(known, ", "))
			continue
		}
		f.vals[p.Key] = p.Value
		f.keys[p.Key] = p.KeyN
	}
	return f, true
}

// contains reports whether s is in list.
func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// has reports whether the field is present (even if empty).
func (f *fields) has(key string) bool { return f.vals[key] != nil }

// at is the path of a field.
func (f *fields) at(key string) string { return child(f.path, key) }

// value returns the field's value node, or nil when it is absent.
func (f *fields) value(key string) *yaml.Node { return f.vals[key] }

// missing reports a required field that is absent or empty.
func (f *fields) missing(key, want string) {
	if n := f.vals[key]; n != nil {
		f.d.errorf(n, f.at(key), "empty (want %s)", want)
		return
	}
	f.d.errorf(f.node, f.at(key), "missing (want %s)", want)
}

// str reads an optional string field; "" when absent or empty.
func (f *fields) str(key string) (string, bool) {
	n := f.vals[key]
	if n == nil {
		return "", false
	}
	s, ok := f.d.scalar(n, f.at(key), "a string")
	return strings.TrimSpace(s), ok
}

// required reads a string field that must be present and not empty.
func (f *fields) required(key, want string) (string, bool) {
	s, ok := f.str(key)
	if s == "" {
		if ok || !f.has(key) {
			f.missing(key, want)
		}
		return "", false
	}
	return s, true
}

// int reads an optional whole number field.
func (f *fields) int(key string) (int64, bool) {
	if n := f.vals[key]; n != nil {
		return f.d.int(n, f.at(key))
	}
	return 0, false
}

// bool reads an optional true/false field, def when absent.
func (f *fields) bool(key string, def bool) bool {
	if n := f.vals[key]; n != nil {
		if b, ok := f.d.bool(n, f.at(key)); ok {
			return b
		}
	}
	return def
}

// duration reads an optional duration field; ok is false when absent or bad.
func (f *fields) duration(key string) (time.Duration, bool) {
	if n := f.vals[key]; n != nil {
		return f.d.duration(n, f.at(key))
	}
	return 0, false
}

// enum reads an optional field that must be one of allowed; def when absent.
func (f *fields) enum(key, what, def string, allowed []string) (string, bool) {
	if n := f.vals[key]; n != nil {
		return f.d.enum(n, f.at(key), what, allowed)
	}
	return def, true
}

// names reads an optional list of names, each with its node for later checks.
func (f *fields) names(key string) ([]string, []*yaml.Node) {
	n := f.vals[key]
	if n == nil {
		return nil, nil
	}
	items, ok := f.d.list(n, f.at(key))
	if !ok {
		return nil, nil
	}
	var names []string
	var nodes []*yaml.Node
	for i, it := range items {
		s, ok := f.d.scalar(it, index(f.at(key), i), "a name")
		if !ok {
			continue
		}
		if s = strings.TrimSpace(s); s == "" {
			f.d.errorf(it, index(f.at(key), i), "empty (want a name)")
			continue
		}
		names = append(names, s)
		nodes = append(nodes, it)
	}
	return names, nodes
}
