package report_test

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/report"
	"github.com/ratecheck/ratecheck/results/metrics"
)

func TestJSONRoundTrip(t *testing.T) {
	for _, tc := range reports {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.r()
			got, err := report.ReadJSON(bytes.NewReader(render(t, report.WriteJSON, want)))
			if err != nil {
				t.Fatalf("ReadJSON(WriteJSON(r)) error: %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ReadJSON(WriteJSON(r)) mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWriteJSONSchemaVersionFirst(t *testing.T) {
	got := string(render(t, report.WriteJSON, passingReport()))
	if want := fmt.Sprintf("{\n  \"schema_version\": %d,\n", report.SchemaVersion); !strings.HasPrefix(got, want) {
		t.Errorf("WriteJSON output starts %q; want prefix %q", got[:min(40, len(got))], want)
	}
}

func TestWriteJSONNormalises(t *testing.T) {
	in := &report.Report{
		Target: "https://user:secret@api.example.test/v1?api_key=k3y",
		Phases: []metrics.PhaseSnapshot{{Name: "p", RequestedRate: math.Inf(1), AchievedRate: math.NaN()}},
		Checks: []check.Result{{ID: check.LimitEnforced, Status: check.Fail,
			Evidence: &check.Evidence{Expected: "x"}}},
	}
	out := string(render(t, report.WriteJSON, in))
	got, err := report.ReadJSON(strings.NewReader(out))
	if err != nil {
		t.Fatalf("ReadJSON(WriteJSON(r)) error: %v\n%s", err, out)
	}
	want := &report.Report{
		SchemaVersion: report.SchemaVersion,
		Target:        "https://api.example.test/v1?api_key=REDACTED",
		Phases:        []metrics.PhaseSnapshot{{Name: "p"}},
		Checks: []check.Result{{ID: check.LimitEnforced, Status: check.Fail,
			Evidence: &check.Evidence{Expected: "x", Requests: []check.RequestEvidence{}}}},
		Statuses: map[int]int64{},
		Charges:  []report.Charge{},
		Timeline: []metrics.SecondCounts{},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ReadJSON(WriteJSON(r)) mismatch (-want +got):\n%s", diff)
	}
	for _, secret := range []string{"secret", "k3y", "user"} {
		if strings.Contains(out, secret) {
			t.Errorf("WriteJSON output contains %q:\n%s", secret, out)
		}
	}
	if in.SchemaVersion != 0 || !math.IsInf(in.Phases[0].RequestedRate, 1) || in.Checks[0].Evidence.Requests != nil {
		t.Errorf("WriteJSON modified its input: %+v", in)
	}
}

func TestReadJSONErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "EOF"},
		{"not json", "<html>", "invalid character"},
		{"array", "[]", "want a JSON object, not an array"},
		{"bad milliseconds", `{"schema_version": 2, "latency": {"p99_ms": "slow"}}`, "latency.p99_ms: want a number of milliseconds"},
		{"no schema", `{"run_id": "x"}`, "no schema_version"},
		{"newer schema", `{"schema_version": 99}`, "schema_version 99 is newer"},
		{"trailing data", `{"schema_version": 1} {}`, "trailing data"},
		{"wrong type", `{"schema_version": 1, "requests": "many"}`, "cannot unmarshal string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := report.ReadJSON(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "report: read json: ") {
				t.Errorf("ReadJSON(%q) = %v, %v; want error containing %q", tt.in, r, err, tt.want)
			}
		})
	}
}

func TestReadJSONAcceptsUnknownFields(t *testing.T) {
	r, err := report.ReadJSON(strings.NewReader(`{"schema_version": 1, "run_id": "a", "added_later": true}`))
	if err != nil {
		t.Fatalf("ReadJSON error: %v", err)
	}
	want := &report.Report{SchemaVersion: 1, RunID: "a"}
	if diff := cmp.Diff(want, r, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("ReadJSON mismatch (-want +got):\n%s", diff)
	}
}

// FuzzReadJSON checks that any input either fails to decode or yields a report
// every writer can render.
func FuzzReadJSON(f *testing.F) {
	for _, tc := range reports {
		var buf bytes.Buffer
		if err := report.WriteJSON(&buf, tc.r()); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Add([]byte(`{"schema_version":1,"timeline":[{"second":-5,"admitted":-1},{"second":9000000000000}],"phases":[{"duration":-1}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := report.ReadJSON(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, w := range writers {
			if err := w.write(&bytes.Buffer{}, r); err != nil {
				t.Errorf("%s on a decoded report: %v", w.name, err)
			}
		}
	})
}

// TestReadJSONVersion1 reads a report written by schema_version 1, with
// durations in nanoseconds under their plain names, as the same report
// version 2 writes with _ms fields: compare reads the reports of older
// releases.
func TestReadJSONVersion1(t *testing.T) {
	read := func(path string) *report.Report {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r, err := report.ReadJSON(f)
		if err != nil {
			t.Fatalf("ReadJSON(%s): %v", path, err)
		}
		return r
	}
	v1, v2 := read("testdata/v1/failing.json"), read("testdata/TestWriteJSON/failing.golden")
	if v1.SchemaVersion != 1 || v2.SchemaVersion != report.SchemaVersion {
		t.Fatalf("schema versions %d and %d; want 1 and %d", v1.SchemaVersion, v2.SchemaVersion, report.SchemaVersion)
	}
	v1.SchemaVersion = v2.SchemaVersion
	// Phase latencies and waits came after version 1: such a report has none.
	if diff := cmp.Diff(v2, v1, cmpopts.IgnoreFields(metrics.PhaseSnapshot{}, "Latency"), cmpopts.IgnoreFields(report.Report{}, "Waits")); diff != "" {
		t.Errorf("version 1 read unlike version 2 (-v2 +v1):\n%s", diff)
	}
	if v1.Latency.P99 != 12345678*time.Nanosecond || v1.Recovery == nil || v1.Recovery.Wait != 612*time.Millisecond {
		t.Errorf("durations of version 1: p99 %v, recovery %+v; want 12.345678ms and a wait of 612ms", v1.Latency.P99, v1.Recovery)
	}
}

// TestMillisecondsExact: a duration written as milliseconds reads back to
// the nanosecond.
func TestMillisecondsExact(t *testing.T) {
	for _, d := range []time.Duration{0, 1, 999, 1_000_000, 1_234_567, -2_500_001, 7*time.Hour + 3, time.Duration(1<<62 + 5)} {
		r := &report.Report{Latency: metrics.LatencySummary{P99: d}}
		got, err := report.ReadJSON(bytes.NewReader(render(t, report.WriteJSON, r)))
		if err != nil {
			t.Fatal(err)
		}
		if got.Latency.P99 != d {
			t.Errorf("p99 %d ns read back as %d ns", d, got.Latency.P99)
		}
	}
}
