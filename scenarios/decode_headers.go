package scenarios

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ratecheck/ratecheck/headers"
)

// headersFields are the fields of the headers section.
var headersFields = []string{
	"convention", "limit", "remaining", "reset", "reset_format",
	"retry_after", "describes", "accuracy", "staleness", "on_errors", "ignore",
}

// conventions, resetFormats and accuracies are the words the headers section
// may use, as listed in messages. The first two come from package headers,
// which owns the conventions and reset formats.
var (
	conventions  = words(headers.Declarable())
	resetFormats = words(headers.DeclarableResetFormats())
	accuracies   = []string{"exact", "approximate"}
)

// words returns the names as strings.
func words[S ~string](names []S) []string {
	ws := make([]string, len(names))
	for i, n := range names {
		ws[i] = string(n)
	}
	return ws
}

// headers reads what the API promises about rate-limit response headers and
// fills the defaults: convention none, reset format auto (delta-seconds for the
// ratelimit and structured conventions), on_errors true, describes the first limit.
func (d *decoder) headers(top *fields, limits []Limit) Headers {
	h := Headers{Convention: headers.ConventionNone, ResetFormat: headers.ResetAuto, OnErrors: true}
	if len(limits) > 0 {
		h.Describes = limits[0].Name
	}
	n := top.value("headers")
	if n == nil {
		return h
	}
	f, ok := d.mapping(n, "headers", headersFields)
	if !ok {
		return h
	}
	h.Pos = d.pos(n)
	c, ok := f.enum("convention", "a header convention", string(headers.ConventionNone), conventions)
	h.Convention = headers.Convention(c)
	if !ok {
		return h
	}
	d.conventionFields(f, &h)
	d.retryAfter(f, &h)
	d.ignore(f, &h)
	h.OnErrors = f.bool("on_errors", true)
	d.describes(f, &h, limits)
	d.accuracy(f, &h)
	return h
}

// conventionFields reads the header names and reset format, which depend on the convention.
func (d *decoder) conventionFields(f *fields, h *Headers) {
	c := h.Convention
	h.ResetFormat = c.DefaultResetFormat()
	switch {
	case c == headers.ConventionNone:
		d.notWith(f, "with convention none (want convention "+orList(conventions[1:])+")",
			"limit", "remaining", "reset", "reset_format", "describes", "accuracy", "staleness", "on_errors")
		return
	case !c.HasCounters():
		d.notWith(f, "with convention "+string(c)+" (it reads the "+strings.Join(c.Fields(), " and ")+" fields)",
			"limit", "remaining", "reset", "reset_format")
		return
	}
	names := c.DefaultNames()
	declared := map[string]string{} // canonical name → the field that names it
	h.Limit = d.headerField(f, "limit", names.Limit, h, declared)
	h.Remaining = d.headerField(f, "remaining", names.Remaining, h, declared)
	h.Reset = d.headerField(f, "reset", names.Reset, h, declared)
	if h.Limit == "" && h.Remaining == "" && h.Reset == "" {
		d.errorf(f.node, f.path, "every header name is empty (want convention none when the API sends no rate-limit headers)")
	}
	if rf, ok := f.enum("reset_format", "a reset format", string(h.ResetFormat), resetFormats); ok {
		h.ResetFormat = headers.ResetFormat(rf)
	}
}

// orList writes "a, b or c".
func orList(ws []string) string {
	if len(ws) < 2 {
		return strings.Join(ws, "")
	}
	return strings.Join(ws[:len(ws)-1], ", ") + " or " + ws[len(ws)-1]
}

// retryAfter reads whether Retry-After is promised, and in which form:
// true (either form), false, or one of headers.RetryAfterFormats.
func (d *decoder) retryAfter(f *fields, h *Headers) {
	n := f.value("retry_after")
	if n == nil {
		return
	}
	if b, ok := boolValue(n); ok {
		h.RetryAfter = b
	} else {
		words := append([]string{"true", "false"}, words(headers.RetryAfterFormats())...)
		w, ok := d.enum(n, f.at("retry_after"), "true, false or a Retry-After format", words)
		if !ok {
			return
		}
		h.RetryAfter = w != "false"
		if h.RetryAfter && w != "true" {
			h.RetryAfterFormat = headers.RetryAfterFormat(w)
		}
	}
	if h.RetryAfter && h.RetryAfterFormat == "" {
		h.RetryAfterFormat = headers.RetryAfterEither
	}
}

// notWith reports each present field that means nothing with the convention.
func (d *decoder) notWith(f *fields, why string, keys ...string) {
	for _, k := range keys {
		if f.has(k) {
			d.errorf(f.keys[k], f.at(k), "has no effect %s", why)
		}
	}
}

