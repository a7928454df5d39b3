package limiter

// The bucket families count in scaled units so that refills are exact integers:
// one request is W units (W = Window in ns) and a bucket refills, or leaks, N units
// per nanosecond (N = Limit), i.e. N/W requests per ns. A bucket of capacity B
// holds B·W units.

// tokenBucket holds up to B tokens, starts full, gains N tokens per W, and admits
// a request when it holds a whole token, taking it.
type tokenBucket struct {
	n, w     uint64
	capacity u128 // B·W
	tokens   u128 // scaled
	last     int64
	started  bool
}

func newTokenBucket(cfg Config) *tokenBucket {
	w := uint64(cfg.Window)
	c := mul(uint64(cfg.Burst), w)
	return &tokenBucket{n: uint64(cfg.Limit), w: w, capacity: c, tokens: c}
}

// refill adds the tokens gained since the last call: N·(now−last) units.
func (b *tokenBucket) refill(now int64) {
	if b.started {
		b.tokens = b.tokens.add(mul(b.n, uint64(now-b.last))).min(b.capacity)
	}
	b.last, b.started = now, true
}

func (b *tokenBucket) admits(now int64) (bool, int64) {
	b.refill(now)
	one := u128{lo: b.w}
	if !b.tokens.less(one) {
		return true, 0
	}
	return false, one.sub(b.tokens).divCeil(b.n)
}

func (b *tokenBucket) take(now int64) {
	b.refill(now)
	b.tokens = b.tokens.sub(u128{lo: b.w})
}

func (b *tokenBucket) status(now int64) (int64, int64) {
	b.refill(now)
	return b.tokens.div(b.w), addNs(now, b.capacity.sub(b.tokens).divCeil(b.n))
}

// leakyBucket is the leaky bucket as a meter (as nginx's limit_req): each admitted
// request pours one unit of water in, the bucket leaks N per W, and a request is
// admitted only if its water still fits in the capacity B.
type leakyBucket struct {
	n, w     uint64
	capacity u128 // B·W
	level    u128 // scaled water level
	last     int64
}

func newLeakyBucket(cfg Config) *leakyBucket {
	w := uint64(cfg.Window)
	return &leakyBucket{n: uint64(cfg.Limit), w: w, capacity: mul(uint64(cfg.Burst), w)}
}

// leak drains the water leaked since the last call: N·(now−last) units.
func (b *leakyBucket) leak(now int64) {
	if !b.level.isZero() {
		b.level = b.level.sub(mul(b.n, uint64(now-b.last)))
	}
	b.last = now
}

func (b *leakyBucket) admits(now int64) (bool, int64) {
	b.leak(now)
	after := b.level.add(u128{lo: b.w})
	if !b.capacity.less(after) {
		return true, 0
	}
	return false, after.sub(b.capacity).divCeil(b.n)
}

func (b *leakyBucket) take(now int64) {
	b.leak(now)
	b.level = b.level.add(u128{lo: b.w})
}

func (b *leakyBucket) status(now int64) (int64, int64) {
	b.leak(now)
	return b.capacity.sub(b.level).div(b.w), addNs(now, b.level.divCeil(b.n))
}
