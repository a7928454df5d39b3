package scenarios

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ratecheck/ratecheck/headers"
)

// headersFields are the fields of the headers section.
var headersFields = []string{
	"convention", "limit", "remaining", "reset", "reset_format",
	"retry_after", "describes", "accuracy", "staleness", "on_errors",
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
	h.Limit = d.headerField(f, "limit", names.Limit)
	h.Remaining = d.headerField(f, "remaining", names.Remaining)
	h.Reset = d.headerField(f, "reset", names.Reset)
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

// headerField reads a header name: absent gives the convention's name, "" means
// the API does not send that header.
func (d *decoder) headerField(f *fields, key, def string) string {
	if !f.has(key) {
		return def
	}
	s, ok := f.str(key)
	if ok && s != "" && !headerName.MatchString(s) {
		d.errorf(f.value(key), f.at(key), "%q is not a header name (want e.g. %s)", s, def)
	}
	return s
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
