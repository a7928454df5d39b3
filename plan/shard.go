package plan

import (
	"fmt"
	"iter"
	"strconv"
	"strings"
	"time"
)

// Shard is one of Count senders that share a plan. Shard i sends requests
// i, i+Count, i+2·Count, … of every phase, each at the time the whole plan has
// it due, so the shards together send exactly what one run would, interleaved,
// and each sends at 1/Count of every phase's rate. The zero Shard is the whole
// plan.
type Shard struct {
	Index int // 0 ≤ Index < Count
	Count int // senders in all; 0 or 1 for an unsharded run
}

// ParseShard reads "i/N" (0 ≤ i < N), the form `--shard` takes; i is the
// completion index a Kubernetes Indexed Job gives each pod.
func ParseShard(s string) (Shard, error) {
	is, ns, ok := strings.Cut(s, "/")
	i, ierr := strconv.Atoi(strings.TrimSpace(is))
	n, nerr := strconv.Atoi(strings.TrimSpace(ns))
	switch {
	case !ok || ierr != nil || nerr != nil:
		return Shard{}, fmt.Errorf("shard %q: want INDEX/COUNT, such as 0/4 (the first of four)", s)
	case n < 1 || n > maxShards:
		return Shard{}, fmt.Errorf("shard %q: the count must be from 1 to %d", s, maxShards)
	case i < 0 || i >= n:
		return Shard{}, fmt.Errorf("shard %q: the index counts from 0 and must be below the count %d", s, n)
	}
	return Shard{Index: i, Count: n}, nil
}

// maxShards bounds the shard count: more senders than this would each send too
// little of a phase to matter.
const maxShards = 1024

// Sharded reports whether s is a part of the plan rather than all of it.
func (s Shard) Sharded() bool { return s.Count > 1 }

// String is the "i/N" form; "" for the whole plan.
func (s Shard) String() string {
	if !s.Sharded() {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// Requests is how many of a phase's n requests this shard sends.
func (s Shard) Requests(n int64) int64 {
	if !s.Sharded() {
		return n
	}
	if n <= int64(s.Index) {
		return 0
	}
	return (n-int64(s.Index)-1)/int64(s.Count) + 1
}

// Request is the phase's request number of this shard's h-th request (both
// counted from 0).
func (s Shard) Request(h uint64) uint64 {
	if !s.Sharded() {
		return h
	}
	return uint64(s.Index) + h*uint64(s.Count)
}

// Rate is this shard's part of a phase rate.
func (s Shard) Rate(r float64) float64 {
	if !s.Sharded() {
		return r
	}
	return r / float64(s.Count)
}

// Send is one request of a schedule: its number in the phase and when it is
// due from the phase's start.
type Send struct {
	Request uint64
	Due     time.Duration
}

// Schedule yields the requests of the phase that shard s sends, in order.
func (p Phase) Schedule(s Shard) iter.Seq[Send] {
	return func(yield func(Send) bool) {
		for h := range uint64(max(s.Requests(p.Requests), 0)) {
			k := s.Request(h)
			if !yield(Send{Request: k, Due: p.Due(k)}) {
				return
			}
		}
	}
}
