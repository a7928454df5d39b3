package conformance

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/internal/longtest"
)

// longRunKnown are the wrong verdicts the whole-run judgement is known to
// give on runs as long as soakPhases, by family and fault (docs/findings.md).
var longRunKnown = map[string]string{}

// TestLongRunsOneDefectOneCheck judges simulated runs of a minute over the
// limit (soakPhases, far longer than a plan drives) as a whole: a correct
// limiter passes, and each fault fails its own check and no other. The
// sliding-window counters are left out: a faulty one is judged against the
// sliding log, whose failures its approximation shares.
func TestLongRunsOneDefectOneCheck(t *testing.T) {
	longtest.Skip(t, "84 simulated runs of 75 s, judged whole")
	tally := map[string]int{}
	for _, fam := range simFamilies {
		if approximate[fam.name] {
			continue
		}
		for _, f := range []fault{faultNone, faultOffByOne, faultEarly, faultStatus503} {
			for _, lat := range []string{"0.2ms", "jitter5ms"} {
				for seed := uint64(1); seed <= 3; seed++ {
					var v Verdict
					withStretches(1<<30, func() { v = judgeBothWays(fam, f, lat, seed).whole })
					name := fmt.Sprintf("%s/%s/%s/%d", fam.name, f, lat, seed)
					r := rightness(v, f)
					switch known := longRunKnown[fam.name+"/"+string(f)]; {
					case r == "right" || r == "undecided":
						tally[r]++
						if known != "" {
							t.Logf("%s: %s, though longRunKnown lists it", name, r)
						}
					case known != "" && r == "wrong: "+string(check.LimitEnforced)+" failed":
						tally["known"]++
						t.Logf("%s: %s (%s)", name, r, known)
					default:
						tally["wrong"]++
						t.Errorf("%s: %s\n%s", name, r, failingChecks(v))
					}
				}
			}
		}
	}
	t.Logf("%v", tally)
}

// failingChecks writes the failing checks of v.
func failingChecks(v Verdict) string {
	var out []string
	for _, c := range v.Checks {
		if c.Status == check.Fail {
			out = append(out, fmt.Sprintf("  %s: %s", c.ID, c.Message))
		}
	}
	return strings.Join(out, "\n")
}
