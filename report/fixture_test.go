package report_test

import (
	"time"

	"github.com/ratecheck/ratecheck/conformance"
	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/report"
	"github.com/ratecheck/ratecheck/results/metrics"
)

// start is the fixed start time of the synthetic runs.
var start = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

// nasty is text that must be escaped in every format.
const nasty = `<script>alert("x")</script> & 'quotes' | pipe *star* _under_ [link](javascript:x)`

// failingReport is a fixed run of the Copilot scenario against a target that
// over-admits: two failed checks with evidence, passes and skips.
func failingReport() *report.Report {
	return &report.Report{
		SchemaVersion: report.SchemaVersion,
		RunID:         "20250301T100000Z-ab12cd",
		Tool:          "ratecheck v0.1.0-test",
		Scenario: report.ScenarioInfo{
			Name:   "copilot",
			File:   "scenarios/copilot.yaml",
			Source: "seeds/000_39ffa575775ab4fa.txt",
			Plan:   "starter",
			Tested: "per-second",
		},
		Target:   "https://api.copilot.example/v1",
		Started:  start,
		Finished: start.Add(12*time.Second + 345*time.Millisecond),
		Verdict:  check.Fail,
		Fingerprint: &conformance.Fingerprint{Family: "fixed window", Params: "21 per 1s", Explained: 223, Judged: 224, Ambiguous: 1,
			Summary: "fixed window, 21 per 1s: explains 223 of 224 decisions; 1 ambiguous"},
		Recovery: &conformance.Recovery{Limit: "per-second", Lifts: 3, Wait: 612 * time.Millisecond, Precision: 7 * time.Millisecond,
			LeastWait: 598 * time.Millisecond, LiftedAt: start.Add(6 * time.Second), LiftPrecision: 6 * time.Millisecond,
			Promised: time.Second, Phase: "probe",
			Summary: "lifted 0.612 s ± 7 ms after the first rejection of its streak (the longest of 3 lifts timed, in the probe phase; promised 1s)"},
		Checks: []check.Result{
			{ID: check.LimitNoEarlyReject, Limit: "per-second", Status: check.Pass,
				Message: "no 429 in 20 requests sent under the limit"},
			{ID: check.LimitEnforced, Limit: "per-second", Status: check.Fail,
				Message: "admitted 23 requests in a 1 s window; the limit is 20. " + nasty,
				Evidence: &check.Evidence{
					Expected: "at most 20 admitted in any 1 s window & then 429",
					Requests: []check.RequestEvidence{
						evidence(21, 2*time.Second+512*time.Millisecond, 200, "admitted #21 in window starting +2.000s",
							map[string]string{"X-RateLimit-Limit": "20", "X-RateLimit-Remaining": "0"}),
						evidence(22, 2*time.Second+537*time.Millisecond, 200, "admitted #22 <b>bold</b>", nil),
						evidence(23, 2*time.Second+561*time.Millisecond, 200, "admitted #23",
							map[string]string{"Retry-After": "1"}),
					},
					Omitted: 17,
				}},
			{ID: check.LimitStatus, Limit: "per-second", Status: check.Pass,
				Message: "all 97 limited requests got 429"},
			{ID: check.HeadersReset, Limit: "per-second", Status: check.Skip,
				Message: "the scenario declares no reset header"},
			{ID: check.HeadersRetryAfter, Limit: "per-second", Status: check.Fail,
				Message: "429 without Retry-After",
				Evidence: &check.Evidence{
					Expected: "Retry-After on every 429, at least the real wait",
					Requests: []check.RequestEvidence{
						evidence(24, 2*time.Second+590*time.Millisecond, 429, "no Retry-After", map[string]string{"X-RateLimit-Remaining": "0"}),
					},
				}},
			{ID: "quota.monthly", Limit: "monthly", Status: check.Skip,
				Message: "monthly quota not tested: it would take 2,000 requests"},
		},
		Phases: []metrics.PhaseSnapshot{
			{Name: "warmup", Kind: "under", RequestedRate: 10, AchievedRate: 9.98, Planned: 20, Requests: 20,
				Admitted: 20, Duration: 2 * time.Second,
				Latency: metrics.LatencySummary{Min: 812 * time.Microsecond, Mean: 1200 * time.Microsecond, P50: 1100 * time.Microsecond, P90: 1500 * time.Microsecond, P99: 2 * time.Millisecond, Max: 2100 * time.Microsecond}},
			{Name: "burst", Kind: "over", RequestedRate: 40, AchievedRate: 39.61, Planned: 200, Requests: 198,
				Admitted: 100, Limited: 97, Other: 1, Duration: 5 * time.Second,
				SendLag: metrics.LatencySummary{P50: 40 * time.Microsecond, P99: 1250 * time.Microsecond, Max: 31 * time.Millisecond},
				Latency: metrics.LatencySummary{Min: 900 * time.Microsecond, Mean: 4 * time.Millisecond, P50: 3 * time.Millisecond, P90: 9 * time.Millisecond, P99: 12345678, Max: 48 * time.Millisecond}},
			{Name: "pause", Kind: "pause", Duration: 1 * time.Second},
			{Name: "recovery", Kind: "recovery", RequestedRate: 2, AchievedRate: 2, Planned: 4, Requests: 4,
				Admitted: 4, Duration: 2 * time.Second},
		},
		Waits: []metrics.WaitPoint{
			{Seq: 41, Offset: 2500 * time.Millisecond, RetryAfter: time.Second, HasRetryAfter: true, Reset: 800 * time.Millisecond, HasReset: true, Measured: 612 * time.Millisecond, Recovered: true},
			{Seq: 90, Offset: 3600 * time.Millisecond, RetryAfter: time.Second, HasRetryAfter: true, Measured: 1400 * time.Millisecond, Recovered: true},
			{Seq: 150, Offset: 6 * time.Second, RetryAfter: time.Second, HasRetryAfter: true},
		},
		Requests: 224,
		Statuses: map[int]int64{200: 126, 429: 97, 503: 1},
		Latency: metrics.LatencySummary{Min: 812 * time.Microsecond, Mean: 3456789, P50: 2999999,
			P90: 6 * time.Millisecond, P99: 12345678, Max: 40 * time.Millisecond},
		Limits: []report.LimitInfo{
			{Name: "per-second", Requests: 20, WindowMS: 1000, Tested: true},
			{Name: "monthly", Requests: 2000, WindowMS: 30 * 24 * 3600 * 1000},
		},
		Charges: []report.Charge{
			{Limit: "per-second", Requests: 224, Budget: 20, Tested: true},
			{Limit: "monthly", Requests: 224, Budget: 2000, Note: "every request counts against the monthly quota"},
		},
		Timeline: []metrics.SecondCounts{
			{Second: 0, Admitted: 10}, {Second: 1, Admitted: 10},
			{Second: 2, Admitted: 23, Limited: 17}, {Second: 3, Admitted: 20, Limited: 20},
			{Second: 4, Admitted: 20, Limited: 20, Other: 1}, {Second: 5, Admitted: 20, Limited: 20},
			{Second: 6, Admitted: 17, Limited: 20},
			{Second: 8, Admitted: 2}, {Second: 9, Admitted: 2},
		},
		Notes: []string{"the target answered one 503 during the burst", nasty},
	}
}

