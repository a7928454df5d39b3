//go:build linux

package thirdparty

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ratecheck/ratecheck/internal/longtest"
)

// realLimiterRuns is every real-limiter case: the libraries, the GCRA
// limiters, nginx, HAProxy, the Redis-backed ones, the API stacks and the
// libraries 50 ms ± 25 ms away, each with its servers started afresh.
func realLimiterRuns(t *testing.T) []*run {
	var runs []*run
	for _, f := range []func(*testing.T) []*run{libraryRuns, gcraRuns, nginxRuns, haproxyRuns, redisRuns, tlsRuns, stackRuns, perIPRuns, pyLimitsRuns, flaskLimiterRuns, twoLimitsRuns, perMethodRuns, refillRuns, flakyRuns, perPathRuns, layeredRuns, farRuns} {
		runs = append(runs, f(t)...)
	}
	return runs
}

// caseTally is how the runs of one case came out.
type caseTally struct {
	right, undecided, known, wrong int
	first                          string // the first wrong run's problems
	bugs                           string // the first known bug seen
	why                            string // the first undecided run's reason
}

// TestRealLimiterMatrix runs every real-limiter case RATECHECK_MATRIX_RUNS
// times (all cases of one repetition at once) and prints right/total per
// case: undecided is a correct limiter whose limit check said the timing
// tolerance left it undecidable (passOrUndecided), never a fail; right is
// the verdict wanted (a correct limiter passes every check, a
// misconfigured one fails exactly the checks of its mistake); known is a
// check that came out as a listed ratecheck bug says (the run's bugs), which
// is not right either. .ci/matrix runs it; without RATECHECK_MATRIX_RUNS it
// is skipped, since TestLibraries, TestNginx, TestHAProxy and
// TestRedisLimiters run each case once. Any wrong run fails the test.
func TestRealLimiterMatrix(t *testing.T) {
	longtest.Skip(t, "every real-limiter case, RATECHECK_MATRIX_RUNS times")
	s := os.Getenv("RATECHECK_MATRIX_RUNS")
	if s == "" {
		t.Skip("RATECHECK_MATRIX_RUNS not set: the cases run once in their own tests")
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		t.Fatalf("RATECHECK_MATRIX_RUNS=%q: want a whole number >= 1", s)
	}
	var names []string
	tallies := map[string]*caseTally{}
	for i := range n {
		t.Run(fmt.Sprintf("run%d", i+1), func(t *testing.T) {
			runs := realLimiterRuns(t)
			executeAll(t, runs)
			for _, r := range runs {
				ct := tallies[r.name]
				if ct == nil {
					ct = &caseTally{}
					tallies[r.name] = ct
					names = append(names, r.name)
				}
				var wrong, bugs, notes []string
				switch {
				case r.err != nil:
					wrong = []string{r.err.Error()}
				case r.outcome.Interrupted && r.outcome.BackedOff != "" && r.failsUnderLoad != "":
					notes = []string{"undecided: the attack backed off (" + r.outcome.BackedOff + "): " + r.failsUnderLoad}
				case r.outcome.Interrupted:
					wrong = []string{"interrupted before its plan ended"}
				default:
					wrong, bugs, notes = r.problems()
				}
				undecided := slices.ContainsFunc(notes, func(n string) bool { return strings.HasPrefix(n, "undecided: ") })
				switch {
				case len(wrong) > 0:
					ct.wrong++
					if ct.first == "" {
						ct.first = strings.Join(wrong, "; ")
					}
					t.Errorf("%s: %s", r.name, strings.Join(wrong, "; "))
				case len(bugs) > 0:
					ct.known++
					if ct.bugs == "" {
						ct.bugs = strings.Join(bugs, "; ")
					}
				case undecided:
					ct.undecided++
					if ct.why == "" {
						ct.why = strings.Join(notes, "; ")
					}
				default:
					ct.right++
				}
			}
		})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "real-limiter matrix, %d runs per case:", n)
	for _, name := range names {
		ct := tallies[name]
		fmt.Fprintf(&b, "\n  %-40s right %2d/%d  undecided %d  known bug %d  wrong %d", name, ct.right, n, ct.undecided, ct.known, ct.wrong)
		if ct.bugs != "" {
			fmt.Fprintf(&b, "  [%s]", ct.bugs)
		}
		if ct.why != "" {
			fmt.Fprintf(&b, "\n      first %s", ct.why)
		}
	}
	t.Log(b.String())
}
