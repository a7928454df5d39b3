package reftarget

import (
	"sync"
	"time"

	"github.com/ratecheck/ratecheck/internal/limiter"
)

// staleCache makes an approximate Remaining: the value shown for a key is cached
// for the declared staleness, as an API that reads usage from a lagging store and
// caches it per key (Coperniq: "cached for up to 60 seconds per API key").
type staleCache struct {
	ttl     time.Duration
	mu      sync.Mutex
	entries map[*limiter.Cell]staleEntry
}

type staleEntry struct {
	value int64
	at    time.Time
}

func newStaleCache(ttl time.Duration) *staleCache {
	return &staleCache{ttl: ttl, entries: map[*limiter.Cell]staleEntry{}}
}

// value returns the Remaining to show for cell at now: the cached one while it
// is younger than the staleness, else fresh (which is then cached).
func (c *staleCache) value(cell *limiter.Cell, fresh int64, now time.Time) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[cell]; ok && now.Sub(e.at) < c.ttl && !now.Before(e.at) {
		return e.value
	}
	c.entries[cell] = staleEntry{value: fresh, at: now}
	return fresh
}
