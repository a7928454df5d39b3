package scenarios

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// schemaFile is the committed scenario schema, which editors read.
const schemaFile = "../schema/scenario.schema.json"

// TestSchemaFileIsGenerated: the committed schema is JSONSchema(), which is
// built from the loader's tables (go test ./scenarios -update rewrites it).
func TestSchemaFileIsGenerated(t *testing.T) {
	got := JSONSchema()
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.WriteFile(schemaFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is not JSONSchema(): run go test ./scenarios -run TestSchemaFileIsGenerated -update", schemaFile)
	}
}

// compileSchema compiles JSONSchema() with a validator written by others.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(JSONSchema()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(SchemaID)
	if err != nil {
		t.Fatalf("the scenario schema does not compile: %v", err)
	}
	return s
}

// instance is a YAML document as the JSON value a schema validator sees
// (mapping keys as strings, as an editor's YAML language server reads them).
func instance(t *testing.T, src []byte) (any, bool) {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(src, &v); err != nil {
		return nil, false
	}
	b, err := json.Marshal(jsonable(v))
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return inst, true
}

func jsonable(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = jsonable(e)
		}
		return v
	case map[any]any:
		m := map[string]any{}
		for k, e := range v {
			m[fmt.Sprint(k)] = jsonable(e)
		}
		return m
	case []any:
		for i, e := range v {
			v[i] = jsonable(e)
		}
	}
	return v
}

// scenarioFiles are every scenario file of the repository: the shipped
// ones, the test ones, the benchmarks' and those inside the CLI's test
// scripts (their $VARS replaced by a loopback URL), by name.
func scenarioFiles(t *testing.T) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	for _, pattern := range []string{"*.yaml", "testdata/invalid/*.yaml", "../cmd/ratecheck/testdata/*.yaml", "../conformance/testdata/*/*.yaml", "../bench/scenarios/*.yaml", "../internal/*/testdata/*.yaml"} {
		names, _ := filepath.Glob(pattern)
		for _, n := range names {
			b, err := os.ReadFile(n)
			if err != nil {
				t.Fatal(err)
			}
			files[n] = b
		}
	}
	scripts, _ := filepath.Glob("../cmd/ratecheck/testdata/script/*.txtar")
	for _, s := range scripts {
		a, err := txtar.ParseFile(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range a.Files {
			if strings.HasSuffix(f.Name, ".yaml") {
				files[s+"/"+f.Name] = []byte(os.Expand(string(f.Data), func(v string) string {
					if strings.ToUpper(v) == v && !strings.HasSuffix(v, "_KEY") {
						return "http://127.0.0.1:1" // a URL the script would put there
					}
					return "${" + v + "}"
				}))
			}
		}
	}
	return files
}

// TestSchemaAgreesWithLoader validates every scenario file of the
// repository against the schema: each one Load accepts, the schema accepts
// (the schema is never stricter than the loader); and each case of
// testdata/invalid that is wrong in shape (a field, a type, a word), the
// schema rejects too.
func TestSchemaAgreesWithLoader(t *testing.T) {
	s := compileSchema(t)
	files := scenarioFiles(t)
	if len(files) < 20 {
		t.Fatalf("found %d scenario files; want the shipped, test and script ones", len(files))
	}
	shapeErrors := map[string]bool{ // cases of testdata/invalid the schema must reject
		"unknown_field": true, "bad_duration": true, "zero_requests": true, "literal_key": true,
		"wrong_kind": true, "bad_rate": true,
	}
	valid := 0
	for name, src := range files {
		_, loadErr := Parse(name, src)
		inst, ok := instance(t, src)
		if !ok {
			if loadErr == nil {
				t.Errorf("%s: Load accepts it, but it is not YAML a validator can read", name)
			}
			continue
		}
		schemaErr := s.Validate(inst)
		if loadErr == nil {
			valid++
			if schemaErr != nil {
				t.Errorf("%s: Load accepts it, the schema does not: %v", name, schemaErr)
			}
		}
		c := strings.TrimSuffix(filepath.Base(name), ".yaml")
		if strings.Contains(name, "invalid/") && shapeErrors[c] && schemaErr == nil {
			t.Errorf("%s: the schema accepts a file wrong in shape; Load says: %v", name, loadErr)
		}
	}
	if valid < 15 {
		t.Errorf("only %d valid scenario files checked; want every shipped and test scenario", valid)
	}
}

// TestSchemaRejectsWhatLoaderRejects: the same mistakes, written into a
// valid scenario, fail both the loader and the schema; and what the loader
// reads in any case (method, algorithm, durations as words) both accept.
func TestSchemaRejectsWhatLoaderRejects(t *testing.T) {
	s := compileSchema(t)
	base := `name: x
auth:
  header: X-API-KEY
  keys:
    primary: ${K}
endpoints:
  - {name: e, path: /v1/e, method: GET}
limits:
  - {name: l, requests: 10, window: 1s, algorithm: any}
headers: {convention: x-ratelimit}
phases:
  - {kind: over, rate: 2x, duration: 1s}
run: {connections: 8}
`
	tests := []struct {
		name, old, new string
		valid          bool
	}{
		{"as written", "", "", true},
		{"method in lower case", "method: GET", "method: get", true},
		{"window as a word", "window: 1s", "window: Minute", true},
		{"absolute rate", "rate: 2x", "rate: 40 / s", true},
		{"unknown top-level field", "run:", "rn: {}\nrun:", false},
		{"unknown auth field", "header: X-API-KEY", "header: X-API-KEY\n  headr: x", false},
		{"unknown endpoint field", "path: /v1/e", "path: /v1/e, pth: /x", false},
		{"unknown limit field", "window: 1s", "window: 1s, windw: 1s", false},
		{"unknown headers field", "convention: x-ratelimit", "convention: x-ratelimit, limt: X", false},
		{"unknown phase field", "duration: 1s}", "duration: 1s, durration: 1s}", false},
		{"unknown run field", "connections: 8", "connections: 8, conections: 8", false},
		{"unknown method", "method: GET", "method: FETCH", false},
		{"unknown algorithm", "algorithm: any", "algorithm: sideways", false},
		{"unknown convention", "x-ratelimit}", "x-limits}", false},
		{"duration without unit", "window: 1s", "window: 1", false},
		{"not a duration", "window: 1s", "window: fast", false},
		{"not a rate", "rate: 2x", "rate: fast", false},
		{"unknown phase kind", "kind: over", "kind: sideways", false},
		{"zero requests", "requests: 10", "requests: 0", false},
		{"a key written into the file", "${K}", "sk-123", false},
		{"path without /", "path: /v1/e", "path: v1/e", false},
		{"bad name", "name: x", "name: X Y", false},
		{"no limits", "limits:\n  - {name: l, requests: 10, window: 1s, algorithm: any}", "limits: []", false},
		{"too many connections", "connections: 8", "connections: 10001", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := base
			if tt.old != "" {
				if !strings.Contains(src, tt.old) {
					t.Fatalf("%q not in the base scenario", tt.old)
				}
				src = strings.Replace(src, tt.old, tt.new, 1)
			}
			_, loadErr := Parse("x.yaml", []byte(src))
			inst, ok := instance(t, []byte(src))
			if !ok {
				t.Fatalf("not YAML:\n%s", src)
			}
			schemaErr := s.Validate(inst)
			if (loadErr == nil) != tt.valid || (schemaErr == nil) != tt.valid {
				t.Errorf("valid = %v; Load: %v; schema: %v\n%s", tt.valid, loadErr, schemaErr, src)
			}
		})
	}
}