// passingReport is a fixed, all-pass run against the built-in target.
func passingReport() *report.Report {
	return &report.Report{
		SchemaVersion: report.SchemaVersion,
		RunID:         "20250301T100000Z-ef34gh",
		Tool:          "ratecheck v0.1.0-test",
		Scenario:      report.ScenarioInfo{Name: "copilot", File: "scenarios/copilot.yaml", Tested: "per-second"},
		Target:        "http://127.0.0.1:41234",
		BuiltinTarget: true,
		Started:       start,
		Finished:      start.Add(4 * time.Second),
		Verdict:       check.Pass,
		Checks: []check.Result{
			{ID: check.LimitEnforced, Limit: "per-second", Status: check.Pass, Message: "never more than 20 admitted per window"},
			{ID: check.TimingOnset, Limit: "per-second", Status: check.Pass, Message: "first 429 at request 21"},
			{ID: check.BodyErrorFormat, Status: check.Skip, Message: "no error shape declared"},
		},
		Phases: []metrics.PhaseSnapshot{
			{Name: "burst", Kind: "over", RequestedRate: 30, AchievedRate: 29.9, Planned: 120, Requests: 90,
				Admitted: 60, Limited: 30, Duration: 4 * time.Second},
		},
		Requests: 90,
		Statuses: map[int]int64{200: 60, 429: 30},
		Latency:  metrics.LatencySummary{Min: time.Millisecond, Mean: 2 * time.Millisecond, P50: 2 * time.Millisecond, P90: 3 * time.Millisecond, P99: 4 * time.Millisecond, Max: 5 * time.Millisecond},
		Charges:  []report.Charge{{Limit: "per-second", Requests: 90, Budget: 20, Tested: true}},
		Timeline: []metrics.SecondCounts{
			{Second: 0, Admitted: 20, Limited: 10}, {Second: 1, Admitted: 20, Limited: 10}, {Second: 2, Admitted: 20, Limited: 10},
		},
		Notes: []string{"demo key generated for the built-in target"},
	}
}

