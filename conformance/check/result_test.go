package check

import "testing"

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
