package report

import (
	"sort"
	"strconv"
	"strings"

	"github.com/ratecheck/ratecheck/conformance"
	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/results/metrics"
)

// view is a Report with every value already formatted for people. The HTML and
// Markdown templates only lay it out; all arithmetic and wording lives here.
type view struct {
	Title       string
	Target      string // the target judged: a URL, or the built-in reference target on one
	Tool        string
	RunID       string
	Verdict     verdictView
	Reason      string // why the verdict, one sentence; "" for reports that have none
	Summary     string // "1 failed, 8 passed, 1 skipped (10 checks)"
	Interrupted bool
	Facts       []fact
	Checks      []checkView // failing checks first
	Phases      []phaseView
	Totals      totalsView
	Charges     []chargeView
	Notes       []string
	Timeline    *chart        // nil when the run has no answers to draw
	Use         *useChart     // nil when no limit has a window of useMinWindow or more
	Latency     *latencyChart // nil when no phase recorded a latency
	Waits       *waitChart    // nil when no 429 said when to come back
}

// verdictView is the run's verdict as a banner shows it.
type verdictView struct {
	Label string // PASS, FAIL, or the raw status upper-cased
	Class string // pass, fail or unknown
}

// fact is one line of the report header.
type fact struct {
	Key   string // stable name for styling and tests: "target", "plan", ...
	Name  string
	Value string
}

// checkView is one check result, formatted.
type checkView struct {
	ID       string
	Limit    string
	Status   string // pass, fail, skip
	Label    string // PASS, FAIL, SKIP
	Message  string
	Evidence *evidenceView
}

// evidenceView is the proof of a failure, formatted.
type evidenceView struct {
	Summary  string // "3 requests, +12 more"
	Expected string
	Requests []requestView
	More     string // "+3 more", "" when nothing was omitted
}

// requestView is one request of the evidence, formatted.
type requestView struct {
	Anchor  string // id of its row, linked from its mark on the timeline; "" unless it proves a failure
	Seq     string
	Phase   string
	Offset  string
	Latency string
	Status  string
	Headers []string
	Note    string
}

// phaseView is one phase's row.
type phaseView struct {
	Name, Kind                 string
	Requested, Achieved, Ratio string
	Planned, Sent              string
	Admitted, Limited, Other   string
	Lag                        string // send lag against the schedule: p50 / p99 / max in ms
	Short                      bool   // fewer requests sent than planned
}

// totalsView holds the run's totals.
type totalsView struct {
	Requests string
	Statuses []statusCount
	Latency  []latencyCell
}

// statusCount is one HTTP status and how often it was answered.
type statusCount struct {
	Status string
	Count  string
}

// latencyCell is one latency statistic in milliseconds.
type latencyCell struct {
	Name  string
	Value string
}

// chargeView is one limit's budget charge.
type chargeView struct {
	Limit    string
	Requests string
	Budget   string
	Share    string // requests ÷ budget, "6.0%", for untested limits with a budget
	Tested   string
	Note     string
}

// newView formats r for the templates.
func newView(r *Report) *view {
	pass, fail, skip := r.Counts()
	v := &view{
		Title:       titleOf(r),
		Target:      results.TargetName(r.Target, r.BuiltinTarget),
		Tool:        r.Tool,
		RunID:       r.RunID,
		Verdict:     verdictOf(r.Verdict),
		Reason:      r.VerdictReason,
		Summary:     summaryOf(pass, fail, skip),
		Interrupted: r.Interrupted,
		Facts:       factsOf(r),
		Checks:      checksOf(r.Checks),
		Phases:      phasesOf(r.Phases),
		Totals:      totalsOf(r),
		Charges:     chargesOf(r.Charges),
		Notes:       r.Notes,
		Timeline:    newContractChart(r.Timeline, r.Phases, r.Limits, violations(r.Checks)),
		Use:         newUseChart(r.Timeline, r.Phases, r.Limits),
		Latency:     newLatencyChart(r.Phases, r.Latency),
		Waits:       newWaitChart(r.Waits),
	}
	return v
}

// titleOf names the run's scenario, or says it has no name.
func titleOf(r *Report) string {
	if r.Scenario.Name != "" {
		return r.Scenario.Name
	}
	return "unnamed scenario"
}

