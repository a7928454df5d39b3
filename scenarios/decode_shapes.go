package scenarios

import (
	"strconv"
	"strings"
)

// errorShapes reads the errors section: status code -> {body: shape}, in file order.
func (d *decoder) errorShapes(top *fields) []ErrorShape {
	n := top.value("errors")
	if n == nil {
		return nil
	}
	ps, _ := d.pairs(n, "errors")
	var shapes []ErrorShape
	for _, p := range ps {
		path := child("errors", p.Key)
		status, err := strconv.Atoi(strings.TrimSpace(p.Key))
		if err != nil || status < 100 || status > 599 {
			d.errorf(p.KeyN, path, "%q is not an HTTP status code (want 100-599, e.g. 429)", p.Key)
			continue
		}
		shape := ErrorShape{Status: status, Pos: d.pos(p.KeyN)}
		if !isNull(p.Value) {
			f, ok := d.mapping(p.Value, path, []string{"body"})
			if !ok {
				continue
			}
			if b := f.value("body"); b != nil {
				shape.Body, _ = d.value(b, f.at("body"), 0)
			}
		}
		shapes = append(shapes, shape)
	}
	return shapes
}
