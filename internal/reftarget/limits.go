package reftarget

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/ratecheck/ratecheck/internal/limiter"
	"github.com/ratecheck/ratecheck/scenarios"
)

// limit is one finite scenario limit with its keyed limiter.
type limit struct {
	spec scenarios.Limit
	lim  *limiter.Limiter
	// offset turns the limiter's Remaining into the declared contract's: the
	// declared capacity minus the limiter's (faults change the latter only), so a
	// counting fault changes admissions and not the Remaining countdown.
	offset   int64
	declared int64 // declared capacity: Burst for buckets, Requests for windows
	scope    scenarios.Scope
}

// buildLimit returns the limiter for one finite scenario limit. rate says
// whether the counting faults (off-by-one, early-reject) apply to it.
func buildLimit(l scenarios.Limit, o *options, faults faultSet, auth, rate bool) (*limit, error) {
	cfg := limiterConfig(l, family(l, o), faults, rate)
	used := min(max(0, o.quotaUsed[l.Name]), l.Requests)
	if l.IsQuota() && used > 0 {
		// An account that has already used `used` of its quota this window.
		if cfg.Family.Bucket() {
			cfg.Burst = max(1, cfg.Burst-used)
		} else {
			cfg.Limit = max(1, cfg.Limit-used)
		}
	}
	lim, err := limiter.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("reftarget: limit %q: %w", l.Name, err)
	}
	declared := l.Requests
	if cfg.Family.Bucket() && l.Burst > 0 {
		declared = l.Burst
	}
	if !l.IsQuota() {
		used = 0
	}
	scope := l.Scope
	if scope == "" && auth {
		scope = scenarios.ScopeKey
	} else if scope == "" {
		scope = scenarios.ScopeGlobal
	}
	if faults.has(SharedBudget) && scope == scenarios.ScopeKey || faults.has(PerIPAsGlobal) && scope == scenarios.ScopeIP {
		scope = scenarios.ScopeGlobal
	}
	offset := declared - used - lim.Config().Capacity()
	return &limit{spec: l, lim: lim, offset: offset, declared: declared, scope: scope}, nil
}

// family maps a limit's algorithm, or the options' override, to a limiter
// family. A limit of algorithm any that declares a burst is served as a
// token bucket of that burst: the one family of those any stands for that
// lets a burst through.
func family(l scenarios.Limit, o *options) limiter.Family {
	if o.family != nil {
		return *o.family
	}
	if o.algorithm != "" {
		l.Algorithm = o.algorithm
	}
	switch {
	case l.Algorithm == scenarios.AlgoSlidingWindow:
		return limiter.SlidingLog
	case l.Algorithm == scenarios.AlgoGCRA:
		return limiter.GCRA
	case l.Algorithm == scenarios.AlgoLeakyBucket:
		return limiter.LeakyBucket
	case l.IsBucket(): // token-bucket, or any with a burst
		return limiter.TokenBucket
	default: // any, fixed-window
		return limiter.FixedWindow
	}
}

// limiterConfig returns the limiter config of a limit, with the faults applied:
// off-by-one and early-reject move the capacity (Limit for windows, Burst for
// buckets) of a rate limit, quota-off-by-one that of a quota (one that is
// not also the scenario's rate limit: see buildLimits); slow-recovery
// boxes the key for 2×Recovery after the limit trips.
func limiterConfig(l scenarios.Limit, f limiter.Family, faults faultSet, rate bool) limiter.Config {
	cfg := limiter.Config{Family: f, Limit: l.Requests, Window: l.Window}
	capacity := &cfg.Limit
	if f.Bucket() {
		cfg.Burst = l.Burst
		if cfg.Burst <= 0 {
			cfg.Burst = l.Requests
		}
		capacity = &cfg.Burst
	}
	if faults.has(OffByOne) && rate || faults.has(QuotaOffByOne) && l.IsQuota() && !rate {
		*capacity++
	}
	if faults.has(EarlyReject) && rate {
		*capacity = max(0, *capacity-2)
	}
	if faults.has(SlowRecovery) {
		// A penalty box, for every family: from the rejection that trips the
		// limit, the key waits twice the promised recovery. (Doubling a window
		// instead would also reject early whenever a 2 s boundary fell inside
		// traffic under the limit, blaming the wrong check.)
		recovery := l.Recovery
		if recovery <= 0 {
			recovery = l.Window
		}
		cfg.Block = 2 * recovery
	}
	return cfg
}

// cellKey returns the key a request is counted under for l: the key id for a
// per-key limit ("ip:" and the client IP when the request carries no key), the client IP
// for a per-IP one, "" for a global one.
func (l *limit) cellKey(keyID string, r *http.Request) string {
	switch l.scope {
	case scenarios.ScopeGlobal:
		return ""
	case scenarios.ScopeKey:
		if keyID != "" {
			return keyID
		}
		return "ip:" + clientIP(r) // never collides with a key id's state by accident
	}
	return clientIP(r)
}

// clientIP returns the host part of the request's remote address.
func clientIP(r *http.Request) string {
	a := r.RemoteAddr
	if i := strings.LastIndexByte(a, ':'); i >= 0 {
		a = a[:i]
	}
	return strings.Trim(a, "[]")
}
