package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/ratecheck/ratecheck/conformance"
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
	if err := enc.Encode(forJSON(r)); err != nil {
		return fmt.Errorf("report: write json: %w", err)
	}
	return nil
}

// ReadJSON decodes one report written by WriteJSON. It rejects input that is not
// a single JSON object, that has no schema_version, or whose schema_version is
// newer than this package's SchemaVersion.
func ReadJSON(rd io.Reader) (*Report, error) {
	dec := json.NewDecoder(rd)
	var r Report
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("report: read json: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("report: read json: trailing data after the report")
	}
	switch {
	case r.SchemaVersion == 0:
		return nil, fmt.Errorf("report: read json: no schema_version: not a ratecheck report")
	case r.SchemaVersion > SchemaVersion:
		return nil, fmt.Errorf("report: read json: schema_version %d is newer than this ratecheck reads (%d)",
			r.SchemaVersion, SchemaVersion)
	}
	return &r, nil
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
func checksForJSON(checks []conformance.CheckResult) []conformance.CheckResult {
	out := make([]conformance.CheckResult, len(checks))
	for i, c := range checks {
		if c.Evidence != nil && c.Evidence.Requests == nil {
			ev := *c.Evidence
			ev.Requests = []conformance.RequestEvidence{}
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
