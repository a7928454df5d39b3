package scenarios

// PhaseKind says what a phase is for; checks judge each kind differently.
type PhaseKind string

// The phase kinds of a derived plan.
const (
	PhaseUnder    PhaseKind = "under"    // below the limit: nothing may be rejected
	PhaseAt       PhaseKind = "at"       // at the limit
	PhaseOver     PhaseKind = "over"     // above the limit: the excess must be rejected
	PhaseProbe    PhaseKind = "probe"    // right after over: polls finely to time when the limit lifts
	PhasePause    PhaseKind = "pause"    // no traffic, lets the window pass
	PhaseRecovery PhaseKind = "recovery" // after the pause: requests must succeed again

	// The contract phases follow the phases above and test one promise each
	// (see package plan). The checks of the tested limit's model and
	// headers never see them.
	PhaseExhaust     PhaseKind = "exhaust"      // one client drives the tested limit past its budget at once
	PhaseOtherKey    PhaseKind = "other-key"    // right after: another key, well under its own budget
	PhaseOtherSource PhaseKind = "other-source" // right after: another source address, well under its own budget
	PhaseConfirm     PhaseKind = "confirm"      // right after: the first client again, still over its budget
	PhaseCounted     PhaseKind = "counted"      // calls the tested limit counts, on a fresh budget
	PhaseExcluded    PhaseKind = "excluded"     // calls to an endpoint the tested limit does not count
	PhaseQuota       PhaseKind = "quota"        // one burst past what a quota has left (see plan.QuotaTest)
	PhaseNoKey       PhaseKind = "no-key"       // requests without the API key (see package plan)
	PhaseBadKey      PhaseKind = "bad-key"      // requests with a wrong key, made up for the run
	PhaseNoScope     PhaseKind = "no-scope"     // requests with a key that lacks the endpoint's scope
)

// Contract reports whether phases of kind k test a promise other than the
// tested limit's rate (isolation, uncounted endpoints, auth): their requests
// are judged only by the checks of that promise.
func (k PhaseKind) Contract() bool {
	switch k {
	case PhaseExhaust, PhaseOtherKey, PhaseOtherSource, PhaseConfirm, PhaseCounted, PhaseExcluded, PhaseQuota:
		return true
	}
	return k.Auth()
}

// ContractStretch is the name the displays give a run of consecutive
// contract phases (see Stretches).
const ContractStretch = "contract"

// Stretches groups phases for display, given their kinds in plan order:
// the contract phases (short bursts that test isolation, uncounted
// endpoints, auth and quotas: 20 of the 27 phases of copilot's derived plan)
// with the pauses before and between them form one stretch per unbroken
// run, every other phase is one of its own. It returns the index ranges
// [from, to), in order, covering every phase.
func Stretches(kinds []PhaseKind) [][2]int {
	// inContract: a contract phase, or a pause that leads to one.
	inContract := func(i int) bool {
		for ; i < len(kinds) && kinds[i] == PhasePause; i++ {
		}
		return i < len(kinds) && kinds[i].Contract()
	}
	var out [][2]int
	for i := 0; i < len(kinds); {
		j := i + 1
		if inContract(i) {
			for j < len(kinds) && inContract(j) {
				j++
			}
		}
		out = append(out, [2]int{i, j})
		i = j
	}
	return out
}

// Auth reports whether phases of kind k send requests whose key the API must
// refuse: none, a wrong one, or one without the endpoint's scope. The attack
// reads it to send no key (PhaseNoKey) or a made-up one (PhaseBadKey); their
// answers' bodies are judged by body.error-format too.
func (k PhaseKind) Auth() bool {
	switch k {
	case PhaseNoKey, PhaseBadKey, PhaseNoScope:
		return true
	}
	return false
}
