// Package merge puts the run directories of a sharded run (`ratecheck run
// --shard i/N`, one per sender) onto one timeline, so that they are judged as
// the one run they together sent.
//
// The shards ran on machines whose clocks may disagree. Each shard recorded
// the Date header of every response: the target stamped it, on its own clock,
// somewhere between the request's send time and its arrival, both on the
// shard's clock. A response stamped second D therefore bounds the shard's
// offset from the target's clock to (D − arrival, D + 1 s − send]; the
// intersection over a run's responses is usually a few milliseconds wide.
// Each shard's times are moved by its estimated offset (relative to the first
// shard's clock), and every request's send time and latency are widened by
// the estimate's uncertainty, so that a decision that could go either way
// within it is judged ambiguous, never a violation.
package merge

import (
	"bytes"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"slices"
	"time"

	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
)

// Shard is one shard's run directory and where the merge placed it.
type Shard struct {
	Run   *results.Run
	Shard plan.Shard
	// Requests is how many observations the shard recorded; Span is from its
	// first send to its last arrival.
	Requests int64
	Span     time.Duration
	// Offset is added to the shard's times to put them on the merged
	// timeline; Uncertainty is how far the truth may lie either side of it.
	// Both are zero for the reference shard, whose clock is the timeline's.
	Offset, Uncertainty time.Duration
	// Server is the shard's estimated offset from the target's clock and its
	// half-width; Dated counts the responses that bounded it. Estimated is
	// false when no bound could be had, and Why says why.
	Server, ServerHalf time.Duration
	Dated              int
	Estimated          bool
	Why                string
}

// Rate is the shard's achieved rate over its span, in requests per second.
func (s Shard) Rate() float64 {
	if s.Span <= 0 {
		return 0
	}
	return float64(s.Requests) / s.Span.Seconds()
}

// Merged is a sharded run's directories, opened and aligned.
type Merged struct {
	Shards   []Shard
	Meta     results.Meta // the whole run's: earliest start, latest end, interrupted if any shard was
	Scenario []byte
	// Missing names the shards of the run whose directories were not given.
	Missing []string
	ref     int // index in Shards of the shard whose clock is the timeline's
}

// Open reads the shards' run directories, checks that they are parts of one
// sharded run of one scenario, and estimates their clock offsets.
func Open(dirs []string) (*Merged, error) {
	if len(dirs) < 2 {
		return nil, errors.New("merge: give at least two shard directories")
	}
	m := &Merged{}
	seen := map[int]string{}
	count := 0
	for _, dir := range dirs {
		run, err := results.Open(dir)
		if err != nil {
			return nil, err
		}
		s, err := plan.ParseShard(run.Meta.Shard)
		if run.Meta.Shard == "" || err != nil {
			return nil, fmt.Errorf("merge: %s is not a shard of a sharded run (its meta.json has no shard i/N); judge it alone", dir)
		}
		switch {
		case m.Scenario == nil:
			m.Scenario, count = run.Scenario, s.Count
		case !bytes.Equal(run.Scenario, m.Scenario):
			return nil, fmt.Errorf("merge: %s ran another scenario than %s: shards of one run share their scenario file", dir, dirs[0])
		case s.Count != count:
			return nil, fmt.Errorf("merge: %s is shard %s, but %s belongs to a run of %d shards", dir, run.Meta.Shard, dirs[0], count)
		}
		if prev, dup := seen[s.Index]; dup {
			return nil, fmt.Errorf("merge: %s and %s are both shard %s", prev, dir, run.Meta.Shard)
		}
		seen[s.Index] = dir
		m.Shards = append(m.Shards, Shard{Run: run, Shard: s})
	}
	slices.SortFunc(m.Shards, func(a, b Shard) int { return a.Shard.Index - b.Shard.Index })
	for i := range count {
		if _, ok := seen[i]; !ok {
			m.Missing = append(m.Missing, plan.Shard{Index: i, Count: count}.String())
		}
	}
	for i := range m.Shards {
		if err := m.Shards[i].survey(); err != nil {
			return nil, err
		}
	}
	m.align()
	m.Meta = m.meta()
	return m, nil
}

