package response

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"unicode/utf8"
)

// jsonTypes are the string leaves of a shape that name a JSON type instead of
// a literal string.
var jsonTypes = map[string]bool{
	"string": true, "number": true, "integer": true, "boolean": true,
	"object": true, "array": true, "null": true, "any": true,
}

// matchShape reports where the JSON value v (decoded with UseNumber) first
// differs from shape, a scenario's declared body, as the path and what
// differs: "$.error.code", "want string, got number". A map needs an object
// with at least its keys; a one-element slice, an array whose every element
// matches it; a longer slice, an array of the same length matching element by
// element; an empty slice, any array; a string naming a JSON type (see
// ErrorShape), a value of that type; any other scalar, the same value. ok is
// true when v matches.
func matchShape(shape, v any, path string) (where, diff string, ok bool) {
	switch s := shape.(type) {
	case map[string]any:
		return matchObject(s, v, path)
	case map[any]any:
		m := make(map[string]any, len(s))
		for k, x := range s {
			m[fmt.Sprint(k)] = x
		}
		return matchObject(m, v, path)
	case []any:
		return matchArray(s, v, path)
	case string:
		if jsonTypes[s] {
			if !isJSONType(s, v) {
				return path, fmt.Sprintf("want %s, got %s", s, jsonKind(v)), false
			}
			return "", "", true
		}
	}
	if !sameScalar(shape, v) {
		return path, fmt.Sprintf("want %s, got %s", jsonLiteral(shape), jsonLiteral(v)), false
	}
	return "", "", true
}

func matchObject(shape map[string]any, v any, path string) (string, string, bool) {
	obj, isObj := v.(map[string]any)
	if !isObj {
		return path, "want object, got " + jsonKind(v), false
	}
	keys := make([]string, 0, len(shape))
	for k := range shape {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		x, found := obj[k]
		if !found {
			return jsonChild(path, k), "missing, want " + shapeWant(shape[k]), false
		}
		if where, diff, ok := matchShape(shape[k], x, jsonChild(path, k)); !ok {
			return where, diff, false
		}
	}
	return "", "", true
}

func matchArray(shape []any, v any, path string) (string, string, bool) {
	arr, isArr := v.([]any)
	if !isArr {
		return path, "want array, got " + jsonKind(v), false
	}
	if len(shape) > 1 && len(arr) != len(shape) {
		return path, fmt.Sprintf("want %d elements, got %d", len(shape), len(arr)), false
	}
	for i, x := range arr {
		if len(shape) == 0 {
			break
		}
		el := shape[0]
		if len(shape) > 1 {
			el = shape[i]
		}
		if where, diff, ok := matchShape(el, x, path+"["+strconv.Itoa(i)+"]"); !ok {
			return where, diff, false
		}
	}
	return "", "", true
}

// keyIdent matches the keys a path writes with a dot.
var keyIdent = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func jsonChild(path, key string) string {
	if keyIdent.MatchString(key) {
		return path + "." + key
	}
	return path + "[" + strconv.Quote(key) + "]"
}

// isJSONType reports whether v is a value of the named JSON type.
func isJSONType(name string, v any) bool {
	switch name {
	case "any":
		return true
	case "integer":
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		if _, err := n.Int64(); err == nil {
			return true
		}
		f, err := n.Float64()
		return err == nil && f == math.Trunc(f) && !math.IsInf(f, 0)
	}
	return jsonKind(v) == name
}

// jsonKind names the JSON type of a decoded value.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number, float64, int, int64, uint64:
		return "number"
	case bool:
		return "boolean"
	}
	return fmt.Sprintf("%T", v)
}

// sameScalar reports whether the shape's literal and v are the same JSON value.
func sameScalar(shape, v any) bool {
	if n, ok := v.(json.Number); ok {
		want, isNum := jsonNumber(shape)
		got, err := n.Float64()
		return isNum && err == nil && want == got
	}
	switch s := shape.(type) {
	case nil:
		return v == nil
	case string, bool:
		return s == v
	}
	return false
}

// jsonNumber returns a YAML-decoded numeric literal as a float64.
func jsonNumber(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// shapeWant says what a shape asks for, in a message.
func shapeWant(shape any) string {
	switch s := shape.(type) {
	case map[string]any, map[any]any:
		return "object"
	case []any:
		return "array"
	case string:
		if jsonTypes[s] {
			return s
		}
	}
	return jsonLiteral(shape)
}

// maxLiteral is how many bytes of a value a message quotes.
const maxLiteral = 40

// jsonLiteral writes a scalar as JSON, shortened when long; other values by type.
func jsonLiteral(v any) string {
	switch v.(type) {
	case map[string]any, map[any]any, []any:
		return jsonKind(v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return cutSnippet(string(b), maxLiteral)
}

// cutSnippet returns s cut at a rune boundary after n bytes, marked with "…".
func cutSnippet(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
