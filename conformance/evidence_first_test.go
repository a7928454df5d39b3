package conformance

import (
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
)

// TestOverEvidenceMarksTheWindowsFirstAsContext: limit.enforced lists the
// first admission of the crowded window before the over-admission; the
// one-line summary must show the over-admission.
func TestOverEvidenceMarksTheWindowsFirstAsContext(t *testing.T) {
	_, v := simulate(simFamilies[0], simFamilies[0].algo, 20, faultOffByOne, fixedLatency(200*time.Microsecond), 21)
	c := resultOf(t, v, check.LimitEnforced)
	if c.Status != check.Fail || c.Evidence == nil || len(c.Evidence.Requests) < 2 {
		t.Fatalf("limit.enforced = %s with %+v; want a failure with framed evidence", c.Status, c.Evidence)
	}
	if !c.Evidence.Requests[0].Context {
		t.Errorf("first evidence request %+v is not marked as context", c.Evidence.Requests[0])
	}
	if q, _ := c.Evidence.First(); q.Context || q.Status != 200 {
		t.Errorf("First() = %+v; want the over-admission", q)
	}
}
