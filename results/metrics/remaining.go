package metrics

import (
	"strings"
	"time"

	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/results"
)

// RemainingSpec says which Remaining header to follow for the live view: how
// to read it, and the limit it describes (Requests per Window). Counts says
// which endpoints that limit counts (nil: all); PerKey follows one key (the
// first seen) rather than every request, since a per-key limit keeps one
// Remaining per key.
type RemainingSpec struct {
	Headers  headers.Spec
	Requests int64
	Window   time.Duration
	Counts   func(endpoint string) bool
	PerKey   bool
}

// RemainingSecond is one second of the run as the followed Remaining saw it:
// the lowest Remaining the target reported in answers to requests sent that
// second, and the requests the limit admitted in the Window up to the end of
// that second (seconds before the run count as nothing admitted).
type RemainingSecond struct {
	Second   int
	Lowest   int64 // valid when Reported
	Reported bool
	Admitted int64 // admitted in that second alone
	InWindow int64 // admitted in the Window ending with that second
}

// RemainingSnapshot is the followed Remaining over the last seconds, oldest
// first, one entry per second, as Snapshot.Recent; Key is the key followed
// ("" when the limit is not per key, or before any answer counted).
type RemainingSnapshot struct {
	Key     string
	Seconds []RemainingSecond
}

// remaining follows one series' Remaining per second of the run. Seconds are
// kept as the timeline keeps them, bounded by its limit.
type remaining struct {
	spec    RemainingSpec
	key     string
	keyed   bool // key is set
	secs    []remSecond
	limit   int // seconds at or past limit are not kept
	winSecs int // the window in whole seconds, at least 1
}

type remSecond struct {
	lowest   int64
	reported bool
	admitted int64
}

func newRemaining(spec RemainingSpec, limit int) *remaining {
	w := int((spec.Window + time.Second - 1) / time.Second)
	return &remaining{spec: spec, limit: limit, winSecs: max(w, 1)}
}

// add takes o, sent sec seconds into the run.
func (r *remaining) add(sec int, o results.Observation) {
	sec = max(sec, 0)
	if sec >= r.limit || (r.spec.Counts != nil && !r.spec.Counts(o.Endpoint)) || !(o.Admitted() || o.Limited()) {
		return
	}
	if r.spec.PerKey {
		if !r.keyed {
			r.key, r.keyed = o.KeyID, true
		}
		if o.KeyID != r.key {
			return
		}
	}
	for len(r.secs) <= sec {
		r.secs = append(r.secs, remSecond{})
	}
	s := &r.secs[sec]
	if o.Admitted() {
		s.admitted++
	}
	if n, ok := r.read(o); ok && (!s.reported || n < s.lowest) {
		s.lowest, s.reported = n, true
	}
}

// read is o's Remaining as headers.Read reads it with the spec. With a named
// counter header (the vendor reading, which the counter conventions resolve
// to) it looks that one header up and parses it as Read does, without the
// rest of Read's work (about 15 times cheaper: no map of raw values per
// answer); TestRemainingReadAgreesWithHeadersRead holds the two together.
func (r *remaining) read(o results.Observation) (int64, bool) {
	hs := r.spec.Headers
	if hs.Convention != headers.ConventionVendor || hs.Names.Remaining == "" || hs.Names.Suffix != "" {
		c, _ := headers.Read(o.Headers, hs, o.Received())
		return c.Remaining, c.HasRemaining
	}
	v, ok := header(o.Headers, hs.Names.Remaining)
	if !ok {
		return 0, false
	}
	var n int64
	var err error
	if strings.Contains(v, "/") {
		var used, limit int64
		used, limit, err = headers.ParseUsedOfLimit(v)
		n = max(0, limit-used)
	} else {
		n, err = headers.ParseCount(v)
	}
	return n, err == nil
}

// header is h's value of name, in any case.
func header(h map[string]string, name string) (string, bool) {
	if v, ok := h[name]; ok {
		return v, true
	}
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

// snapshot is the last recentSeconds seconds up to second now.
func (r *remaining) snapshot(now int) *RemainingSnapshot {
	now = max(now, 0)
	from := max(now-recentSeconds+1, 0)
	out := &RemainingSnapshot{Key: r.key, Seconds: make([]RemainingSecond, 0, now-from+1)}
	var in int64 // admitted in (s-winSecs, s], for s = from-1 first
	for s := max(from-r.winSecs, 0); s < from; s++ {
		in += r.at(s).admitted
	}
	for s := from; s <= now; s++ {
		c := r.at(s)
		in += c.admitted - r.at(s-r.winSecs).admitted
		out.Seconds = append(out.Seconds, RemainingSecond{Second: s, Lowest: c.lowest, Reported: c.reported, Admitted: c.admitted, InWindow: in})
	}
	return out
}

// at is second s, zero outside the seconds seen.
func (r *remaining) at(s int) remSecond {
	if s < 0 || s >= len(r.secs) {
		return remSecond{}
	}
	return r.secs[s]
}