// headerField reads a header name: absent gives the convention's name, ""
// means the API does not send that header, and a list gives the name first
// and then its aliases, which go into h.Aliases. declared collects every name
// read, so that one name cannot serve two roles.
func (d *decoder) headerField(f *fields, key, def string, h *Headers, declared map[string]string) string {
	n := f.value(key)
	if n == nil {
		return def
	}
	if n = resolve(n); n != nil && n.Kind == yaml.SequenceNode {
		return d.headerList(n, f.at(key), key, def, h, declared)
	}
	s, ok := f.str(key)
	if ok && s != "" && d.headerNameAt(f.value(key), f.at(key), s, def) {
		d.declare(f.value(key), f.at(key), key, s, declared)
	}
	return s
}

// headerList reads a list of names for one header: the first is its name,
// the others aliases a server may send it under.
func (d *decoder) headerList(n *yaml.Node, path, key, def string, h *Headers, declared map[string]string) string {
	items, _ := d.list(n, path)
	if len(items) == 0 {
		d.errorf(n, path, "empty list (want the header's name, or its names: [%s, …])", def)
		return ""
	}
	var first string
	for i, it := range items {
		at := index(path, i)
		s, ok := d.scalar(it, at, "a header name")
		if s = strings.TrimSpace(s); !ok || !d.headerNameAt(it, at, s, def) || !d.declare(it, at, key, s, declared) {
			continue
		}
		if i == 0 {
			first = s
			continue
		}
		if h.Aliases == nil {
			h.Aliases = map[string]string{}
		}
		h.Aliases[headers.Canonical(s)] = headers.Canonical(first)
	}
	return first
}

// headerNameAt reports whether s is a header name, else says where it is not.
func (d *decoder) headerNameAt(n *yaml.Node, path, s, example string) bool {
	if headerName.MatchString(s) {
		return true
	}
	if example == "" {
		example = "X-RateLimit-Remaining"
	}
	d.errorf(n, path, "%q is not a header name (want e.g. %s)", s, example)
	return false
}

// declare records that field key names header s, and reports an error when
// another field (or an earlier item of the same list) already names it.
func (d *decoder) declare(n *yaml.Node, path, key, s string, declared map[string]string) bool {
	c := headers.Canonical(s)
	if other, dup := declared[c]; dup {
		d.errorf(n, path, "%s is already named by %s (a header can serve one role, once)", s, other)
		return false
	}
	declared[c] = key
	return true
}

// ignore reads the headers that are neither recorded nor read. A header the
// scenario promises cannot be ignored too.
func (d *decoder) ignore(f *fields, h *Headers) {
	names, nodes := f.names("ignore")
	promised := map[string]string{}
	for role, name := range map[string]string{"limit": h.Limit, "remaining": h.Remaining, "reset": h.Reset} {
		if name != "" {
			promised[headers.Canonical(name)] = role
		}
	}
	for alias, name := range h.Aliases {
		promised[alias] = promised[name]
	}
	if h.RetryAfter {
		promised["Retry-After"] = "retry_after"
	}
	seen := map[string]bool{}
	for i, s := range names {
		at := index(f.at("ignore"), i)
		c := headers.Canonical(s)
		switch role, isPromised := promised[c]; {
		case !d.headerNameAt(nodes[i], at, s, "X-RateLimit-Policy-Id"):
		case isPromised:
			d.errorf(nodes[i], at, "%s is promised (%s), so it cannot be ignored too", s, role)
		case seen[c]:
			d.errorf(nodes[i], at, "%s is listed twice", s)
		default:
			seen[c] = true
			h.Ignore = append(h.Ignore, c)
		}
	}
}

// describes reads which limit the headers report.
func (d *decoder) describes(f *fields, h *Headers, limits []Limit) {
	s, ok := f.str("describes")
	if !ok || s == "" {
		return
	}
	for _, l := range limits {
		if l.Name == s {
			h.Describes = s
			return
		}
	}
	d.errorf(f.value("describes"), f.at("describes"), "%q is not a limit (want one of: %s)", s, strings.Join(limitNames(limits), ", "))
}

// accuracy reads whether Remaining is exact, and how stale an approximate one may be.
func (d *decoder) accuracy(f *fields, h *Headers) {
	a, ok := f.enum("accuracy", "an accuracy", "exact", accuracies)
	h.Approximate = a == "approximate"
	st, stOK := f.duration("staleness")
	switch {
	case !ok:
	case h.Approximate && !f.has("staleness"):
		f.missing("staleness", "how stale an approximate Remaining may be, e.g. 60s")
	case !h.Approximate && f.has("staleness"):
		d.errorf(f.keys["staleness"], f.at("staleness"), "staleness applies only with accuracy: approximate")
	case stOK:
		h.Staleness = st
	}
}

// boolValue returns n's value when it is a YAML boolean.
func boolValue(n *yaml.Node) (bool, bool) {
	var b bool
	if r := resolve(n); r.Kind == yaml.ScalarNode && r.Tag == "!!bool" && r.Decode(&b) == nil {
		return b, true
	}
	return false, false
}
