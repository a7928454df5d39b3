package thirdparty

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/internal/latencyproxy"
	"github.com/ratecheck/ratecheck/internal/longtest"
)

// farLink puts a limiter far away: 50 ms ± 25 ms one way, as the reference
// target's far matrix does (internal/matrix), so round trips of 50–150 ms
// and requests reaching the server out of send order.
var farLink = latencyproxy.Link{Delay: 50 * time.Millisecond, Jitter: 25 * time.Millisecond}

// far starts a latency proxy in front of u for the test's lifetime and
// returns its address.
func far(t *testing.T, u *url.URL) *url.URL {
	t.Helper()
	p, err := latencyproxy.Start(u.Host, farLink)
	if err != nil {
		t.Fatalf("latencyproxy.Start: %v", err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return &url.URL{Scheme: "http", Host: p.Addr()}
}

// farRuns is every library against its documented contract behind farLink,
// and ulule configured with 21 for a promise of 20. Far away the timing
// tolerance may leave a limit check undecided (never a pass then: the run
// is inconclusive), but no check may fail a correct limiter, the header
// checks included: Remaining counted down in send order meets responses
// decided in another.
func farRuns(t *testing.T) []*run {
	farPass := allPass.with(expect{check.RecoveryAfterWindow: passOrUndecided})
	var runs []*run
	for _, lib := range libraries {
		if lib.name == "ulule-two-spellings" {
			continue // the same limiter as ulule
		}
		// Far away a fixed window's alignment is seen less sharply: the
		// fingerprint must name the family and rate, not the alignment.
		print, _, _ := strings.Cut(lib.print, ", first-request-aligned")
		print, _, _ = strings.Cut(print, ", clock-aligned")
		runs = append(runs, &run{name: lib.name + "-far/declared", contract: lib.contract, want: farPass.with(lib.breaks),
			bugs: lib.bugs, warns: lib.warns, target: far(t, serve(t, lib.handler(t))), print: print})
	}
	ulule21 := libraries[1]
	if ulule21.name != "ulule" {
		t.Fatalf("libraries[1] is %s; want ulule", ulule21.name)
	}
	return append(runs, &run{name: "ulule-limit-21-far/declared", contract: ulule21.contract,
		target: far(t, serve(t, ululeWithLimit(21))),
		want:   expect{check.LimitEnforced: failOrUndecided, check.HeadersLimit: check.Fail, check.HeadersRemaining: passOrFail},
		bugs:   map[check.ID]string{check.LimitEnforced: "F15: passed once in 16 runs (2 of 9 windows judged cleanly), the run's data lost"}})
}

// TestFarLimiters runs ratecheck against the libraries' own middleware
// behind a link of 50 ms ± 25 ms (farRuns), all at once.
func TestFarLimiters(t *testing.T) {
	longtest.Skip(t, "six runs of a 20/s plan against real limiters 50 ms ± 25 ms away, about 15 s")
	t.Parallel()
	runs := farRuns(t)
	executeAll(t, runs)
	for _, r := range runs {
		t.Run(r.name, r.judge)
	}
}
