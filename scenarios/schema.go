package scenarios

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/ratecheck/ratecheck/headers"
)

// SchemaID is the $id of the scenario file's JSON Schema.
const SchemaID = "https://github.com/ratecheck/ratecheck/schema/scenario.schema.json"

// JSONSchema is the JSON Schema (draft 2020-12) of a scenario file, for
// editors (yaml-language-server) and other tools; `ratecheck schema
// scenario` prints it and schema/scenario.schema.json holds it. It is built
// from the loader's own tables (the fields of every mapping, and the words
// each enumerated field takes), so a field the loader learns without a
// schema here makes it panic in the tests. It checks the shape of a file:
// fields, types and words. What needs the whole file (an endpoint a limit
// names, a plan every limit has, a phase's rate against its kind) only Load
// checks.
func JSONSchema() []byte {
	b, err := json.MarshalIndent(scenarioSchema(), "", "  ")
	if err != nil {
		panic(fmt.Sprintf("scenarios: the scenario schema cannot be encoded: %v", err))
	}
	return append(b, '\n')
}

type obj = map[string]any

func scenarioSchema() obj {
	s := object("", scenarioFields, obj{
		"name":        withDesc(obj{"type": "string", "pattern": validName.String()}, "required: lower-case letters, digits and dashes; names run directories and reports"),
		"source":      text("the API document the contract is taken from"),
		"description": text("what the API is"),
		"target":      withDesc(obj{"type": "string", "pattern": "^\\s*[hH][tT][tT][pP][sS]?://[^/\\s]+"}, "the API's base URL, http or https; absent: the built-in reference target"),
		"plan":        text("the plan tier whose limits apply; required when a limit has plans"),
		"auth":        ref("auth"),
		"endpoints":   withDesc(obj{"type": "array", "minItems": 1, "items": ref("endpoint")}, "the endpoints the run calls; at least one"),
		"limits":      withDesc(obj{"type": "array", "minItems": 1, "items": ref("limit")}, "the promised limits; at least one"),
		"headers":     ref("headers"),
		"errors": withDesc(obj{
			"type":                 "object",
			"propertyNames":        obj{"pattern": "^[1-5][0-9][0-9]$"},
			"additionalProperties": ref("errorShape"),
		}, "the error bodies promised per HTTP status (100-599)"),
		"phases": withDesc(obj{"type": "array", "items": ref("phase")}, "explicit phases, used as written instead of derived"),
		"run":    ref("run"),
	}, "name", "endpoints", "limits")
	s["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	s["$id"] = SchemaID
	s["title"] = "ratecheck scenario"
	s["$defs"] = obj{
		"auth": object("how the API takes its key; absent: the API takes no key", authFields, obj{
			"header": text("the header that carries the key"),
			"scheme": withDesc(anyCase([]string{"", "Bearer"}), `"" sends the raw key; Bearer sends "Bearer <key>"`),
			"keys": withDesc(obj{
				"type":                 "object",
				"minProperties":        1,
				"additionalProperties": obj{"anyOf": []any{ref("envRef"), ref("scopedKey")}},
			}, "key id -> ${ENV_NAME}; the first is the default"),
		}, "header", "keys"),
		"scopedKey": object("a key with scopes", keyFields, obj{
			"env":      ref("envRef"),
			"scopes":   names("the scopes the key holds"),
			"optional": withDesc(obj{"type": "boolean"}, "the key may be left unset: the run goes without it (never the first key)"),
		}, "env"),
		"envRef": withDesc(obj{"type": "string", "pattern": "^\\s*" + strings.TrimPrefix(envRef.String(), "^")}, "${NAME}: keys come from the environment, never the file"),
		"endpoint": object("one endpoint", endpointFields, obj{
			"name":    text("required, unique"),
			"method":  withDesc(anyCase(methods), "default GET; any case"),
			"path":    withDesc(obj{"type": "string", "pattern": "^\\s*/"}, "required, starts with /"),
			"headers": withDesc(obj{"type": "object", "additionalProperties": obj{"type": []string{"string", "number", "boolean"}}}, "request headers, in order; never the auth header"),
			"body":    obj{"description": "sent as JSON; a string is sent verbatim"},
			"auth":    withDesc(anyCase([]string{"key", "none"}), "key (default), or none for requests sent without the key"),
			"scopes":  names("a key needs one of these scopes to call it"),
		}, "name", "path"),
		"limit": object("one promised limit", limitFields, obj{
			"name":      text("required, unique"),
			"requests":  withDesc(obj{"type": "integer", "minimum": 1}, "requests per window (or plans:)"),
			"plans":     withDesc(obj{"type": "object", "minProperties": 1, "additionalProperties": obj{"anyOf": []any{obj{"type": "integer", "minimum": 1}, anyCase([]string{"unlimited"})}}}, "requests per window for each plan tier, or unlimited"),
			"window":    ref("duration"),
			"scope":     withDesc(anyCase(scopes), "key (default with auth), ip, global"),
			"algorithm": withDesc(anyCase(algorithms), "the limiter family; any (default) judges against the most favourable"),
			"burst":     withDesc(obj{"type": "integer", "minimum": 1}, "bucket capacity: token-bucket, gcra, leaky-bucket, or any (then judged as some bucket); default requests"),
			"recovery":  ref("duration"),
			"endpoints": names("the endpoints it counts (default all)"),
			"exclude":   names("endpoints it does not count"),
		}, "name", "window"),
		"headers": object("the rate-limit headers promised; absent: none", headersFields, obj{
			"convention":   withDesc(anyCase(conventions), "the header convention"),
			"limit":        headerNames(`the Limit header's name, or its names (the first, then aliases); "" when not sent`),
			"remaining":    headerNames(`the Remaining header's name, or its names (the first, then aliases); "" when not sent`),
			"reset":        headerNames(`the Reset header's name, or its names (the first, then aliases); "" when not sent`),
			"reset_format": withDesc(anyCase(resetFormats), "how Reset is written"),
			"retry_after":  withDesc(obj{"anyOf": []any{obj{"type": "boolean"}, anyCase(append([]string{"true", "false"}, words(headers.RetryAfterFormats())...))}}, "Retry-After is promised on 429, and in which form"),
			"describes":    text("the limit the headers report (default the first)"),
			"accuracy":     withDesc(anyCase(accuracies), "exact (default) or approximate"),
			"staleness":    ref("duration"),
			"on_errors":    withDesc(obj{"type": "boolean"}, "headers are sent on 429 too (default true)"),
			"ignore":       names("headers neither recorded nor read, as if never sent"),
		}),
		"errorShape": object("an error body promised for one status", []string{"body"}, obj{
			"body": obj{"description": "a JSON shape: a leaf naming a JSON type matches any value of it"},
		}),
		"phase": object("one explicit phase", phaseFields, obj{
			"name":     text("default the kind; unique"),
			"kind":     withDesc(anyCase(phaseKinds), "required"),
			"rate":     ref("rate"),
			"limit":    text("the limit a multiple refers to (default the tested limit)"),
			"duration": ref("duration"),
			"endpoint": text("default the first endpoint the tested limit counts"),
			"key":      text("default the first key"),
		}, "kind", "duration"),
		"run": object("run settings", runFields, obj{
			"connections":  withDesc(obj{"type": "integer", "minimum": 1, "maximum": maxConnections}, "default 32"),
			"timeout":      ref("duration"),
			"max_duration": ref("duration"),
		}),
		"duration": withDesc(obj{"type": "string", "pattern": durationPattern()}, "a Go duration (1s, 90s, 1m, 24h) or second, minute, hour, day, month"),
		"rate":     withDesc(obj{"type": "string", "pattern": ratePattern()}, "a multiple of a limit's rate (2x, 0.5x), an absolute rate (40/s, 100/m, 5/h) or max"),
	}
	return s
}

// object is the schema of a mapping with exactly the fields known (the
// loader's list) and the required ones. Every known field must have a
// schema in props and every schema a known field: a field added to the
// loader without one here panics.
func object(desc string, known []string, props obj, required ...string) obj {
	if got, want := slices.Sorted(maps.Keys(props)), slices.Sorted(slices.Values(known)); !slices.Equal(got, want) {
		panic(fmt.Sprintf("scenarios: the schema of %q describes fields %v; the loader knows %v", desc, got, want))
	}
	o := obj{"type": "object", "properties": props, "additionalProperties": false}
	if desc != "" {
		o["description"] = desc
	}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func ref(def string) obj { return obj{"$ref": "#/$defs/" + def} }

func text(desc string) obj { return obj{"type": "string", "description": desc} }

// headerNames is a header name, or a list of them: the name, then aliases.
func headerNames(desc string) obj {
	return obj{"anyOf": []any{obj{"type": "string"}, obj{"type": "array", "minItems": 1, "items": obj{"type": "string", "minLength": 1}}}, "description": desc}
}

func names(desc string) obj {
	return obj{"type": "array", "items": obj{"type": "string", "minLength": 1}, "description": desc}
}

func withDesc(o obj, desc string) obj {
	o["description"] = desc
	return o
}

// anyCase is one of words in any case, as the loader reads them; editors
// offer the words as listed (enum), the pattern accepts every case.
func anyCase(words []string) obj {
	return obj{"anyOf": []any{
		obj{"enum": words},
		obj{"type": "string", "pattern": "^\\s*(" + caseless(words) + ")\\s*$"},
	}}
}

// caseless is an alternation of words matching any case ([gG][eE][tT]):
// JSON Schema's regular expressions have no case-insensitive flag.
func caseless(words []string) string {
	alts := make([]string, len(words))
	for i, w := range words {
		var b strings.Builder
		for _, r := range w {
			lo, up := strings.ToLower(string(r)), strings.ToUpper(string(r))
			if lo == up {
				b.WriteString(regexp.QuoteMeta(string(r)))
				continue
			}
			b.WriteString("[" + lo + up + "]")
		}
		alts[i] = b.String()
	}
	return strings.Join(alts, "|")
}

// durationPattern matches what parseDuration reads: a Go duration or a
// window word.
func durationPattern() string {
	num := `[0-9]*\.?[0-9]+`
	return `^\s*((` + num + `(ns|us|µs|μs|ms|s|m|h))+|` + caseless(slices.Sorted(maps.Keys(windowWords))) + `)\s*$`
}

// ratePattern matches what parseRate reads.
func ratePattern() string {
	num := `\s*[0-9]*\.?[0-9]+\s*`
	return `^\s*(` + caseless([]string{"max"}) + `|` + num + `[xX]|` + num + `/\s*(` + caseless(slices.Sorted(maps.Keys(rateUnits))) + `))\s*$`
}
