package limiter

// gcra is the generic cell rate algorithm with emission interval T = W/N and burst
// B. It keeps only the theoretical arrival time (TAT) of the next request: a
// request at t is admitted iff max(TAT, t) + T − t ≤ B·T, and then TAT becomes
// max(TAT, t) + T.
//
// Times are kept scaled by N, relative to the first request (origin), so that
// T = W/N becomes the integer W: a scaled time s stands for origin + s/N ns.
type gcra struct {
	n, w    uint64
	tau     u128 // B·T scaled: B·W
	tat     u128 // scaled
	origin  int64
	started bool
}

func newGCRA(cfg Config) *gcra {
	w := uint64(cfg.Window)
	return &gcra{n: uint64(cfg.Limit), w: w, tau: mul(uint64(cfg.Burst), w)}
}

// scaled returns now as a scaled time, starting the origin on first use.
func (g *gcra) scaled(now int64) u128 {
	if !g.started {
		g.origin, g.started = now, true
	}
	return mul(uint64(now-g.origin), g.n)
}

func (g *gcra) admits(now int64) (bool, int64) {
	s := g.scaled(now)
	next := g.tat.max(s).add(u128{lo: g.w}) // TAT after admitting this request
	if !g.tau.less(next.sub(s)) {
		return true, 0
	}
	// admitted once next − t ≤ τ: at t = next − τ.
	return false, next.sub(g.tau).sub(s).divCeil(g.n)
}

func (g *gcra) take(now int64) {
	s := g.scaled(now)
	g.tat = g.tat.max(s).add(u128{lo: g.w})
}

func (g *gcra) status(now int64) (int64, int64) {
	s := g.scaled(now)
	backlog := g.tat.sub(s) // 0 when TAT is in the past
	return g.tau.sub(backlog).div(g.w), addNs(now, backlog.divCeil(g.n))
}
