// Package report turns a judged run into the files people read: JSON, HTML (one
// self-contained file), JUnit XML and Markdown. It only reads: it never decides a
// verdict.
//
// The writers are WriteJSON, WriteHTML, WriteJUnit and WriteMarkdown; WriteFile
// writes any of them to a file atomically. The HTML and Markdown layouts are
// templates/*.tmpl, embedded; view.go formats every value they show. The package
// imports conformance, results, results/metrics and scenarios (types only), never
// attack, the runner, the reference target or the dashboard.
package report

import (
	"time"

	"github.com/ratecheck/ratecheck/conformance"
	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/results/metrics"
)

// SchemaVersion is the version of the JSON report format: 2 writes
// durations as milliseconds in _ms fields (1 wrote nanoseconds); ReadJSON
// reads both. schema/report.schema.json (JSONSchema) describes it.
const SchemaVersion = 2

// Report is everything the report files show about one run.
type Report struct {
	SchemaVersion int `json:"schema_version"`
	// Target, next in the JSON, is the base URL of the target judged, never
	// with credentials; BuiltinTarget says it was the built-in reference target.
	Target        string       `json:"target"`
	BuiltinTarget bool         `json:"builtin_target"`
	RunID         string       `json:"run_id"`
	Tool          string       `json:"tool"` // "ratecheck <version>"
	Scenario      ScenarioInfo `json:"scenario"`
	Started       time.Time    `json:"started"`
	Finished      time.Time    `json:"finished"`
	Interrupted   bool         `json:"interrupted"` // the run was stopped before its plan ended
	// Verdict is pass, fail, inconclusive (the evidence settles nothing) or
	// incomplete (the run stopped before its plan ended); VerdictReason says
	// why in one sentence.
	Verdict       check.Status   `json:"verdict"`
	VerdictReason string         `json:"verdict_reason,omitempty"`
	Checks        []check.Result `json:"checks"`
	// Fingerprint is the limiter family and parameters that best explain the
	// observed decisions, and how well; nil when nothing was judged.
	Fingerprint *conformance.Fingerprint `json:"fingerprint,omitempty"`
	// Recovery is how long the tested limit was measured to take to lift;
	// nil when the run never saw it lift.
	Recovery *conformance.Recovery   `json:"recovery,omitempty"`
	Phases   []metrics.PhaseSnapshot `json:"phases"`
	Requests int64                   `json:"requests"`
	Statuses map[int]int64           `json:"statuses"`
	Latency  metrics.LatencySummary  `json:"latency"`
	Charges  []Charge                `json:"charges"`
	// Limits are the scenario's limits on the run's plan, drawn as lines on the
	// timeline; absent from reports written before they were recorded.
	Limits   []LimitInfo            `json:"limits,omitempty"`
	Timeline []metrics.SecondCounts `json:"timeline"` // answers per second of the run, for charts
	// Waits are the 429s that said when to come back (Retry-After, Reset),
	// each with the measured wait until its key's next admission: the
	// recovery picture. A sample of at most a few hundred in a long run.
	Waits []metrics.WaitPoint `json:"waits,omitempty"`
	Notes []string            `json:"notes,omitempty"` // e.g. "demo key generated for the built-in target"
}

// ScenarioInfo names the scenario a run followed.
type ScenarioInfo struct {
	Name   string `json:"name"`
	File   string `json:"file"`
	Source string `json:"source,omitempty"` // the API document it was taken from
	Plan   string `json:"plan,omitempty"`
	Tested string `json:"tested_limit,omitempty"`
}

// Charge is what the run cost one limit's budget.
type Charge struct {
	Limit     string `json:"limit"`
	Requests  int64  `json:"requests"`
	Budget    int64  `json:"budget"`
	Unlimited bool   `json:"unlimited,omitempty"`
	Tested    bool   `json:"tested"`
	Note      string `json:"note,omitempty"`
}

// LimitInfo is one promised limit: Requests per Window (in milliseconds).
type LimitInfo struct {
	Name      string `json:"name"`
	Requests  int64  `json:"requests"`
	WindowMS  int64  `json:"window_ms"`
	Unlimited bool   `json:"unlimited,omitempty"`
	Tested    bool   `json:"tested"`
}

// Counts returns how many checks have each status.
func (r *Report) Counts() (pass, fail, skip int) { return check.Tally(r.Checks) }
