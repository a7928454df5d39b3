package report_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ratecheck/ratecheck/report"
)

const reportSchemaFile = "../schema/report.schema.json"

// TestReportSchemaFileIsGenerated: the committed schema is JSONSchema()
// (go test ./report -run TestReportSchemaFileIsGenerated -update rewrites it).
func TestReportSchemaFileIsGenerated(t *testing.T) {
	got := report.JSONSchema()
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.WriteFile(reportSchemaFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(reportSchemaFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is not report.JSONSchema(): rerun this test with -update", reportSchemaFile)
	}
}

func compileReportSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(report.JSONSchema()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(report.SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(report.SchemaID)
	if err != nil {
		t.Fatalf("the report schema does not compile: %v", err)
	}
	return s
}

// TestReportSchemaValidates: every golden report.json validates; one of
// schema_version 1 (nanoseconds under plain names) does not, nor a report
// with a field the schema does not know.
func TestReportSchemaValidates(t *testing.T) {
	s := compileReportSchema(t)
	files, _ := filepath.Glob("testdata/TestWriteJSON/*.golden")
	if len(files) < 4 {
		t.Fatalf("golden reports: %v", files)
	}
	validate := func(b []byte) error {
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		return s.Validate(inst)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := validate(b); err != nil {
			t.Errorf("%s does not validate: %v", f, err)
		}
		extra := strings.Replace(string(b), `"run_id":`, `"unknown_field": 1, "run_id":`, 1)
		if validate([]byte(extra)) == nil {
			t.Errorf("%s with an unknown field validates", f)
		}
	}
	old, err := os.ReadFile("testdata/v1/failing.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := validate(old); err == nil {
		t.Error("a report of schema_version 1 validates against the version 2 schema")
	}
}
