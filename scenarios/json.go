package scenarios

import (
	"bytes"
	"encoding/json"

	"go.yaml.in/yaml/v3"
)

// jsonBody encodes a YAML value as JSON, keeping the order of mapping keys.
// A string scalar is taken verbatim, so a body can be written as raw text.
func (d *decoder) jsonBody(n *yaml.Node, path string) ([]byte, bool) {
	if isNull(n) {
		return nil, true
	}
	if s := resolve(n); s.Kind == yaml.ScalarNode && s.Tag == "!!str" {
		return []byte(s.Value), true
	}
	var buf bytes.Buffer
	ok := d.writeJSON(&buf, n, path, 0)
	return buf.Bytes(), ok
}

// writeJSON appends the JSON encoding of n to buf.
func (d *decoder) writeJSON(buf *bytes.Buffer, n *yaml.Node, path string, depth int) bool {
	if !d.visit(n, path, depth) {
		return false
	}
	switch r := resolve(n); {
	case isNull(r):
		buf.WriteString("null")
	case r.Kind == yaml.MappingNode:
		return d.writeJSONObject(buf, n, path, depth)
	case r.Kind == yaml.SequenceNode:
		buf.WriteByte('[')
		for i, it := range r.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if !d.writeJSON(buf, it, index(path, i), depth+1) {
				return false
			}
		}
		buf.WriteByte(']')
	default:
		v, ok := d.scalarValue(n, path)
		if !ok {
			return false
		}
		b, err := json.Marshal(v)
		if err != nil {
			d.errorf(n, path, "%s cannot be written as JSON", describe(n))
			return false
		}
		buf.Write(b)
	}
	return true
}

// writeJSONObject appends a mapping as a JSON object in file order.
func (d *decoder) writeJSONObject(buf *bytes.Buffer, n *yaml.Node, path string, depth int) bool {
	ps, ok := d.pairs(n, path)
	if !ok {
		return false
	}
	buf.WriteByte('{')
	for i, p := range ps {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(p.Key)
		buf.Write(k)
		buf.WriteByte(':')
		if !d.writeJSON(buf, p.Value, child(path, p.Key), depth+1) {
			return false
		}
	}
	buf.WriteByte('}')
	return true
}

// value converts a YAML value to maps, slices and scalars as yaml.v3 decodes
// them into an interface value, with string keys.
func (d *decoder) value(n *yaml.Node, path string, depth int) (any, bool) {
	if !d.visit(n, path, depth) {
		return nil, false
	}
	switch r := resolve(n); {
	case isNull(r):
		return nil, true
	case r.Kind == yaml.MappingNode:
		ps, ok := d.pairs(n, path)
		m := make(map[string]any, len(ps))
		for _, p := range ps {
			v, vok := d.value(p.Value, child(path, p.Key), depth+1)
			ok = ok && vok
			m[p.Key] = v
		}
		return m, ok
	case r.Kind == yaml.SequenceNode:
		s := make([]any, len(r.Content))
		ok := true
		for i, it := range r.Content {
			v, iok := d.value(it, index(path, i), depth+1)
			ok = ok && iok
			s[i] = v
		}
		return s, ok
	}
	return d.scalarValue(n, path)
}

// scalarValue decodes one scalar the way yaml.v3 decodes it into an interface.
func (d *decoder) scalarValue(n *yaml.Node, path string) (any, bool) {
	var v any
	if err := resolve(n).Decode(&v); err != nil {
		d.errorf(n, path, "%s cannot be read: %v", describe(n), err)
		return nil, false
	}
	return v, true
}
