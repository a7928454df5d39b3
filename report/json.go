package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/results/metrics"
)

// errNilReport is returned by every writer given a nil *Report.
var errNilReport = errors.New("nil report")

// WriteJSON writes r as indented JSON with a trailing newline. Fields come in the
// order of the Report struct, schema_version first; map keys are sorted, so the
// same report always gives the same bytes. A zero SchemaVersion is written as
// SchemaVersion; empty lists are written as [] rather than null; rates that are
// not finite numbers (which JSON cannot hold) are written as 0; the target is
// stripped of user info and query values. r itself is not modified.
func WriteJSON(w io.Writer, r *Report) error {
	if r == nil {
		return fmt.Errorf("report: write json: %w", errNilReport)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(toWire(reflect.ValueOf(forJSON(r)))); err != nil {
		return fmt.Errorf("report: write json: %w", err)
	}
	return nil
}

// ReadJSON decodes one report written by WriteJSON, of this schema_version
// or an older one: version 1 wrote durations as bare nanoseconds, version 2
// as milliseconds in _ms fields. It rejects input that is not a single JSON
// object, that has no schema_version, or whose schema_version is newer than
// this package's SchemaVersion.
func ReadJSON(rd io.Reader) (*Report, error) {
	dec := json.NewDecoder(rd)
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, fmt.Errorf("report: read json: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("report: read json: trailing data after the report")
	}
	obj, ok := tree.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("report: read json: want a JSON object, not %s", jsonKind(tree))
	}
	var head struct {
		SchemaVersion int `json:"schema_version"`
	}
	version, _ := json.Marshal(obj["schema_version"])
	if err := json.Unmarshal([]byte(`{"schema_version":`+string(version)+`}`), &head); err != nil {
		return nil, fmt.Errorf("report: read json: schema_version: %w", err)
	}
	switch {
	case head.SchemaVersion == 0:
		return nil, fmt.Errorf("report: read json: no schema_version: not a ratecheck report")
	case head.SchemaVersion > SchemaVersion:
		return nil, fmt.Errorf("report: read json: schema_version %d is newer than this ratecheck reads (%d)",
			head.SchemaVersion, SchemaVersion)
	case head.SchemaVersion >= 2:
		if err := fromWire(obj, reflect.TypeFor[Report]()); err != nil {
			return nil, fmt.Errorf("report: read json: %w", err)
		}
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("report: read json: %w", err)
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("report: read json: %w", err)
	}
	return &r, nil
}

// jsonKind names the kind of a decoded JSON value, for messages.
func jsonKind(v any) string {
	switch v.(type) {
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return "an object"
}

// forJSON returns a shallow copy of r ready to encode (see WriteJSON).
func forJSON(r *Report) *Report {
	c := *r
	if c.SchemaVersion == 0 {
		c.SchemaVersion = SchemaVersion
	}
	c.Target = results.RedactTarget(c.Target)
	c.Checks = checksForJSON(c.Checks)
	c.Phases = finitePhases(c.Phases)
	c.Charges = nonNil(c.Charges)
	c.Timeline = nonNil(c.Timeline)
	if c.Statuses == nil {
		c.Statuses = map[int]int64{}
	}
	return &c
}

// checksForJSON copies checks so that evidence with no requests lists [].
func checksForJSON(checks []check.Result) []check.Result {
	out := make([]check.Result, len(checks))
	for i, c := range checks {
		if c.Evidence != nil && c.Evidence.Requests == nil {
			ev := *c.Evidence
			ev.Requests = []check.RequestEvidence{}
			c.Evidence = &ev
		}
		out[i] = c
	}
	return out
}

// nonNil turns a nil slice into an empty one, so it encodes as [].
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// finitePhases copies phases with non-finite rates set to 0.
func finitePhases(phases []metrics.PhaseSnapshot) []metrics.PhaseSnapshot {
	out := make([]metrics.PhaseSnapshot, len(phases))
	for i, p := range phases {
		p.RequestedRate = finite(p.RequestedRate)
		p.AchievedRate = finite(p.AchievedRate)
		out[i] = p
	}
	return out
}

// finite is v, or 0 when v is NaN or infinite.
func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}
