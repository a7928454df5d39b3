package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Report JSON from schema_version 2 on writes every duration as a number of
// milliseconds in a field named with _ms (latency.p99_ms: 3.612), exact to
// the nanosecond (up to six decimals). Version 1 wrote bare nanoseconds
// under the plain names (latency.p99: 3612000). The wire form is derived
// from the Go types by reflection, in their field order, so that a field
// added to a check, a phase or a recovery gets into report.json (and its
// schema) as it is, durations included.

// msSuffix ends the name of a duration field in report JSON.
const msSuffix = "_ms"

var (
	durationType  = reflect.TypeFor[time.Duration]()
	marshalerType = reflect.TypeFor[json.Marshaler]()
)

// object is a JSON object that keeps its fields in order.
type object []field

type field struct {
	name  string
	value any
}

// MarshalJSON writes the fields in order.
func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		name, _ := json.Marshal(f.name)
		b.Write(name)
		b.WriteByte(':')
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(f.value); err != nil {
			return nil, err
		}
		b.Truncate(b.Len() - 1) // Encode's newline
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// jsonField is a struct field as encoding/json names it.
type jsonField struct {
	index     int
	name      string
	omitEmpty bool
	duration  bool
}

// jsonFields lists t's exported fields as encoding/json would encode them.
func jsonFields(t reflect.Type) []jsonField {
	var out []jsonField
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		out = append(out, jsonField{index: i, name: name, omitEmpty: strings.Contains(","+opts+",", ",omitempty,"),
			duration: sf.Type == durationType})
	}
	return out
}

// toWire is v as report JSON writes it: durations as milliseconds.
func toWire(v reflect.Value) any {
	switch {
	case !v.IsValid():
		return nil
	case v.Type() == durationType:
		return msNumber(time.Duration(v.Int()))
	case v.Type().Implements(marshalerType) && v.Kind() != reflect.Pointer:
		return v.Interface()
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return toWire(v.Elem())
	case reflect.Struct:
		var o object
		for _, f := range jsonFields(v.Type()) {
			fv := v.Field(f.index)
			if f.omitEmpty && isEmpty(fv) {
				continue
			}
			name := f.name
			if f.duration {
				name += msSuffix
			}
			o = append(o, field{name, toWire(fv)})
		}
		if o == nil {
			o = object{}
		}
		return o
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		fallthrough
	case reflect.Array:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = toWire(v.Index(i))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		out := make(map[string]any, v.Len())
		for it := v.MapRange(); it.Next(); {
			out[mapKey(it.Key())] = toWire(it.Value())
		}
		return out
	}
	return v.Interface()
}

// mapKey is a map key as encoding/json writes it.
func mapKey(k reflect.Value) string {
	switch k.Kind() {
	case reflect.String:
		return k.String()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(k.Uint(), 10)
	}
	return fmt.Sprint(k.Interface())
}

// msNumber is d in milliseconds as an exact decimal: 3612345ns is 3.612345.
func msNumber(d time.Duration) json.Number {
	sign := ""
	u := uint64(d)
	if d < 0 {
		sign, u = "-", uint64(-d)
	}
	s := sign + strconv.FormatUint(u/1e6, 10)
	if frac := u % 1e6; frac != 0 {
		s += "." + strings.TrimRight(fmt.Sprintf("%06d", frac), "0")
	}
	return json.Number(s)
}

// parseMS reads msNumber' form (or any decimal number of milliseconds,
// rounded to the nanosecond) back into a duration.
func parseMS(n json.Number) (time.Duration, error) {
	s := string(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if strings.ContainsAny(s, "eE") {
		f, err := n.Float64()
		return time.Duration(f * 1e6), err
	}
	w, err := strconv.ParseUint(whole, 10, 63)
	if err != nil {
		return 0, err
	}
	frac = (frac + "000000")[:6]
	f, err := strconv.ParseUint(frac, 10, 63)
	if err != nil {
		return 0, err
	}
	d := time.Duration(w*1e6 + f)
	if neg {
		d = -d
	}
	return d, nil
}

// fromWire rewrites a decoded JSON tree (objects as map[string]any, numbers
// as json.Number) of type t in place: each duration's _ms field becomes the
// plain field in nanoseconds, as encoding/json reads a time.Duration.
func fromWire(tree any, t reflect.Type) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := tree.(map[string]any)
		if !ok || t.Implements(marshalerType) {
			return nil
		}
		for _, f := range jsonFields(t) {
			if f.duration {
				v, ok := obj[f.name+msSuffix]
				if !ok {
					continue
				}
				n, ok := v.(json.Number)
				if !ok {
					return fmt.Errorf("%s%s: want a number of milliseconds, got %v", f.name, msSuffix, v)
				}
				d, err := parseMS(n)
				if err != nil {
					return fmt.Errorf("%s%s: %w", f.name, msSuffix, err)
				}
				delete(obj, f.name+msSuffix)
				obj[f.name] = json.Number(strconv.FormatInt(int64(d), 10))
				continue
			}
			if err := fromWire(obj[f.name], t.Field(f.index).Type); err != nil {
				return fmt.Errorf("%s.%w", f.name, err)
			}
		}
	case reflect.Slice, reflect.Array:
		items, _ := tree.([]any)
		for _, it := range items {
			if err := fromWire(it, t.Elem()); err != nil {
				return err
			}
		}
	case reflect.Map:
		obj, _ := tree.(map[string]any)
		for _, v := range obj {
			if err := fromWire(v, t.Elem()); err != nil {
				return err
			}
		}
	}
	return nil
}

// isEmpty is encoding/json's test for omitempty.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}
