package attack_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/ratecheck/ratecheck/attack"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// TestVegetaExportRoundTrip writes observations in each of vegeta's
// encodings and reads them back with vegeta's own decoder, as `vegeta report`
// does, then checks vegeta's metrics count what ratecheck saw.
func TestVegetaExportRoundTrip(t *testing.T) {
	sc := &scenarios.Scenario{Name: "copilot", Endpoints: []scenarios.Endpoint{{Name: "list", Method: "GET", Path: "/v1/clients?page=1"}}}
	p := &plan.Plan{Scenario: sc, Phases: []plan.Phase{{Name: "under"}, {Name: "over"}}}
	t0 := time.Date(2026, 12, 4, 17, 0, 0, 123456789, time.UTC)
	obs := []results.Observation{
		{Seq: 0, Phase: 0, Endpoint: "list", Sent: t0, Latency: 2 * time.Millisecond, Status: 200, Body: `{"ok":true}`},
		{Seq: 1, Phase: 1, Endpoint: "list", Sent: t0.Add(50 * time.Millisecond), Latency: time.Millisecond, Status: 429,
			Headers: map[string]string{"Retry-After": "1"}},
		{Seq: 2, Phase: 1, Endpoint: "list", Sent: t0.Add(60 * time.Millisecond), Latency: 3 * time.Second, Error: "dial tcp: connection refused"},
	}
	want := []vegeta.Result{
		{Attack: "copilot/under", Seq: 0, Code: 200, Timestamp: t0, Latency: 2 * time.Millisecond, BytesIn: 11, Body: []byte(`{"ok":true}`),
			Method: "GET", URL: "http://127.0.0.1:8080/api/v1/clients?page=1"},
		{Attack: "copilot/over", Seq: 1, Code: 429, Timestamp: t0.Add(50 * time.Millisecond), Latency: time.Millisecond,
			Error: "429 Too Many Requests", Method: "GET", URL: "http://127.0.0.1:8080/api/v1/clients?page=1", Headers: map[string][]string{"Retry-After": {"1"}}},
		{Attack: "copilot/over", Seq: 2, Code: 0, Timestamp: t0.Add(60 * time.Millisecond), Latency: 3 * time.Second,
			Error: "dial tcp: connection refused", Method: "GET", URL: "http://127.0.0.1:8080/api/v1/clients?page=1"},
	}
	for _, enc := range attack.Encodings {
		t.Run(enc, func(t *testing.T) {
			var buf bytes.Buffer
			e, err := attack.NewVegetaExporter(&buf, enc, p, "http://127.0.0.1:8080/api")
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range obs {
				if err := e.Write(o); err != nil {
					t.Fatal(err)
				}
			}
			dec := vegeta.DecoderFor(bytes.NewReader(buf.Bytes()))
			if dec == nil {
				t.Fatalf("vegeta does not recognise the %s output", enc)
			}
			var got []vegeta.Result
			var m vegeta.Metrics
			for {
				var r vegeta.Result
				if err := dec.Decode(&r); err != nil {
					break
				}
				got = append(got, r)
				m.Add(&r)
			}
			m.Close()
			opts := cmp.Options{
				cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }),
				cmp.Transformer("body", func(b []byte) string { return string(b) }),
			}
			if diff := cmp.Diff(want, got, opts); diff != "" {
				t.Errorf("decoded results (-want +got):\n%s", diff)
			}
			if m.Requests != 3 || m.Success != 1.0/3 || m.StatusCodes["429"] != 1 {
				t.Errorf("vegeta metrics: %d requests, success %.3f, codes %v; want 3, 0.333, one 429", m.Requests, m.Success, m.StatusCodes)
			}
		})
	}
	if _, err := attack.NewVegetaExporter(&bytes.Buffer{}, "xml", p, "http://x"); err == nil {
		t.Error("NewVegetaExporter accepted encoding xml")
	}
}
