package reftarget

import (
	"errors"
	"fmt"
	"strings"
)

// FaultKind is a realistic bug the target can be told to have. Each changes only
// what its name says, and never routing.
type FaultKind string

// The faults the target can inject.
const (
	OffByOne       FaultKind = "off-by-one"      // admits one request more per window (bucket: capacity+1)
	EarlyReject    FaultKind = "early-reject"    // rejects two requests early (limit−2 per window; bucket: capacity−2)
	SlowRecovery   FaultKind = "slow-recovery"   // recovery takes twice as long as promised
	WrongRemaining FaultKind = "wrong-remaining" // the Remaining header is one more than the truth
	MissingHeaders FaultKind = "missing-headers" // no rate-limit headers at all
	Status503      FaultKind = "status-503"      // limited requests get 503 instead of 429
	NoRetryAfter   FaultKind = "no-retry-after"  // 429 without Retry-After even when promised

	SharedBudget          FaultKind = "shared-budget"          // per-key limits: every key shares one budget
	PerIPAsGlobal         FaultKind = "per-ip-as-global"       // per-IP limits: every address shares one budget
	CountsExcluded        FaultKind = "counts-excluded"        // excluded endpoints are counted (and limited)
	CountsUnauthenticated FaultKind = "counts-unauthenticated" // requests refused 401/403 are charged to the limits
	WrongScopeStatus      FaultKind = "wrong-scope-status"     // a key lacking the endpoint's scope gets 401, not 403
	WrongErrorShape       FaultKind = "wrong-error-shape"      // 401, 403 and 429 bodies are plain text, not the declared shape
	QuotaOffByOne         FaultKind = "quota-off-by-one"       // quotas (windows of an hour or more) admit one request more
)

var faultDescriptions = []struct {
	kind FaultKind
	desc string
}{
	{OffByOne, "admits limit+1 requests per window (bucket families: capacity+1)"},
	{EarlyReject, "rejects two requests early: limit-2 per window (bucket families: capacity-2)"},
	{SlowRecovery, "recovery takes twice as long as promised (a 2x recovery penalty box after the limit trips)"},
	{WrongRemaining, "the Remaining header is one more than the truth"},
	{MissingHeaders, "sends no rate-limit headers at all"},
	{Status503, "limited requests get 503 Service Unavailable (same body, same headers) instead of 429"},
	{NoRetryAfter, "429 responses lack Retry-After even when the scenario promises it"},
	{SharedBudget, "per-key limits count every key against one shared budget"},
	{PerIPAsGlobal, "per-IP limits count every source address against one shared budget"},
	{CountsExcluded, "endpoints a limit excludes are counted (and limited) by it"},
	{CountsUnauthenticated, "requests refused with 401 or 403 are charged to the limits (to the key they name if valid, else to the first key)"},
	{WrongScopeStatus, "a key lacking the endpoint's scope gets 401 instead of 403"},
	{WrongErrorShape, "401, 403 and 429 bodies are plain text instead of the declared JSON shape"},
	{QuotaOffByOne, "quotas (windows of an hour or more) admit one request more per window"},
}

// Faults returns every fault, in a stable order, for help texts.
func Faults() []FaultKind {
	out := make([]FaultKind, len(faultDescriptions))
	for i, f := range faultDescriptions {
		out[i] = f.kind
	}
	return out
}

// Description returns a one-line description of the fault, "" for an unknown one.
func (f FaultKind) Description() string {
	for _, d := range faultDescriptions {
		if d.kind == f {
			return d.desc
		}
	}
	return ""
}

// String returns the fault's name, as ParseFault reads it.
func (f FaultKind) String() string { return string(f) }

// ErrUnknownFault is wrapped by ParseFault's error for a name it does not know.
var ErrUnknownFault = errors.New("unknown fault")

// ParseFault returns the fault named name (as listed by Faults).
func ParseFault(name string) (FaultKind, error) {
	if f := FaultKind(name); f.Description() != "" {
		return f, nil
	}
	names := make([]string, len(faultDescriptions))
	for i, d := range faultDescriptions {
		names[i] = string(d.kind)
	}
	return "", fmt.Errorf("reftarget: parse fault %q (want one of: %s): %w",
		name, strings.Join(names, ", "), ErrUnknownFault)
}

// faultSet is a set of faults, one bit each in the order of faultDescriptions.
type faultSet uint16

func (s faultSet) has(f FaultKind) bool {
	for i, d := range faultDescriptions {
		if d.kind == f {
			return s&(1<<i) != 0
		}
	}
	return false
}

func (s *faultSet) add(f FaultKind) {
	for i, d := range faultDescriptions {
		if d.kind == f {
			*s |= 1 << i
		}
	}
}
