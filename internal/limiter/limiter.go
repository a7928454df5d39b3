// Package limiter holds the reference target's rate limiters: one per family
// (fixed window clock- or first-request-aligned, sliding log, sliding-window
// counter, token bucket, GCRA, leaky bucket), keyed per client, safe for
// concurrent use, with time always passed in.
//
// A request is either admitted and charged to every limit that applies to it, or
// rejected and charged to none: see Admit.
//
// It imports only the standard library. It must never import conformance: the
// checker's oracles and these limiters are written independently so that a bug in
// one cannot make target and oracle agree.
package limiter

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// Family names a limiter algorithm.
type Family int

// The limiter families.
const (
	FixedWindow      Family = iota // windows start at multiples of Window since the Unix epoch
	FixedWindowFirst               // a window starts with the first request admitted after the last one ended
	SlidingLog                     // at most Limit admitted in any (t−Window, t]
	SlidingCounter                 // current window count + previous window count weighted by its overlap
	TokenBucket                    // capacity Burst, refilled by Limit per Window, starts full
	GCRA                           // generic cell rate algorithm: burst Burst, emission interval Window/Limit
	LeakyBucket                    // a meter (as nginx): capacity Burst, leaking Limit per Window
)

var familyNames = [...]string{
	FixedWindow:      "fixed-window",
	FixedWindowFirst: "fixed-window-first",
	SlidingLog:       "sliding-log",
	SlidingCounter:   "sliding-counter",
	TokenBucket:      "token-bucket",
	GCRA:             "gcra",
	LeakyBucket:      "leaky-bucket",
}

// String returns the family's name, e.g. "sliding-log".
func (f Family) String() string {
	if f < 0 || int(f) >= len(familyNames) {
		return fmt.Sprintf("family(%d)", int(f))
	}
	return familyNames[f]
}

// ParseFamily returns the family named name, as printed by String.
func ParseFamily(name string) (Family, error) {
	for f, n := range familyNames {
		if n == name {
			return Family(f), nil
		}
	}
	return 0, fmt.Errorf("limiter: parse family %q: unknown family", name)
}

// Bucket reports whether the family is a bucket (its capacity is Burst, not Limit).
func (f Family) Bucket() bool {
	return f == TokenBucket || f == GCRA || f == LeakyBucket
}

// Config describes one limit: Limit requests per Window.
type Config struct {
	Family Family
	Limit  int64         // requests per Window; for buckets, the refill (or leak) per Window
	Window time.Duration // > 0
	Burst  int64         // bucket capacity (bucket families only); 0 means Limit
	// Block is a penalty box: once the limit rejects a request, it rejects every
	// request of the same key until Block has passed. 0 means no penalty.
	Block time.Duration
}

// Capacity is how many requests the limit admits at once from a fresh state:
// Burst (or Limit) for buckets, Limit for windows.
func (c Config) Capacity() int64 {
	if c.Family.Bucket() && c.Burst > 0 {
		return c.Burst
	}
	return c.Limit
}

// MaxWindow is the longest window a limiter accepts (about ten years), so that
// window ends never overflow a time.
const MaxWindow = 10 * 366 * 24 * time.Hour

// Validate reports the first problem that makes the config unusable.
// A Limit or Burst of 0 is valid: such a limit rejects everything.
func (c Config) Validate() error {
	switch {
	case c.Family < 0 || int(c.Family) >= len(familyNames):
		return fmt.Errorf("limiter: unknown family %d", int(c.Family))
	case c.Window <= 0:
		return fmt.Errorf("limiter: window %v is not positive", c.Window)
	case c.Window > MaxWindow:
		return fmt.Errorf("limiter: window %v is longer than %v", c.Window, MaxWindow)
	case c.Limit < 0:
		return fmt.Errorf("limiter: limit %d is negative", c.Limit)
	case c.Burst < 0:
		return fmt.Errorf("limiter: burst %d is negative", c.Burst)
	case c.Block < 0:
		return fmt.Errorf("limiter: block %v is negative", c.Block)
	}
	return nil
}

