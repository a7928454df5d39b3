package scenarios

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// limitFields are the fields of one limit.
var limitFields = []string{
	"name", "requests", "plans", "window", "scope", "algorithm",
	"burst", "recovery", "endpoints", "exclude",
}

// algorithms and scopes are the words a limit may use, as listed in messages.
var (
	algorithms = []string{"any", "fixed-window", "sliding-window", "token-bucket", "gcra", "leaky-bucket"}
	scopes     = []string{"key", "ip", "global"}
)

// bucket reports whether the algorithm has a burst capacity of its own.
func bucket(a Algorithm) bool {
	return a == AlgoTokenBucket || a == AlgoGCRA || a == AlgoLeakyBucket
}

// limits reads the promised limits; names must be unique.
func (d *decoder) limits(top *fields, sc *Scenario) []Limit {
	n := top.value("limits")
	if n == nil {
		top.missing("limits", "a list of limits, each with name, requests and window")
		return nil
	}
	items, ok := d.list(n, "limits")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		d.errorf(n, "limits", "no limits (want at least one, with name, requests and window)")
	}
	var ls []Limit
	seen := map[string]*yaml.Node{}
	for i, it := range items {
		l, f, ok := d.limit(it, index("limits", i), sc)
		if !ok {
			continue
		}
		if prev := seen[l.Name]; prev != nil {
			d.errorf(f.value("name"), f.at("name"), "duplicate limit name %q (first at line %d)", l.Name, prev.Line)
			continue
		}
		if l.Name != "" {
			seen[l.Name] = f.value("name")
		}
		ls = append(ls, l)
	}
	return ls
}

// limit reads one limit and fills its defaults.
func (d *decoder) limit(n *yaml.Node, path string, sc *Scenario) (Limit, *fields, bool) {
	f, ok := d.mapping(n, path, limitFields)
	if !ok {
		return Limit{}, nil, false
	}
	l := Limit{Pos: d.pos(n)}
	l.Name, _ = f.required("name", "a name such as per-second")
	d.quota(f, &l, sc.Plan)
	if w, ok := f.duration("window"); ok {
		l.Window = w
	} else if !f.has("window") {
		f.missing("window", "a duration such as 1s, 1m, day or month")
	}
	l.Scope = d.scope(f, sc.Auth)
	a, _ := f.enum("algorithm", "an algorithm", string(AlgoAny), algorithms)
	l.Algorithm = Algorithm(a)
	d.burst(f, &l)
	l.Recovery = l.Window
	if r, ok := f.duration("recovery"); ok {
		l.Recovery = r
	}
	l.Endpoints = d.endpointRefs(f, "endpoints", sc.Endpoints)
	l.Exclude = d.endpointRefs(f, "exclude", sc.Endpoints)
	if len(sc.Endpoints) > 0 && !countsAny(l, sc.Endpoints) {
		d.errorf(n, path, "counts no endpoint (every endpoint it names is excluded)")
	}
	return l, f, true
}

// countsAny reports whether the limit counts at least one of the endpoints.
func countsAny(l Limit, eps []Endpoint) bool {
	for _, e := range eps {
		if l.Counts(e.Name) {
			return true
		}
	}
	return false
}

// scope reads what the limit counts per: key by default when there is auth, else global.
func (d *decoder) scope(f *fields, auth Auth) Scope {
	def := ScopeGlobal
	if hasAuth(auth) {
		def = ScopeKey
	}
	s, ok := f.enum("scope", "a scope", string(def), scopes)
	if ok && Scope(s) == ScopeKey && !hasAuth(auth) {
		d.errorf(f.value("scope"), f.at("scope"), "scope key needs an auth section with keys (want ip or global for an API without keys)")
	}
	return Scope(s)
}

// burst reads the bucket capacity: only bucket algorithms have one, and a
// limit of algorithm any that declares one is some bucket; it defaults to
// Requests.
func (d *decoder) burst(f *fields, l *Limit) {
	l.Burst = l.Requests
	if !f.has("burst") {
		return
	}
	b, ok := f.int("burst")
	switch {
	case !ok:
	case !bucket(l.Algorithm) && l.Algorithm != AlgoAny && l.Algorithm != "":
		d.errorf(f.value("burst"), f.at("burst"), "burst applies only to token-bucket, gcra, leaky-bucket and any (then judged as some bucket); algorithm is %s", l.Algorithm)
	case b < 1:
		d.errorf(f.value("burst"), f.at("burst"), "burst %d admits nothing (want at least 1)", b)
	default:
		l.Burst, l.BurstDeclared = b, true
	}
}

// endpointRefs reads a list of endpoint names, each of which must exist.
func (d *decoder) endpointRefs(f *fields, key string, eps []Endpoint) []string {
	names, nodes := f.names(key)
	var out []string
	for i, name := range names {
		if !hasEndpoint(eps, name) {
			d.errorf(nodes[i], index(f.at(key), i), "%q is not an endpoint (want one of: %s)", name, strings.Join(endpointNames(eps), ", "))
			continue
		}
		out = append(out, name)
	}
	return out
}

// hasEndpoint reports whether an endpoint has the name.
func hasEndpoint(eps []Endpoint, name string) bool {
	for _, e := range eps {
		if e.Name == name {
			return true
		}
	}
	return false
}

// hasAuth reports whether the file has an auth section (even a faulty one).
func hasAuth(a Auth) bool { return a.Header != "" || a.Pos.Line > 0 }
