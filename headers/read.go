package headers

import (
	"strings"
	"time"
)

// Spec says which headers to read and how. The zero Spec sniffs the convention
// and detects reset formats.
type Spec struct {
	Convention  Convention  // "" or "auto": AutoConvention per response
	Names       Names       // "" names take the convention's defaults
	ResetFormat ResetFormat // "" or "auto": DetectResetFormat per value
	// Window is the window of the limit the headers describe, when known. When a
	// default name is absent it also tries the per-window names (SuffixFor), and
	// with the structured fields it picks the policy with this window.
	Window time.Duration
	// Policy names the structured policy to read ("burst", "daily"); "" takes the
	// one with Window, else the one the first service limit is under. Only the
	// structured convention has named policies.
	Policy string
}

// Claim is what one response says about its rate limit. Each Has field says
// whether the value was present and readable; a value that is absent is not an
// error, since only the checks know whether it was promised.
type Claim struct {
	Convention Convention // the convention read; resolved when Spec said auto

	Limit, Remaining       int64
	HasLimit, HasRemaining bool

	Reset       time.Time // when the server says the limit resets
	HasReset    bool
	ResetFormat ResetFormat // the format Reset was read in (detected when auto)

	RetryAfter    time.Duration // from Retry-After, on any status
	HasRetryAfter bool

	Window time.Duration // the quota window when a policy states it; 0 otherwise
	Policy string        // the structured policy read; "" otherwise

	// Warnings are the values read leniently: readable, but not in their
	// standard form (a Retry-After date in "UTC"). nil when there were none.
	Warnings []*Warning

	// Raw holds every header read, by its name as received, for evidence. It is
	// nil when none was present.
	Raw map[string]string
}

// Read extracts the rate-limit claims from a response's headers h (names in any
// case), received at at. It returns every value it could read and one *Error
// per value it could not; it never fails as a whole.
//
// For the counter conventions (x-ratelimit, x-rate-limit, ratelimit, vendor),
// Limit and Remaining are read with ParseCount, or as Shopify-style "used/limit"
// pairs when the value has a "/" (so a scenario may name the same header for
// both: Remaining is limit minus used, at least 0), and Reset with ParseReset.
// With the ratelimit convention, the window comes from a RateLimit-Policy field
// or a policy list in RateLimit-Limit ("100, 100;w=60"). For the structured
// convention see Spec.Policy. Retry-After is read in every convention. A
// convention Read does not know is read like vendor.
func Read(h map[string]string, s Spec, at time.Time) (Claim, []error) {
	r := reader{h: h, spec: s, at: at}
	r.c.Convention = s.Convention
	if r.c.Convention == "" || r.c.Convention == ConventionAuto {
		r.c.Convention = AutoConvention(h)
	}
	if key, v, ok := r.get(fieldRetryAfter); ok {
		d, w, err := ParseRetryAfter(v, at)
		r.record(key, err)
		r.warn(key, w)
		r.c.RetryAfter, r.c.HasRetryAfter = d, err == nil
	}
	ci := r.c.Convention.info()
	if ci == nil {
		ci = &vendorConvention
	}
	if ci.read != readsNothing {
		r.names = s.Names.resolve(ci.name)
		r.readAs(ci.read)
	}
	return r.c, r.errs
}

// readAs reads the claims of a convention that reads the way w.
func (r *reader) readAs(w readWay) {
	switch w {
	case readsCounters:
		r.counters()
	case readsDraft:
		r.counters()
		r.draftWindow(r.names.Limit)
	case readsStructured:
		r.structured()
	}
}

// reader carries one Read call.
type reader struct {
	h     map[string]string
	spec  Spec
	names Names // spec.Names with the convention's defaults filled in
	at    time.Time
	c     Claim
	errs  []error
}

// get looks a header up and remembers its value in Raw.
func (r *reader) get(name string) (key, value string, ok bool) {
	key, value, ok = lookup(r.h, name)
	if ok {
		if r.c.Raw == nil {
			r.c.Raw = make(map[string]string, 4)
		}
		r.c.Raw[key] = value
	}
	return key, value, ok
}

// record keeps err, named after the header it is about.
func (r *reader) record(header string, err error) {
	if err != nil {
		r.errs = append(r.errs, named(err, header))
	}
}

// warn keeps w, named after the header it is about.
func (r *reader) warn(header string, w *Warning) {
	if w != nil {
		c := *w
		c.Header = header
		r.c.Warnings = append(r.c.Warnings, &c)
	}
}

// counter looks up a counter header: the given name, or when it was a default
// and is absent, its per-window variants.
func (r *reader) counter(name string, given bool) (key, value string, ok bool) {
	if key, value, ok = r.get(name); ok || given || name == "" || r.spec.Names.Suffix != "" {
		return key, value, ok
	}
	for _, sfx := range SuffixFor(r.spec.Window) {
		if key, value, ok = r.get(name + "-" + sfx); ok {
			return key, value, ok
		}
	}
	return "", "", false
}

func (r *reader) counters() {
	given, names := r.spec.Names, r.names
	if key, v, ok := r.counter(names.Limit, given.Limit != ""); ok {
		n, err := readLimit(v)
		r.record(key, err)
		r.c.Limit, r.c.HasLimit = n, err == nil
	}
	if key, v, ok := r.counter(names.Remaining, given.Remaining != ""); ok {
		n, err := readRemaining(v)
		r.record(key, err)
		r.c.Remaining, r.c.HasRemaining = n, err == nil
	}
	if key, v, ok := r.counter(names.Reset, given.Reset != ""); ok {
		t, f, w, err := ParseReset(v, r.spec.ResetFormat, r.at)
		r.record(key, err)
		r.warn(key, w)
		r.c.Reset, r.c.ResetFormat, r.c.HasReset = t, f, err == nil
	}
}

// readLimit reads a count, or the limit of a "used/limit" pair.
func readLimit(v string) (int64, error) {
	if strings.Contains(v, "/") {
		_, limit, err := ParseUsedOfLimit(v)
		return limit, err
	}
	return ParseCount(v)
}

// readRemaining reads a count, or what is left of a "used/limit" pair.
func readRemaining(v string) (int64, error) {
	if strings.Contains(v, "/") {
		used, limit, err := ParseUsedOfLimit(v)
		return max(0, limit-used), err
	}
	return ParseCount(v)
}

// The structured fields and Retry-After, in canonical form (the form in which
// observations record them, so the common lookup hits the map directly).
const (
	fieldRateLimit  = "Ratelimit"
	fieldPolicy     = "Ratelimit-Policy"
	fieldRetryAfter = "Retry-After"
)
