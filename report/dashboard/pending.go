package dashboard

import (
	"fmt"
	"strings"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/scenarios"
)

// decidedBy names, for the checks judged from some phases only, the kinds of
// the phases whose answers decide them (package plan's contract.go and
// auth.go plan the contract ones). While a run goes, such a check that
// is neither passed nor failed and whose phases have not all run is pending:
// its skip message ("no request without a key was answered") says what the
// run has not done yet, not what the target did. Checks missing here (the
// header and body checks) read every phase, or skip for the scenario's
// sake alone, and keep their messages.
var decidedBy = map[check.ID][]scenarios.PhaseKind{
	check.LimitEnforced:       {scenarios.PhaseAt, scenarios.PhaseOver, scenarios.PhaseProbe},
	check.LimitNoEarlyReject:  {scenarios.PhaseUnder, scenarios.PhaseAt, scenarios.PhaseOver, scenarios.PhaseProbe, scenarios.PhaseRecovery},
	check.LimitStatus:         {scenarios.PhaseAt, scenarios.PhaseOver, scenarios.PhaseProbe},
	check.TimingOnset:         {scenarios.PhaseAt, scenarios.PhaseOver, scenarios.PhaseProbe},
	check.RecoveryAfterWindow: {scenarios.PhaseProbe, scenarios.PhaseRecovery},
	check.LimitPerKey:         {scenarios.PhaseOtherKey},
	check.LimitPerIP:          {scenarios.PhaseOtherSource},
	check.LimitExcluded:       {scenarios.PhaseExcluded},
	check.AuthMissingKey:      {scenarios.PhaseNoKey},
	check.AuthInvalidKey:      {scenarios.PhaseBadKey},
	check.AuthScope:           {scenarios.PhaseNoScope},
	check.AuthNotCounted:      {scenarios.PhaseNoKey, scenarios.PhaseBadKey, scenarios.PhaseNoScope},
	check.QuotaEnforced:       {scenarios.PhaseQuota},
}

// stretch is a run of phases shown as one: [from, to) with its label.
type stretch struct {
	from, to int
	label    string
}

// stretches groups the frame's phases as the phase strip shows them
// (scenarios.Stretches): the contract phases are one "contract" stretch.
func (f Frame) stretches() []stretch {
	kinds := make([]scenarios.PhaseKind, len(f.Phases))
	for i, ph := range f.Phases {
		kinds[i] = scenarios.PhaseKind(ph.Kind)
	}
	var out []stretch
	for _, st := range scenarios.Stretches(kinds) {
		s := stretch{from: st[0], to: st[1], label: f.Phases[st[0]].Name}
		if st[1]-st[0] > 1 {
			s.label = scenarios.ContractStretch
		}
		out = append(out, s)
	}
	return out
}

// pending returns what c waits for, "pending: runs in the contract phases",
// when the run goes on, c has neither passed nor failed (nor points at the
// check that failed its defect), and a stretch holding a phase that decides
// it had not run when the checks were judged (Frame.Judged). It returns ""
// otherwise, and for a check no phase of this plan decides.
func (f Frame) pending(c check.Result) string {
	if f.Done || c.Status == check.Pass || c.Status == check.Fail || c.See != "" {
		return ""
	}
	kinds := decidedBy[c.ID]
	var labels []string
	for _, st := range f.stretches() {
		if st.to <= f.Judged || !f.decides(st, kinds) {
			continue
		}
		if len(labels) == 0 || labels[len(labels)-1] != st.label {
			labels = append(labels, st.label)
		}
	}
	if len(labels) == 0 {
		return ""
	}
	return fmt.Sprintf("pending: runs in the %s %s", andList(labels), plural(len(labels), "phase", "phases", labels[0] == scenarios.ContractStretch))
}

// decides reports whether a phase of stretch st has one of kinds.
func (f Frame) decides(st stretch, kinds []scenarios.PhaseKind) bool {
	for _, ph := range f.Phases[st.from:st.to] {
		for _, k := range kinds {
			if scenarios.PhaseKind(ph.Kind) == k {
				return true
			}
		}
	}
	return false
}

// plural is one or many; a stretch of several phases ("contract") is always
// phases.
func plural(n int, one, many string, stretch bool) string {
	if n == 1 && !stretch {
		return one
	}
	return many
}

// andList joins "a", "a and b", "a, b and c".
func andList(xs []string) string {
	if len(xs) < 2 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}
