package scenarios

import "strings"

// headersFields are the fields of the headers section.
var headersFields = []string{
	"convention", "limit", "remaining", "reset", "reset_format",
	"retry_after", "describes", "accuracy", "staleness", "on_errors",
}

// conventions, resetFormats and accuracies are the words the headers section
// may use, as listed in messages.
var (
	conventions  = []string{"none", "x-ratelimit", "ratelimit", "structured"}
	resetFormats = []string{"auto", "delta-seconds", "epoch-seconds", "epoch-millis", "http-date", "rfc3339"}
	accuracies   = []string{"exact", "approximate"}
)

// conventionNames are the default Limit, Remaining and Reset header names.
var conventionNames = map[Convention][3]string{
	ConventionXRateLimit: {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"},
	ConventionDraft:      {"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"},
}

// headers reads what the API promises about rate-limit response headers and
// fills the defaults: convention none, reset format auto (delta-seconds for the
// ratelimit and structured conventions), on_errors true, describes the first limit.
func (d *decoder) headers(top *fields, limits []Limit) Headers {
	h := Headers{Convention: ConventionNone, ResetFormat: ResetAuto, OnErrors: true}
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
	c, ok := f.enum("convention", "a header convention", string(ConventionNone), conventions)
	h.Convention = Convention(c)
	if !ok {
		return h
	}
	d.conventionFields(f, &h)
	h.RetryAfter = f.bool("retry_after", false)
	h.OnErrors = f.bool("on_errors", true)
	d.describes(f, &h, limits)
	d.accuracy(f, &h)
	return h
}

// conventionFields reads the header names and reset format, which depend on the convention.
func (d *decoder) conventionFields(f *fields, h *Headers) {
	switch h.Convention {
	case ConventionNone:
		d.notWith(f, "with convention none (want convention x-ratelimit, ratelimit or structured)",
			"limit", "remaining", "reset", "reset_format", "describes", "accuracy", "staleness", "on_errors")
		return
	case ConventionStructured:
		h.ResetFormat = ResetDeltaSeconds
		d.notWith(f, "with convention structured (it reads the RateLimit and RateLimit-Policy fields)",
			"limit", "remaining", "reset", "reset_format")
		return
	case ConventionDraft:
		h.ResetFormat = ResetDeltaSeconds
	}
	names := conventionNames[h.Convention]
	h.Limit = d.headerField(f, "limit", names[0])
	h.Remaining = d.headerField(f, "remaining", names[1])
	h.Reset = d.headerField(f, "reset", names[2])
	if h.Limit == "" && h.Remaining == "" && h.Reset == "" {
		d.errorf(f.node, f.path, "every header name is empty (want convention none when the API sends no rate-limit headers)")
	}
	if rf, ok := f.enum("reset_format", "a reset format", string(h.ResetFormat), resetFormats); ok {
		h.ResetFormat = ResetFormat(rf)
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
