package results

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// A reader that stops while the decoder is batches ahead gets what it read,
// in order, and a later pass reads the whole file again.
func TestObservationsEarlyBreakAhead(t *testing.T) {
	obs := bigObservations(aheadBatch * (aheadBatches + 4))
	dir, _ := writeRun(t, obs)
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, stop := range []int{1, aheadBatch, aheadBatch + 1, 3*aheadBatch + 17} {
		var got []Observation
		for o, err := range r.Observations() {
			if err != nil {
				t.Fatal(err)
			}
			if got = append(got, o); len(got) == stop {
				break
			}
		}
		if diff := cmp.Diff(obs[:stop], got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("stopping after %d: (-want +got):\n%s", stop, diff)
		}
	}
	if diff := cmp.Diff(obs, readAll(t, r), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("a whole pass after stopping early: (-want +got):\n%s", diff)
	}
}
