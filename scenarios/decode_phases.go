package scenarios

import (
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// phaseFields and runFields are the fields of one phase and of the run section.
var (
	phaseFields = []string{"name", "kind", "rate", "limit", "duration", "endpoint", "key"}
	runFields   = []string{"connections", "timeout", "max_duration"}
	phaseKinds  = []string{"under", "at", "over", "probe", "pause", "recovery"}
)

// maxConnections bounds run.connections.
const maxConnections = 10_000

// phases reads explicitly written phases. A phase's name defaults to its kind;
// names must be unique.
func (d *decoder) phases(top *fields, sc *Scenario) []PhaseSpec {
	n := top.value("phases")
	if n == nil {
		return nil
	}
	items, ok := d.list(n, "phases")
	if !ok {
		return nil
	}
	var out []PhaseSpec
	seen := map[string]*yaml.Node{}
	for i, it := range items {
		path := index("phases", i)
		ph, ok := d.phase(it, path, sc)
		if !ok {
			continue
		}
		if prev := seen[ph.Name]; prev != nil {
			d.errorf(it, path, "duplicate phase name %q (first at line %d; give each phase its own name)", ph.Name, prev.Line)
		}
		seen[ph.Name] = it
		out = append(out, ph)
	}
	d.maxLast(items, out)
	return out
}

// maxLast checks that a `rate: max` phase is the last phase that sends: its
// request count is not known in advance, so no phase after it could be
// numbered.
func (d *decoder) maxLast(items []*yaml.Node, phases []PhaseSpec) {
	for i, ph := range phases[:max(len(phases)-1, 0)] {
		if !ph.Rate.Max {
			continue
		}
		for _, later := range phases[i+1:] {
			if later.Kind != PhasePause {
				d.errorf(items[i], index("phases", i), "rate max sends as many requests as it can, so it must be the last phase that sends (phase %q comes after it)", later.Name)
				break
			}
		}
	}
}

// phase reads one phase and checks its references.
func (d *decoder) phase(n *yaml.Node, path string, sc *Scenario) (PhaseSpec, bool) {
	f, ok := d.mapping(n, path, phaseFields)
	if !ok {
		return PhaseSpec{}, false
	}
	ph := PhaseSpec{Pos: d.pos(n)}
	if k, ok := f.enum("kind", "a phase kind", "", phaseKinds); ok && k == "" {
		f.missing("kind", "one of: "+strings.Join(phaseKinds, ", "))
	} else {
		ph.Kind = PhaseKind(k)
	}
	ph.Name, _ = f.str("name")
	if ph.Name == "" {
		ph.Name = string(ph.Kind)
	}
	d.phaseRate(f, &ph, sc.Limits)
	if dur, ok := f.duration("duration"); ok {
		ph.Duration = dur
	} else if !f.has("duration") {
		f.missing("duration", "how long the phase lasts, e.g. 10s")
	}
	ph.Endpoint = d.ref(f, "endpoint", "an endpoint", endpointNames(sc.Endpoints))
	ph.Key = d.ref(f, "key", "a key", keyIDs(sc.Auth.Keys))
	return ph, true
}

// phaseRate reads the rate and the limit a multiple refers to. A pause has no
// rate; every other kind needs one.
func (d *decoder) phaseRate(f *fields, ph *PhaseSpec, limits []Limit) {
	switch {
	case ph.Kind == PhasePause && f.has("rate"):
		d.errorf(f.keys["rate"], f.at("rate"), "a pause sends nothing, so it has no rate (remove rate)")
		return
	case ph.Kind == PhasePause:
		return
	case !f.has("rate"):
		if ph.Kind != "" {
			f.missing("rate", "a multiple of the limit such as 2x, or an absolute rate such as 40/s")
		}
		return
	}
	n := f.value("rate")
	s, ok := f.d.scalar(n, f.at("rate"), "a rate")
	if !ok {
		return
	}
	r, ok := parseRate(s)
	switch {
	case !ok && (resolve(n).Tag == "!!int" || resolve(n).Tag == "!!float"):
		d.errorf(n, f.at("rate"), "%s has no unit (want e.g. %s/s, or a multiple of the limit such as 2x)", s, s)
		return
	case !ok:
		d.errorf(n, f.at("rate"), "%s is not a rate (want a multiple of the limit such as 2x or 0.5x, or an absolute rate such as 40/s, 100/m, 5/h)", describeScalar(n, s))
		return
	}
	ph.Rate = r
	d.rateLimit(f, ph, limits)
}

// rateLimit reads `limit:`, which names the limit a multiple refers to; the
// limit must have a rate (not be unlimited on the active plan).
func (d *decoder) rateLimit(f *fields, ph *PhaseSpec, limits []Limit) {
	if ph.Rate.Multiple == 0 {
		if f.has("limit") {
			d.errorf(f.keys["limit"], f.at("limit"), "limit applies only to a multiple rate such as 2x")
		}
		return
	}
	name, _ := f.str("limit")
	if name == "" {
		if !anyFinite(limits) {
			d.errorf(f.value("rate"), f.at("rate"), "a multiple needs a limit with a rate, and every limit is unlimited (want an absolute rate such as 40/s)")
		}
		return
	}
	ph.Rate.Limit = name
	for _, l := range limits {
		if l.Name != name {
			continue
		}
		if l.Unlimited {
			d.errorf(f.value("limit"), f.at("limit"), "limit %q is unlimited on this plan, so %gx of it is no rate (want an absolute rate such as 40/s)", name, ph.Rate.Multiple)
		}
		return
	}
	d.errorf(f.value("limit"), f.at("limit"), "%q is not a limit (want one of: %s)", name, strings.Join(limitNames(limits), ", "))
}

// ref reads an optional name that must be one of names.
func (d *decoder) ref(f *fields, key, what string, names []string) string {
	s, ok := f.str(key)
	if !ok || s == "" {
		return ""
	}
	switch {
	case contains(names, s):
	case len(names) == 0:
		d.errorf(f.value(key), f.at(key), "%q is not %s: the scenario defines none", s, what)
	default:
		d.errorf(f.value(key), f.at(key), "%q is not %s (want one of: %s)", s, what, strings.Join(names, ", "))
	}
	return s
}

// run reads the run settings and fills their defaults.
func (d *decoder) run(top *fields) RunOptions {
	r := RunOptions{Connections: 32, Timeout: 10 * time.Second, MaxDuration: 5 * time.Minute}
	n := top.value("run")
	if n == nil {
		return r
	}
	f, ok := d.mapping(n, "run", runFields)
	if !ok {
		return r
	}
	switch c, ok := f.int("connections"); {
	case !ok:
	case c < 1:
		d.errorf(f.value("connections"), f.at("connections"), "%d connections cannot send anything (want at least 1)", c)
	case c > maxConnections:
		d.errorf(f.value("connections"), f.at("connections"), "%d connections is more than one machine can hold open (want at most %d)", c, maxConnections)
	default:
		r.Connections = int(c)
	}
	if t, ok := f.duration("timeout"); ok {
		r.Timeout = t
	}
	if m, ok := f.duration("max_duration"); ok {
		r.MaxDuration = m
	}
	return r
}

// anyFinite reports whether some limit has a rate on the active plan.
func anyFinite(limits []Limit) bool {
	for _, l := range limits {
		if !l.Unlimited {
			return true
		}
	}
	return false
}

// limitNames lists limit names, for messages.
func limitNames(limits []Limit) []string {
	names := make([]string, len(limits))
	for i, l := range limits {
		names[i] = l.Name
	}
	return names
}

// keyIDs lists key ids, for messages.
func keyIDs(keys []Key) []string {
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = k.ID
	}
	return ids
}
