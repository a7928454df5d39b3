package dashboard

import (
	"slices"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/results/metrics"
)

// The fixtures describe one run of a "20 per second" limit: under, at and over
// the limit, a pause, then recovery.

var testPhases = []PhaseInfo{
	{Name: "under", Kind: "under", Start: 0, Duration: 5 * time.Second, Rate: 10},
	{Name: "at", Kind: "at", Start: 5 * time.Second, Duration: 5 * time.Second, Rate: 20},
	{Name: "over", Kind: "over", Start: 10 * time.Second, Duration: 10 * time.Second, Rate: 40},
	{Name: "pause", Kind: "pause", Start: 20 * time.Second, Duration: 2 * time.Second},
	{Name: "recovery", Kind: "recovery", Start: 22 * time.Second, Duration: 3 * time.Second, Rate: 5},
}

// testLimits are the fixture scenario's limits: the tested per-second limit
// and a per-minute one (too long to draw in a 25 s run? no: 60 s is drawn per
// second without a line).
var testLimits = []LimitLine{
	{Name: "per-second", Requests: 20, Window: time.Second},
	{Name: "per-minute", Requests: 600, Window: time.Minute},
}

// recent is per-second counts for seconds 0..upto-1 of the fixture run.
func recent(upto int) []metrics.SecondCounts {
	var out []metrics.SecondCounts
	for s := range upto {
		c := metrics.SecondCounts{Second: s}
		switch {
		case s < 5:
			c.Admitted = 10
		case s < 10:
			c.Admitted = 20
		case s == 12: // the failing run's over-admission
			c.Admitted, c.Limited = 23, 17
		case s < 20:
			c.Admitted, c.Limited = 20, 20
		case s < 22:
		default:
			c.Admitted = 5
		}
		out = append(out, c)
	}
	return out
}

func checks(final bool, failing bool) []check.Result {
	pending := check.Status("")
	if final {
		pending = check.Skip
	}
	cs := []check.Result{
		{ID: check.LimitEnforced, Limit: "per-second", Status: check.Pass, Message: "never more than 20 admitted in any 1s window"},
		{ID: check.LimitNoEarlyReject, Limit: "per-second", Status: check.Pass, Message: "no 429 while under the limit"},
		{ID: check.LimitStatus, Limit: "per-second", Status: check.Pass, Message: "all 200 limited requests got 429"},
		{ID: check.TimingOnset, Limit: "per-second", Status: check.Pass, Message: "first 429 at request 21 of each window"},
		{ID: check.RecoveryAfterWindow, Limit: "per-second", Status: pending, Message: ""},
		{ID: check.HeadersLimit, Limit: "per-second", Status: check.Pass, Message: "X-RateLimit-Limit is 20 on every answer"},
		{ID: check.HeadersRemaining, Limit: "per-second", Status: check.Pass, Message: "X-RateLimit-Remaining counts down exactly"},
		{ID: check.HeadersReset, Limit: "per-second", Status: check.Skip, Message: "the scenario declares no reset header"},
		{ID: check.HeadersRetryAfter, Limit: "per-second", Status: check.Pass, Message: "Retry-After present on every 429 and never shorter than the real wait"},
		{ID: check.BodyErrorFormat, Limit: "per-second", Status: check.Skip, Message: "the scenario declares no error body shape"},
	}
	if final {
		cs[4] = check.Result{ID: check.RecoveryAfterWindow, Limit: "per-second", Status: check.Pass, Message: "recovered 1.004s after the first 429"}
	}
	if failing {
		cs[0] = check.Result{ID: check.LimitEnforced, Limit: "per-second", Status: check.Fail,
			Message: "23 admitted in the 1s window starting +12.000s; the limit is 20 (3 over)",
			Evidence: &check.Evidence{Expected: "at most 20 admitted per 1s window", Requests: []check.RequestEvidence{
				{Seq: 261, Phase: "over", Offset: 12*time.Second + 512*time.Millisecond, Status: 200,
					Note: "admitted #21 in the window starting +12.000 s, beyond the limit of 20", Headers: map[string]string{"X-Api-Key": "secret"}},
			}}}
		cs[6] = check.Result{ID: check.HeadersRemaining, Limit: "per-second", Status: check.Fail,
			Message: "X-RateLimit-Remaining stayed at 0 after the window reset at +13.000s (seq 261)"}
	}
	return cs
}