// survey reads a shard's observations once: its size, span and the bounds
// its Date headers put on its clock's offset from the target's.
func (s *Shard) survey() error {
	lo, hi := time.Duration(-1<<63), time.Duration(1<<63-1)
	var first, last time.Time
	for o, err := range s.Run.Observations() {
		if err != nil {
			return err
		}
		s.Requests++
		if first.IsZero() || o.Sent.Before(first) {
			first = o.Sent
		}
		if r := o.Received(); r.After(last) {
			last = r
		}
		v, ok := o.Header("Date")
		if !ok || o.Status == 0 {
			continue
		}
		d, err := http.ParseTime(v)
		if err != nil {
			continue
		}
		s.Dated++
		lo = max(lo, d.Sub(o.Received()))
		hi = min(hi, d.Add(time.Second).Sub(o.Sent))
	}
	s.Span = last.Sub(first)
	switch {
	case s.Dated == 0:
		s.Why = "no response carried a Date header"
	case lo > hi:
		s.Why = fmt.Sprintf("the target's Date headers contradict each other by %s (several servers with their own clocks?)", (lo - hi).Round(time.Millisecond))
	default:
		s.Estimated = true
		s.Server, s.ServerHalf = lo+(hi-lo)/2, (hi-lo)/2
	}
	return nil
}

// align places every shard on the clock of the shard whose offset is known
// best (the uncertainty between two shards is the sum of theirs). Shards
// whose offset could not be estimated keep their own clocks, with no stated
// uncertainty: Undecidable then says the merge cannot be judged.
func (m *Merged) align() {
	m.ref = 0
	for i, s := range m.Shards {
		if best := m.Shards[m.ref]; s.Estimated && (!best.Estimated || s.ServerHalf < best.ServerHalf) {
			m.ref = i
		}
	}
	ref := m.Shards[m.ref]
	for i := range m.Shards {
		s := &m.Shards[i]
		if i == m.ref || !s.Estimated || !ref.Estimated {
			continue
		}
		s.Offset = s.Server - ref.Server
		s.Uncertainty = s.ServerHalf + ref.ServerHalf
	}
}

// Undecidable says why timing on the merged timeline cannot be judged within
// tolerance, or "" when it can. tolerance is the most clock error the checks
// can absorb. Unaligned is set when a shard's offset is unknown: its times
// were not moved at all, so no decision on the timeline can be trusted, a
// violation no more than a pass. (An offset known, but less certain than
// tolerance, was folded into every request's timing: a violation found on
// that timeline stands.)
func (m *Merged) Undecidable(tolerance time.Duration) (why string, unaligned bool) {
	for _, s := range m.Shards {
		if !s.Estimated {
			return fmt.Sprintf("shard %s's clock offset could not be estimated: %s", s.Shard, s.Why), true
		}
	}
	for _, s := range m.Shards {
		if s.Uncertainty > tolerance {
			return fmt.Sprintf("shard %s's clock offset is known only to ±%s, more than the %s the checks can absorb", s.Shard, s.Uncertainty.Round(time.Millisecond), tolerance), false
		}
	}
	return "", false
}

// meta is the whole run's metadata: the first shard's, spanning every shard.
func (m *Merged) meta() results.Meta {
	meta := m.Shards[0].Run.Meta
	meta.Shard = ""
	meta.Notes = slices.Clone(meta.Notes)
	meta.PhaseStarts = m.PhaseStarts()
	meta.Finished = time.Time{}
	meta.Interrupted = len(m.Missing) > 0
	for _, s := range m.Shards {
		sm := s.Run.Meta
		if st := sm.Started.Add(s.Offset); st.Before(meta.Started) {
			meta.Started = st
		}
		if f := sm.Finished.Add(s.Offset); !sm.Finished.IsZero() && f.After(meta.Finished) {
			meta.Finished = f
		}
		meta.Interrupted = meta.Interrupted || sm.Interrupted || sm.Finished.IsZero()
	}
	return meta
}