// incompleteReport is passingReport stopped by Ctrl-C: what passed so far is
// skipped, as conformance.Verdict.Conclude makes it.
func incompleteReport() *report.Report {
	r := passingReport()
	r.Interrupted = true
	r.Verdict = check.Incomplete
	r.VerdictReason = "the run was stopped by SIGINT before its plan ended, so only what was sent is judged"
	for i, c := range r.Checks {
		if c.Status == check.Pass {
			r.Checks[i].Status = check.Skip
			r.Checks[i].Message = "not judged to the end, the run stopped before its plan ended (so far: " + c.Message + ")"
		}
	}
	return r
}

// inconclusiveReport is a run against a real API with a wrong key: every
// answer 401, every limit check skipped.
func inconclusiveReport() *report.Report {
	r := failingReport()
	r.Verdict = check.Inconclusive
	r.VerdictReason = "every request got 401 Unauthorized: is COPILOT_API_KEY a valid key?"
	r.Fingerprint, r.Recovery = nil, nil
	r.Checks = []check.Result{
		{ID: check.LimitEnforced, Limit: "per-second", Status: check.Skip, Message: "no request was admitted or limited"},
		{ID: check.BodyErrorFormat, Status: check.Skip, Message: "no error shape declared"},
	}
	r.Statuses = map[int]int64{401: r.Requests}
	for i := range r.Phases {
		p := &r.Phases[i]
		p.Other, p.Admitted, p.Limited = p.Admitted+p.Limited+p.Other, 0, 0
	}
	r.Timeline = []metrics.SecondCounts{}
	return r
}

// evidence is one request of a failure's evidence in the fixed run.
func evidence(seq uint64, offset time.Duration, status int, note string, h map[string]string) check.RequestEvidence {
	return check.RequestEvidence{
		Seq: seq, Phase: "burst", Sent: start.Add(offset), Offset: offset,
		Latency: 2*time.Millisecond + time.Duration(seq)*10*time.Microsecond,
		Status:  status, Headers: h, Note: note,
	}
}

// reports are the fixtures every golden test renders.
var reports = []struct {
	name string
	r    func() *report.Report
}{
	{"failing", failingReport},
	{"passing", passingReport},
	{"incomplete", incompleteReport},
	{"inconclusive", inconclusiveReport},
}
