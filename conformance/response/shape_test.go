package response

import (
	"strings"
	"testing"
)

func TestMatchShape(t *testing.T) {
	envelope := map[string]any{
		"success": false,
		"error":   map[string]any{"code": "string", "message": "string", "details": "object"},
	}
	tests := []struct {
		name  string
		shape any
		body  string
		where string // "" when the body matches
		diff  string
	}{
		{"envelope", envelope, `{"success":false,"error":{"code":"RATE_LIMITED","message":"slow down","details":{}},"extra":1}`, "", ""},
		{"wrong type", envelope, `{"success":false,"error":{"code":429,"message":"x","details":{}}}`, "$.error.code", "want string, got number"},
		{"wrong literal", envelope, `{"success":true,"error":{"code":"X","message":"x","details":{}}}`, "$.success", "want false, got true"},
		{"missing key", envelope, `{"success":false,"error":{"code":"X","message":"x"}}`, "$.error.details", "missing, want object"},
		{"not an object", envelope, `["error"]`, "$", "want object, got array"},
		{"null where object", envelope, `{"success":false,"error":null}`, "$.error", "want object, got null"},
		{"string leaf", map[string]any{"error": "string"}, `{"error":"Invalid API key provided."}`, "", ""},
		{"integer", map[string]any{"retry": "integer"}, `{"retry":3}`, "", ""},
		{"integer written as a decimal", map[string]any{"retry": "integer"}, `{"retry":3.0}`, "", ""},
		{"not an integer", map[string]any{"retry": "integer"}, `{"retry":3.5}`, "$.retry", "want integer, got number"},
		{"number", map[string]any{"n": "number"}, `{"n":1e3}`, "", ""},
		{"boolean", map[string]any{"b": "boolean"}, `{"b":"true"}`, "$.b", "want boolean, got string"},
		{"null", map[string]any{"n": "null"}, `{"n":null}`, "", ""},
		{"any", map[string]any{"a": "any"}, `{"a":[1,{"b":2}]}`, "", ""},
		{"any still needs the key", map[string]any{"a": "any"}, `{}`, "$.a", "missing, want any"},
		{"number literal", map[string]any{"status": 429}, `{"status":429}`, "", ""},
		{"number literal as decimal", map[string]any{"status": 429}, `{"status":429.0}`, "", ""},
		{"other number", map[string]any{"status": 429}, `{"status":503}`, "$.status", "want 429, got 503"},
		{"string literal", map[string]any{"type": "rate_limit"}, `{"type":"quota"}`, "$.type", `want "rate_limit", got "quota"`},
		{"yaml null literal", map[string]any{"data": nil}, `{"data":0}`, "$.data", "want null, got 0"},
		{"array of one shape", map[string]any{"errors": []any{map[string]any{"code": "string"}}},
			`{"errors":[{"code":"a"},{"code":2}]}`, "$.errors[1].code", "want string, got number"},
		{"empty array shape", map[string]any{"errors": []any{}}, `{"errors":[1,"a"]}`, "", ""},
		{"tuple", []any{"string", "integer"}, `["a",1]`, "", ""},
		{"tuple length", []any{"string", "integer"}, `["a"]`, "$", "want 2 elements, got 1"},
		{"odd key", map[string]any{"error-info": map[string]any{"a b": "string"}}, `{"error-info":{"a b":1}}`,
			`$["error-info"]["a b"]`, "want string, got number"},
		{"yaml map with any keys", map[any]any{"code": "string"}, `{"code":"x"}`, "", ""},
		{"long literal", map[string]any{"m": strings.Repeat("x", 10)}, `{"m":"` + strings.Repeat("y", 80) + `"}`,
			"$.m", `want "xxxxxxxxxx", got "` + strings.Repeat("y", 39) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := decodeBody(tt.body)
			if err != nil {
				t.Fatalf("decodeBody(%q): %v", tt.body, err)
			}
			where, diff, ok := matchShape(tt.shape, v, "$")
			if ok != (tt.where == "") || where != tt.where || diff != tt.diff {
				t.Errorf("matchShape(%v, %s) = %q, %q, %v; want %q, %q", tt.shape, tt.body, where, diff, ok, tt.where, tt.diff)
			}
		})
	}
}

func TestDecodeBody(t *testing.T) {
	tests := []struct {
		body, err string
	}{
		{`{"a":1}`, ""},
		{" \n", "empty, want a JSON body"},
		{"", "empty, want a JSON body"},
		{"<html>", "not JSON: invalid character '<' looking for beginning of value"},
		{`{"a":1} {"b":2}`, "not JSON: data after the first value"},
		{`{"a":`, "not JSON: unexpected EOF"},
	}
	for _, tt := range tests {
		_, err := decodeBody(tt.body)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.err {
			t.Errorf("decodeBody(%q) error = %q; want %q", tt.body, got, tt.err)
		}
	}
}

// FuzzMatchShape checks that no body makes decoding or matching panic, and
// that a mismatch always names a path from the root.
func FuzzMatchShape(f *testing.F) {
	for _, b := range []string{`{"error":{"code":"X","message":"m","details":{}}}`, `{"error":null}`, `[1,2,{"a":[]}]`, `3.5e9`, `{"a":`} {
		f.Add(b)
	}
	shape := map[string]any{"success": false, "error": map[string]any{"code": "string", "n": "integer", "list": []any{"any"}}}
	f.Fuzz(func(t *testing.T, body string) {
		v, err := decodeBody(body)
		if err != nil {
			return
		}
		where, diff, ok := matchShape(shape, v, "$")
		if !ok && (!strings.HasPrefix(where, "$") || diff == "") {
			t.Fatalf("matchShape(%q) = %q, %q; want a path from $ and a difference", body, where, diff)
		}
	})
}
