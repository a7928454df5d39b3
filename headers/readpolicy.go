package headers

import "time"

// structured reads the RateLimit and RateLimit-Policy fields and picks the
// service limit and policy the Spec asks for.
func (r *reader) structured() {
	var limits []Limit
	var policies []Policy
	if key, v, ok := r.get(fieldRateLimit); ok {
		var err error
		limits, err = ParseRateLimit(v)
		r.record(key, err)
	}
	if key, v, ok := r.get(fieldPolicy); ok {
		var err error
		policies, err = ParsePolicy(v)
		r.record(key, err)
	}
	want := r.spec.Policy
	if want == "" && r.spec.Window > 0 {
		if p, ok := pickPolicy(policies, "", r.spec.Window); ok && p.Window == r.spec.Window {
			want = p.Name
		}
	}
	lim, haveLim := pickLimit(limits, want)
	if want == "" && haveLim {
		want = lim.Policy
	}
	pol, havePol := pickPolicy(policies, want, r.spec.Window)
	r.missingPolicy(limits, policies, haveLim || havePol)
	if haveLim {
		r.useLimit(lim)
	}
	if havePol {
		r.c.Limit, r.c.HasLimit, r.c.Window = pol.Quota, true, pol.Window
		r.c.Policy = pol.Name
	}
}

// useLimit takes the values of a service limit into the claim.
func (r *reader) useLimit(l Limit) {
	r.c.Policy = l.Policy
	r.c.Remaining, r.c.HasRemaining = l.Remaining, l.HasRemaining
	if l.HasReset {
		r.c.Reset, r.c.HasReset = r.at.Add(l.Reset), true
		r.c.ResetFormat = ResetDeltaSeconds
	}
	if l.HasQuota {
		r.c.Limit, r.c.HasLimit = l.Quota, true
	}
}

// missingPolicy reports a named policy that neither field has, when the fields
// were readable.
func (r *reader) missingPolicy(limits []Limit, policies []Policy, found bool) {
	if r.spec.Policy == "" || found || (limits == nil && policies == nil) {
		return
	}
	field := fieldRateLimit
	if limits == nil {
		field = fieldPolicy
	}
	key, v, _ := lookup(r.c.Raw, field)
	r.errs = append(r.errs, &Error{Header: key, Value: v, Reason: "has no policy " + quote(r.spec.Policy)})
}

// pickPolicy returns the policy named name; without a name, the one with the
// window, else the first.
func pickPolicy(ps []Policy, name string, window time.Duration) (Policy, bool) {
	for _, p := range ps {
		if name != "" && p.Name == name || name == "" && window > 0 && p.Window == window {
			return p, true
		}
	}
	if name == "" && len(ps) > 0 {
		return ps[0], true
	}
	return Policy{}, false
}

// pickLimit returns the service limit under the named policy, or the first.
func pickLimit(ls []Limit, name string) (Limit, bool) {
	for _, l := range ls {
		if name == "" || l.Policy == name {
			return l, true
		}
	}
	return Limit{}, false
}

// draftWindow takes the window from a RateLimit-Policy field or from a policy
// list in the Limit header, as early drafts sent them: the policy whose quota is
// the stated limit, else the only policy with a window.
func (r *reader) draftWindow(limitName string) {
	if key, v, ok := r.get(fieldPolicy); ok {
		ps, err := ParsePolicy(v)
		r.record(key, err)
		r.c.Window = windowOf(ps, r.c.Limit, r.c.HasLimit)
	}
	if r.c.Window == 0 && r.c.HasLimit {
		if _, v, ok := lookup(r.h, limitName); ok {
			ps, _ := ParsePolicy(v) // a plain count is no list of policies
			r.c.Window = windowOf(ps, r.c.Limit, true)
		}
	}
}

func windowOf(ps []Policy, limit int64, hasLimit bool) time.Duration {
	var only time.Duration
	n := 0
	for _, p := range ps {
		if p.Window == 0 {
			continue
		}
		if hasLimit && p.Quota == limit {
			return p.Window
		}
		only, n = p.Window, n+1
	}
	if n == 1 {
		return only
	}
	return 0
}
