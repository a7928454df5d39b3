package conformance

import (
	"testing"
	"time"
)

func TestEvidenceFirstSkipsContext(t *testing.T) {
	ctx := RequestEvidence{Seq: 1, Context: true}
	bad := RequestEvidence{Seq: 2}
	tests := []struct {
		name string
		e    *Evidence
		want uint64
		ok   bool
	}{
		{"nil", nil, 0, false},
		{"empty", &Evidence{}, 0, false},
		{"context first", &Evidence{Requests: []RequestEvidence{ctx, bad}}, 2, true},
		{"offending first", &Evidence{Requests: []RequestEvidence{bad, ctx}}, 2, true},
		{"only context", &Evidence{Requests: []RequestEvidence{ctx}}, 1, true},
	}
	for _, tt := range tests {
		q, ok := tt.e.First()
		if q.Seq != tt.want || ok != tt.ok {
			t.Errorf("%s: First() = #%d, %v; want #%d, %v", tt.name, q.Seq, ok, tt.want, tt.ok)
		}
	}
}

// TestOverEvidenceMarksTheWindowsFirstAsContext: limit.enforced lists the
// first admission of the crowded window before the over-admission; the
// one-line summary must show the over-admission.
func TestOverEvidenceMarksTheWindowsFirstAsContext(t *testing.T) {
	_, v := simulate(simFamilies[0], simFamilies[0].algo, 20, faultOffByOne, fixedLatency(200*time.Microsecond), 21)
	c := resultOf(t, v, LimitEnforced)
	if c.Status != Fail || c.Evidence == nil || len(c.Evidence.Requests) < 2 {
		t.Fatalf("limit.enforced = %s with %+v; want a failure with framed evidence", c.Status, c.Evidence)
	}
	if !c.Evidence.Requests[0].Context {
		t.Errorf("first evidence request %+v is not marked as context", c.Evidence.Requests[0])
	}
	if q, _ := c.Evidence.First(); q.Context || q.Status != 200 {
		t.Errorf("First() = %+v; want the over-admission", q)
	}
}