// Notes are the lines the reports show about the merge: each shard's size,
// rate and clock offset, and the shards missing.
func (m *Merged) Notes() []string {
	notes := []string{fmt.Sprintf("merged %d shards onto shard %s's clock, offsets estimated from the target's Date headers", len(m.Shards), m.Shards[m.ref].Shard)}
	for i, s := range m.Shards {
		line := fmt.Sprintf("shard %s: %d requests at %.1f/s", s.Shard, s.Requests, s.Rate())
		if src := s.Run.Meta.SourceAddr; src != "" {
			line += " from " + src
		}
		switch {
		case !s.Estimated:
			line += "; clock offset unknown: " + s.Why
		case i == m.ref:
			line += fmt.Sprintf("; reference clock (target's clock %s ± %s from it, %d dated responses)", signed(s.Server), s.ServerHalf.Round(time.Millisecond), s.Dated)
		default:
			line += fmt.Sprintf("; clock offset %s ± %s (%d dated responses)", signed(-s.Offset), s.Uncertainty.Round(time.Millisecond), s.Dated)
		}
		notes = append(notes, line)
	}
	for _, name := range m.Missing {
		notes = append(notes, "shard "+name+" is missing: the merged run is judged without its requests")
	}
	return notes
}

func signed(d time.Duration) string {
	d = d.Round(time.Millisecond)
	if d >= 0 {
		return "+" + d.String()
	}
	return d.String()
}

// Placed is an observation on the merged timeline, with how far its shard's
// clock may be from the timeline's either side (its send time and latency are
// as corrected, not widened).
type Placed struct {
	results.Observation
	Uncertainty time.Duration
}

// Widened is the observation as judging must see it: sent up to Uncertainty
// earlier and received up to Uncertainty later, so that a decision the
// clocks could flip is ambiguous, never a violation.
func (p Placed) Widened() results.Observation {
	o := p.Observation
	o.Sent = o.Sent.Add(-p.Uncertainty)
	o.Latency += 2 * p.Uncertainty
	return o
}

// Observations yields every shard's observations on the merged timeline, in
// the order their responses arrived, as a live run sees them, and stops at
// the first read error, which it yields last. Each call reads the files anew;
// memory holds the observations of all shards. When the shards sent from
// different addresses, each observation names its shard's (Source), so that
// a per-IP limit counts each address apart.
func (m *Merged) Observations() iter.Seq2[Placed, error] {
	sources := map[string]bool{}
	for _, s := range m.Shards {
		sources[s.Run.Meta.SourceAddr] = true
	}
	return func(yield func(Placed, error) bool) {
		var all []Placed
		for _, s := range m.Shards {
			for o, err := range s.Run.Observations() {
				if err != nil {
					yield(Placed{}, err)
					return
				}
				o.Sent = o.Sent.Add(s.Offset)
				if len(sources) > 1 {
					o.Source = s.Run.Meta.SourceAddr
				}
				all = append(all, Placed{Observation: o, Uncertainty: s.Uncertainty})
			}
		}
		slices.SortStableFunc(all, func(a, b Placed) int { return a.Received().Compare(b.Received()) })
		for _, p := range all {
			if !yield(p, nil) {
				return
			}
		}
	}
}

// PhaseStarts is, per plan phase, when it was launched on the merged
// timeline: the earliest of the shards' launches.
func (m *Merged) PhaseStarts() []time.Time {
	var out []time.Time
	for _, s := range m.Shards {
		for i, t := range s.Run.Meta.PhaseStarts {
			if t.IsZero() {
				continue
			}
			for len(out) <= i {
				out = append(out, time.Time{})
			}
			if t = t.Add(s.Offset); out[i].IsZero() || t.Before(out[i]) {
				out[i] = t
			}
		}
	}
	return out
}