// Decision is what one limit says about one request, with what response headers need.
type Decision struct {
	Allowed bool  // this limit admits the request
	Limit   int64 // the limit's capacity (Config.Capacity)
	// Remaining is how many more requests the limit would admit right now: after
	// this request when it was charged, before it when it was not.
	Remaining int64
	// ResetAt is, for an allowed request, when the quota is fully restored if no
	// other request arrives (the end of a fixed window, the moment a bucket is full);
	// for a rejected one, when a request would be admitted again.
	ResetAt time.Time
	// RetryAfter is, for a rejected request, the exact wait until a request would be
	// admitted (ResetAt − now); 0 for an allowed one.
	RetryAfter time.Duration
}

// ErrInvalid wraps every configuration error New returns.
var ErrInvalid = errors.New("invalid limiter config")

// Limiter applies one limit to many keys (a key id, a client IP, or "" for a
// global limit). It is safe for concurrent use.
type Limiter struct {
	cfg   Config
	mu    sync.RWMutex
	cells map[string]*Cell
}

// New returns a limiter for cfg, or an error wrapping ErrInvalid.
func New(cfg Config) (*Limiter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("limiter: new: %w: %w", ErrInvalid, err)
	}
	if cfg.Family.Bucket() && cfg.Burst == 0 {
		cfg.Burst = cfg.Limit
	}
	return &Limiter{cfg: cfg, cells: make(map[string]*Cell)}, nil
}

// Config returns the limiter's configuration, with Burst defaulted.
func (l *Limiter) Config() Config { return l.cfg }

// Cell returns the state of one key, creating it on first use.
func (l *Limiter) Cell(key string) *Cell {
	l.mu.RLock()
	c := l.cells[key]
	l.mu.RUnlock()
	if c != nil {
		return c
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if c = l.cells[key]; c == nil {
		c = newCell(l.cfg)
		l.cells[key] = c
	}
	return c
}

// Len returns the number of keys the limiter holds state for.
func (l *Limiter) Len() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return len(l.cells)
}

// meter is one key's state under one family. Times are Unix nanoseconds and never
// decrease between calls (Cell guarantees it). It is not safe for concurrent use.
type meter interface {
	// admits reports whether a request at now would be admitted and, if not, the
	// exact wait in nanoseconds until one would be.
	admits(now int64) (ok bool, wait int64)
	// take charges one request at now; only called right after admits said ok.
	take(now int64)
	// status returns how many requests would be admitted at now and when the quota
	// is fully restored (now when it already is).
	status(now int64) (remaining, full int64)
}

// newMeter returns a fresh state for cfg (Burst already defaulted).
func newMeter(cfg Config) meter {
	if cfg.Capacity() == 0 || cfg.Limit == 0 {
		return closed{window: int64(cfg.Window)}
	}
	w, n := int64(cfg.Window), cfg.Limit
	switch cfg.Family {
	case FixedWindowFirst:
		return &firstWindow{limit: n, window: w}
	case SlidingLog:
		return &slidingLog{limit: n, window: w}
	case SlidingCounter:
		return &slidingCounter{limit: n, window: w}
	case TokenBucket:
		return newTokenBucket(cfg)
	case GCRA:
		return newGCRA(cfg)
	case LeakyBucket:
		return newLeakyBucket(cfg)
	default:
		return &clockWindow{limit: n, window: w}
	}
}

// closed is a limit of capacity 0 (or a bucket that never refills, once the
// difference matters no more): it never admits. Its wait is one window, a hint
// rather than a promise.
type closed struct{ window int64 }

func (c closed) admits(int64) (bool, int64) { return false, c.window }
func (closed) take(int64)                   {}
func (c closed) status(now int64) (int64, int64) {
	return 0, addNs(now, c.window)
}
