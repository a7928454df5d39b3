package limiter

import (
	"math"
	"sync"
	"time"
)

// Cell is the state of one key under one limit. Its methods are safe for
// concurrent use.
type Cell struct {
	mu         sync.Mutex
	m          meter
	capacity   int64
	block      int64 // penalty box length in ns (Config.Block)
	blockUntil int64 // requests before this instant are rejected
	last       int64 // latest time seen: time never runs backwards for a meter
}

func newCell(cfg Config) *Cell {
	return &Cell{m: newMeter(cfg), capacity: cfg.Capacity(), block: int64(cfg.Block), blockUntil: math.MinInt64, last: math.MinInt64}
}

// Admit decides one request at now against this cell alone; see the package
// function Admit for several limits.
func (c *Cell) Admit(now time.Time) Decision {
	var out [1]Decision
	cells := [1]*Cell{c}
	Admit(now, cells[:], out[:])
	return out[0]
}

// Peek returns the decision Admit would return at now without charging anything
// or starting a penalty; Remaining is then counted as if the request were charged.
func (c *Cell) Peek(now time.Time) Decision {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.clamp(now.UnixNano())
	d := c.check(t)
	if d.Allowed {
		d.Remaining--
	}
	return d
}

// Admit decides one request at now against every cell (one per limit that applies
// to it). It admits the request, and charges every cell, only if every cell admits
// it; otherwise it charges none, and the cells that rejected start their penalty
// (Config.Block). It writes each cell's decision to out[i] and reports whether the
// request was admitted. len(out) must be at least len(cells).
//
// The cells stay locked together while deciding, so two requests never see the
// same remaining quota. Callers must pass distinct cells in one global order
// (e.g. by limit index) so that concurrent calls cannot deadlock. now must be
// representable in Unix nanoseconds (years 1678 to 2262); a cell that has seen a
// later time treats an earlier now as that later time.
func Admit(now time.Time, cells []*Cell, out []Decision) bool {
	ns := now.UnixNano()
	for _, c := range cells {
		c.mu.Lock()
	}
	ok := true
	for i, c := range cells {
		out[i] = c.check(c.clamp(ns))
		ok = ok && out[i].Allowed
	}
	for i, c := range cells {
		t := c.clamp(ns)
		switch {
		case ok:
			c.m.take(t)
			out[i] = c.charged(t)
		case !out[i].Allowed && c.penalize(t):
			out[i] = c.check(t) // the wait now includes the penalty
		}
	}
	for i := len(cells) - 1; i >= 0; i-- {
		cells[i].mu.Unlock()
	}
	return ok
}

// clamp records now as the latest time seen and returns it, or the latest time
// when now is earlier (a clock that stepped back).
func (c *Cell) clamp(now int64) int64 {
	if now < c.last {
		return c.last
	}
	c.last = now
	return now
}

// check returns the uncharged decision at now: for an admissible request,
// Remaining and ResetAt as they stand before charging it.
func (c *Cell) check(now int64) Decision {
	ok, wait := c.m.admits(now)
	if c.block > 0 && c.blockUntil > now {
		ok, wait = false, max(wait, c.blockUntil-now)
	}
	remaining, full := c.m.status(now)
	d := Decision{Allowed: ok, Limit: c.capacity, Remaining: remaining, ResetAt: time.Unix(0, full)}
	if !ok {
		d.Remaining = 0
		d.ResetAt = time.Unix(0, addNs(now, wait))
		d.RetryAfter = time.Duration(wait)
	}
	return d
}

// charged returns the decision for a request just charged at now.
func (c *Cell) charged(now int64) Decision {
	remaining, full := c.m.status(now)
	return Decision{Allowed: true, Limit: c.capacity, Remaining: remaining, ResetAt: time.Unix(0, full)}
}

// penalize starts the penalty box after a rejection at now, unless one is
// running, and reports whether it started one.
func (c *Cell) penalize(now int64) bool {
	if c.block <= 0 || c.blockUntil > now {
		return false
	}
	c.blockUntil = addNs(now, c.block)
	return true
}
