package scenarios

import "slices"

// SpareKeyID is the id of the second key WithSpareKey adds.
const SpareKeyID = "second"

// WithoutKeys is sc without the keys with the given ids (optional keys whose
// variables are unset), which move to Auth.LeftOut, or sc itself when it has
// none of them. The first key is never removed.
func (sc *Scenario) WithoutKeys(ids ...string) *Scenario {
	if len(ids) == 0 {
		return sc
	}
	out := *sc
	out.Auth.Keys, out.Auth.LeftOut = nil, slices.Clip(sc.Auth.LeftOut)
	for i, k := range sc.Auth.Keys {
		if i == 0 || !slices.Contains(ids, k.ID) {
			out.Auth.Keys = append(out.Auth.Keys, k)
		} else {
			out.Auth.LeftOut = append(out.Auth.LeftOut, k)
		}
	}
	if len(out.Auth.Keys) == len(sc.Auth.Keys) {
		return sc
	}
	return &out
}

// WithSpareKey returns a copy of sc with a second key, holding the first's
// scopes, when sc has auth and only one key: the built-in target serves keys
// of its own making, so a run on it can show that a per-key limit keeps keys
// apart even when the scenario declares one key. Otherwise sc itself.
func (sc *Scenario) WithSpareKey() *Scenario {
	if sc.Auth.Header == "" || len(sc.Auth.Keys) != 1 {
		return sc
	}
	out := *sc
	first := sc.Auth.Keys[0]
	out.Auth.Keys = []Key{first, {ID: SpareKeyID, Scopes: first.Scopes, Pos: first.Pos}}
	return &out
}