func snapshot(elapsed time.Duration, done bool) metrics.Snapshot {
	secs := int(elapsed / time.Second)
	phases := []metrics.PhaseSnapshot{
		{Name: "under", Kind: "under", RequestedRate: 10, AchievedRate: 10.0, Planned: 50, Requests: 50, Admitted: 50, Duration: 5 * time.Second},
		{Name: "at", Kind: "at", RequestedRate: 20, AchievedRate: 19.9, Planned: 100, Requests: 100, Admitted: 100, Duration: 5 * time.Second},
		{Name: "over", Kind: "over", RequestedRate: 40, AchievedRate: 39.8, Planned: 400, Requests: 130, Admitted: 65, Limited: 65, Duration: 10 * time.Second},
		{Name: "pause", Kind: "pause", Duration: 2 * time.Second},
		{Name: "recovery", Kind: "recovery", RequestedRate: 5, Planned: 15, Duration: 3 * time.Second},
	}
	s := metrics.Snapshot{
		Elapsed:  elapsed,
		Requests: 280,
		Errors:   1,
		Statuses: map[int]int64{200: 214, 0: 1, 429: 65},
		Latency: metrics.LatencySummary{Min: 310 * time.Microsecond, Mean: 2 * time.Millisecond,
			P50: 1200 * time.Microsecond, P90: 3400 * time.Microsecond, P99: 12 * time.Millisecond, Max: 141 * time.Millisecond},
		Phases: phases,
		Recent: recent(secs + 1),
	}
	if done {
		s.Requests = 565
		s.Statuses = map[int]int64{200: 363, 429: 200, 503: 1, 0: 1}
		phases[2].Requests, phases[2].Admitted, phases[2].Limited = 400, 200, 200
		phases[4].Requests, phases[4].Admitted, phases[4].AchievedRate = 15, 15, 5.0
		s.Recent = recent(25)
	}
	return s
}

func runningFrame() Frame {
	return Frame{
		Scenario: "copilot",
		Target:   "http://127.0.0.1:41234",
		Tested:   "per-second: 20 per 1s per key (any)",
		Phases:   testPhases,
		Limits:   testLimits,
		Current:  2,
		Elapsed:  13*time.Second + 250*time.Millisecond,
		Total:    25 * time.Second,
		Metrics:  snapshot(13*time.Second+250*time.Millisecond, false),
		Checks:   checks(false, false),
		Judged:   2, // under and at
		Notes:    []string{"built-in target: demo key generated"},
	}
}

func donePassFrame() Frame {
	f := runningFrame()
	f.Current, f.Elapsed, f.Done, f.Verdict = -1, 25*time.Second+30*time.Millisecond, true, check.Pass
	f.Metrics = snapshot(f.Elapsed, true)
	f.Checks = checks(true, false)
	return f
}

func doneFailFrame() Frame {
	f := donePassFrame()
	f.Verdict = check.Fail
	f.Checks = checks(true, true)
	return f
}

// runningFailFrame is the run while it goes, once the judging so far has
// found the over-admission: a provisional failure with its first evidence.
func runningFailFrame() Frame {
	f := runningFrame()
	f.Checks = checks(false, true)
	return f
}

// remainingSnapshot is what the run's X-RateLimit-Remaining said per second,
// up to second upto-1: 20 less the second's admissions, but 12 in second 3
// (where 10 were admitted) and nothing read in the pause.
func remainingSnapshot(upto int) *metrics.RemainingSnapshot {
	rs := &metrics.RemainingSnapshot{Key: "primary"}
	for _, c := range recent(upto) {
		s := metrics.RemainingSecond{Second: c.Second, Admitted: c.Admitted, InWindow: c.Admitted}
		if c.Admitted+c.Limited > 0 {
			s.Lowest, s.Reported = max(20-c.Admitted, 0), true
		}
		if c.Second == 3 {
			s.Lowest = 12
		}
		rs.Seconds = append(rs.Seconds, s)
	}
	return rs
}

// withRemaining is f for a scenario that promises X-RateLimit-Remaining for
// its per-second limit.
func withRemaining(f Frame) Frame {
	f.Remaining = &RemainingInfo{Header: "X-RateLimit-Remaining", Limit: testLimits[0]}
	f.Metrics.Remaining = remainingSnapshot(len(f.Metrics.Recent))
	return f
}

// contractFrame is the fixture run followed by a plan's contract phases (as
// copilot's: counted calls around requests without a key and with a wrong
// one, then a quota test), the run in its over phase, and the checks of
// those phases skipping as a judging in the middle of a run says: nothing
// of theirs answered yet.
func contractFrame() Frame {
	f := runningFrame()
	f.Phases = slices.Clone(testPhases)
	start := 25 * time.Second
	for _, kind := range []string{"pause", "counted", "no-key", "bad-key", "counted", "pause", "quota"} {
		d := 50 * time.Millisecond
		if kind == "pause" {
			d = time.Second
		}
		f.Phases = append(f.Phases, PhaseInfo{Name: kind, Kind: kind, Start: start, Duration: d})
		start += d
	}
	f.Total = start
	f.Checks = append(slices.Clone(f.Checks),
		check.Result{ID: check.LimitPerKey, Limit: "per-second", Status: check.Skip,
			Message: "limit \"per-second\" is not per key"},
		check.Result{ID: check.AuthMissingKey, Limit: "per-second", Status: check.Skip,
			Message: "no request without a key was answered"},
		check.Result{ID: check.AuthInvalidKey, Limit: "per-second", Status: check.Skip,
			Message: "no request with a wrong key was answered"},
		check.Result{ID: check.AuthNotCounted, Limit: "per-second", Status: check.Skip,
			Message: "no attempt proved anything: attempt 1: not answered"},
		check.Result{ID: check.QuotaEnforced, Limit: "monthly", Status: check.Skip,
			Message: "quota monthly: the run sent none of its quota test"},
	)
	return f
}