// verdictOf turns the run's status into a banner label and class.
func verdictOf(s check.Status) verdictView {
	switch s {
	case check.Pass:
		return verdictView{Label: "PASS", Class: "pass"}
	case check.Fail:
		return verdictView{Label: "FAIL", Class: "fail"}
	case "":
		return verdictView{Label: "NO VERDICT", Class: "unknown"}
	}
	return verdictView{Label: strings.ToUpper(string(s)), Class: "unknown"}
}

// summaryOf counts checks in words.
func summaryOf(pass, fail, skip int) string {
	return strconv.Itoa(fail) + " failed, " + strconv.Itoa(pass) + " passed, " +
		strconv.Itoa(skip) + " skipped (" + strconv.Itoa(pass+fail+skip) + " checks)"
}

// factsOf lists the header lines; optional ones are left out when empty.
func factsOf(r *Report) []fact {
	target := results.RedactTarget(r.Target)
	if r.BuiltinTarget {
		target += " (built-in reference target)"
	}
	facts := []fact{
		{"scenario", "Scenario", titleOf(r)},
		{"source", "Source document", r.Scenario.Source},
		{"file", "Scenario file", r.Scenario.File},
		{"plan", "Plan tier", r.Scenario.Plan},
		{"tested", "Tested limit", r.Scenario.Tested},
		{"fingerprint", "Best explanation", fingerprintText(r.Fingerprint)},
		{"recovery", "Measured recovery", recoveryText(r.Recovery)},
		{"target", "Target", target},
		{"started", "Started", fmtTime(r.Started)},
		{"finished", "Finished", fmtTime(r.Finished)},
		{"duration", "Duration", fmtDuration(runDuration(r))},
		{"interrupted", "Interrupted", interruptedText(r.Interrupted)},
		{"verdict", "Verdict", verdictOf(r.Verdict).Label},
	}
	out := facts[:0]
	for _, f := range facts {
		if f.Value != "" {
			out = append(out, f)
		}
	}
	return out
}

// fingerprintText is the one-sentence summary of what the limiter looked like.
func fingerprintText(f *conformance.Fingerprint) string {
	if f == nil {
		return ""
	}
	return f.Summary
}

// recoveryText says how long the limit took to lift, as measured.
func recoveryText(m *conformance.Recovery) string {
	if m == nil {
		return ""
	}
	return m.Summary
}

// interruptedText says whether the run ended early.
func interruptedText(stopped bool) string {
	if stopped {
		return "yes: the run was stopped before its plan ended"
	}
	return "no"
}

// checksOf formats the checks with failures first, keeping the order otherwise.
func checksOf(checks []check.Result) []checkView {
	out := make([]checkView, len(checks))
	for i, c := range checks {
		out[i] = checkView{
			ID:       string(c.ID),
			Limit:    c.Limit,
			Status:   statusClass(c.Status),
			Label:    strings.ToUpper(statusClass(c.Status)),
			Message:  c.Message,
			Evidence: evidenceOf(c.Evidence),
		}
		if c.Status == check.Fail && out[i].Evidence != nil {
			for j := range out[i].Evidence.Requests {
				out[i].Evidence.Requests[j].Anchor = evidenceAnchor(i, c.Evidence.Requests[j].Seq)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].Status == "fail" && out[j].Status != "fail"
	})
	return out
}

// evidenceAnchor is the id of the evidence row of request seq of check i.
func evidenceAnchor(i int, seq uint64) string {
	return "ev-" + strconv.Itoa(i) + "-" + strconv.FormatUint(seq, 10)
}

// violations are the requests of every failing check's evidence, to mark on
// the timeline.
func violations(checks []check.Result) []violation {
	var out []violation
	for i, c := range checks {
		if c.Status != check.Fail || c.Evidence == nil {
			continue
		}
		for _, rq := range c.Evidence.Requests {
			title := "#" + strconv.FormatUint(rq.Seq, 10) + " " + string(c.ID)
			if rq.Note != "" {
				title += ": " + rq.Note
			}
			out = append(out, violation{Offset: rq.Offset, Title: title, Anchor: evidenceAnchor(i, rq.Seq)})
		}
	}
	return out
}

