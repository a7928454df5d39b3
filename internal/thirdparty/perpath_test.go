package thirdparty

import (
	"fmt"
	"strings"
	"testing"

	"github.com/didip/tollbooth/v7"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/internal/longtest"
)

// sharedLimitScenario is a promise of 20 requests per second per client
// across two endpoints, as docs that say "the limit applies to all
// endpoints" state it; family is its algorithm line.
const sharedLimitScenario = `name: shared-%[1]s
target: http://127.0.0.1
endpoints:
  - name: list-clients
    path: /v1/clients
  - name: list-companies
    path: /v1/companies
limits:
  - name: per-second
    requests: 20
    window: 1s
    scope: ip
    %[2]s
`

// perPathRuns are limiters that keep one budget per client for every
// endpoint, and tollbooth, whose default key is the client address and the
// request's path: each endpoint a budget of its own, against a promise of
// one shared budget. The plan sends the middle of its paced over phase to
// the second endpoint; before it did, only the first endpoint was driven and
// tollbooth passed.
func perPathRuns(t *testing.T) []*run {
	return []*run{
		{name: "shared-ulule/declared", scenario: fmt.Sprintf(sharedLimitScenario, "ulule", "algorithm: fixed-window"),
			want: allPass, target: serve(t, ululeHandler(t))},
		{name: "shared-httprate/declared", scenario: fmt.Sprintf(sharedLimitScenario, "httprate", "algorithm: sliding-window"),
			want: allPass, target: serve(t, httprateHandler(t))},
		{name: "per-path-tollbooth/declared", scenario: fmt.Sprintf(sharedLimitScenario, "tollbooth", "algorithm: token-bucket\n    burst: 20"),
			want: allPass.with(expect{check.LimitEnforced: check.Fail}), target: serve(t, tollbooth.LimitHandler(tollbooth.NewLimiter(20, nil), okHandler))},
	}
}

// TestPerPathLimits runs perPathRuns, all at once.
func TestPerPathLimits(t *testing.T) {
	longtest.Skip(t, "three runs of a limit shared by two endpoints, about 20 s")
	t.Parallel()
	runs := perPathRuns(t)
	executeAll(t, runs)
	for _, r := range runs {
		t.Run(r.name, r.judge)
	}
	// The failure says what the limiter seems to do.
	tollbooth := runs[len(runs)-1]
	if tollbooth.outcome == nil {
		return // judge said why
	}
	for _, c := range tollbooth.outcome.Verdict.Checks {
		if c.ID == check.LimitEnforced && c.Status == check.Fail && !strings.Contains(c.Message, "the limiter may count each endpoint apart") {
			t.Errorf("limit.enforced fails tollbooth without naming the cause: %s", c.Message)
		}
	}
}
