package report

import (
	"encoding/json"
	"fmt"
	"reflect"
	"time"
)

// SchemaID is the $id of the JSON Schema of report.json.
const SchemaID = "https://github.com/ratecheck/ratecheck/schema/report.schema.json"

var timeType = reflect.TypeFor[time.Time]()

// JSONSchema is the JSON Schema (draft 2020-12) of report.json as WriteJSON
// writes it, for this SchemaVersion (schema_version is a const: a report of
// another version does not validate). `ratecheck schema report` prints it
// and schema/report.schema.json holds it. It is derived from the Report
// type by the same reflection that writes the JSON, so the two cannot
// differ: every duration is a number of milliseconds named <field>_ms; a
// field without omitempty is required; no other field is allowed.
func JSONSchema() []byte {
	defs := map[string]any{}
	root := structSchema(reflect.TypeFor[Report](), defs)
	root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	root["$id"] = SchemaID
	root["title"] = fmt.Sprintf("ratecheck report.json, schema_version %d", SchemaVersion)
	root["description"] = "One judged run: its verdict, every check with its evidence, the run's numbers. Durations are milliseconds, in fields named _ms."
	root["properties"].(map[string]any)["schema_version"] = map[string]any{"const": SchemaVersion}
	root["$defs"] = defs
	b, err := json.MarshalIndent(root, "", "  ")
	if err != nil {
		panic(fmt.Sprintf("report: the report schema cannot be encoded: %v", err))
	}
	return append(b, '\n')
}

// structSchema is the schema of a struct type as toWire writes it.
func structSchema(t reflect.Type, defs map[string]any) map[string]any {
	props := map[string]any{}
	required := []string{}
	for _, f := range jsonFields(t) {
		name := f.name
		var s map[string]any
		if f.duration {
			name += msSuffix
			s = map[string]any{"type": "number", "description": "milliseconds"}
		} else {
			s = typeSchema(t.Field(f.index).Type, defs)
		}
		props[name] = s
		if !f.omitEmpty {
			required = append(required, name)
		}
	}
	return map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false}
}

// typeSchema is the schema of a value of type t as toWire writes it; struct
// types other than time.Time go into defs under their name.
func typeSchema(t reflect.Type, defs map[string]any) map[string]any {
	switch {
	case t == durationType:
		return map[string]any{"type": "number", "description": "milliseconds"}
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return map[string]any{"anyOf": []any{typeSchema(t.Elem(), defs), map[string]any{"type": "null"}}}
	case reflect.Struct:
		if _, ok := defs[t.Name()]; !ok {
			defs[t.Name()] = nil // reserve: a type that holds itself refers to its def
			defs[t.Name()] = structSchema(t, defs)
		}
		return map[string]any{"$ref": "#/$defs/" + t.Name()}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": []string{"array", "null"}, "items": typeSchema(t.Elem(), defs)}
	case reflect.Map:
		s := map[string]any{"type": []string{"object", "null"}, "additionalProperties": typeSchema(t.Elem(), defs)}
		if k := t.Key().Kind(); k >= reflect.Int && k <= reflect.Uint64 {
			s["propertyNames"] = map[string]any{"pattern": "^-?[0-9]+$"}
		}
		return s
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	}
	return map[string]any{}
}