// statusClass maps a check status to pass, fail or skip (anything unknown).
func statusClass(s check.Status) string {
	switch s {
	case check.Pass:
		return "pass"
	case check.Fail:
		return "fail"
	}
	return "skip"
}

// evidenceOf formats a check's evidence; nil stays nil.
func evidenceOf(e *check.Evidence) *evidenceView {
	if e == nil {
		return nil
	}
	ev := &evidenceView{Expected: e.Expected}
	for _, rq := range e.Requests {
		ev.Requests = append(ev.Requests, requestView{
			Seq:     strconv.FormatUint(rq.Seq, 10),
			Phase:   rq.Phase,
			Offset:  fmtOffset(rq.Offset),
			Latency: fmtLatency(rq.Latency),
			Status:  fmtCode(rq.Status),
			Headers: fmtHeaders(rq.Headers),
			Note:    rq.Note,
		})
	}
	ev.Summary = plural(len(e.Requests), "request")
	if e.Omitted > 0 {
		ev.More = "+" + fmtCount(int64(e.Omitted)) + " more"
		ev.Summary += ", " + ev.More
	}
	return ev
}

// phasesOf formats the phase table.
func phasesOf(phases []metrics.PhaseSnapshot) []phaseView {
	out := make([]phaseView, len(phases))
	for i, p := range phases {
		out[i] = phaseView{
			Name:      p.Name,
			Kind:      p.Kind,
			Requested: fmtRate(p.RequestedRate),
			Achieved:  fmtRate(p.AchievedRate),
			Ratio:     fmtRatio(p.AchievedRate, p.RequestedRate),
			Planned:   fmtCount(p.Planned),
			Sent:      fmtCount(p.Requests),
			Admitted:  fmtCount(p.Admitted),
			Limited:   fmtCount(p.Limited),
			Other:     fmtCount(p.Other),
			Lag:       fmtLag(p),
			Short:     p.Requests < p.Planned,
		}
	}
	return out
}

// fmtLag shows how late a phase's requests went out against its schedule, as
// "p50 / p99 / max" in milliseconds; "-" for a phase that sent nothing.
func fmtLag(p metrics.PhaseSnapshot) string {
	if p.Requests == 0 || p.RequestedRate <= 0 {
		return "-"
	}
	l := p.SendLag
	return fmtMillis(l.P50) + " / " + fmtMillis(l.P99) + " / " + fmtMillis(l.Max)
}

// totalsOf formats the request count, status counts (by code) and latency.
func totalsOf(r *Report) totalsView {
	codes := make([]int, 0, len(r.Statuses))
	for c := range r.Statuses {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	t := totalsView{Requests: fmtCount(r.Requests)}
	for _, c := range codes {
		t.Statuses = append(t.Statuses, statusCount{fmtStatus(c), fmtCount(r.Statuses[c])})
	}
	l := r.Latency
	t.Latency = []latencyCell{
		{"min", fmtMillis(l.Min)}, {"mean", fmtMillis(l.Mean)}, {"p50", fmtMillis(l.P50)},
		{"p90", fmtMillis(l.P90)}, {"p99", fmtMillis(l.P99)}, {"max", fmtMillis(l.Max)},
	}
	return t
}

// chargesOf formats what the run cost each limit's budget.
func chargesOf(charges []Charge) []chargeView {
	out := make([]chargeView, len(charges))
	for i, c := range charges {
		budget, share := fmtCount(c.Budget), ""
		if c.Unlimited {
			budget = "unlimited"
		} else if c.Budget > 0 && !c.Tested {
			// The tested limit is pushed past its budget on purpose; the share
			// matters for the others, whose budget (a daily quota, say) the run spends.
			share = fmtRatio(float64(c.Requests), float64(c.Budget))
		}
		out[i] = chargeView{
			Limit:    c.Limit,
			Requests: fmtCount(c.Requests),
			Budget:   budget,
			Share:    share,
			Tested:   fmtBool(c.Tested),
			Note:     c.Note,
		}
	}
	return out
}

// plural is "1 request", "3 requests".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmtCount(int64(n)) + " " + noun + "s"
}
