package reftarget

import (
	"time"

	"github.com/ratecheck/ratecheck/internal/limiter"
	"github.com/ratecheck/ratecheck/scenarios"
)

// An Option configures a Target.
type Option func(*options)

type options struct {
	faults    []string
	algorithm scenarios.Algorithm // "" keeps each limit's own
	family    *limiter.Family
	keys      map[string]string
	clock     func() time.Time
	quotaUsed map[string]int64
	starts    []*quotaStart
}

// Fault injects the named fault (see Faults). An unknown name makes the target
// answer 500 and is reported by Err; check names with ParseFault first.
func Fault(name string) Option {
	return func(o *options) { o.faults = append(o.faults, name) }
}

// Algorithm overrides the family of every limit. For scenarios.AlgoAny (the
// default of a limit) the target uses a clock-aligned fixed window, or a
// token bucket for a limit that declares a burst; sliding-window means a
// sliding log.
func Algorithm(a scenarios.Algorithm) Option {
	return func(o *options) { o.algorithm = a }
}

// LimiterFamily overrides the family of every limit with one of the limiter
// package, including those no scenario algorithm names (first-request-aligned
// fixed window, sliding-window counter). It wins over Algorithm.
func LimiterFamily(f limiter.Family) Option {
	return func(o *options) { o.family = &f }
}

// Keys sets the accepted API keys: key value → key id. The values are only ever
// compared, never logged. Without Keys, any non-empty key is accepted and counted
// as the scenario's first key id.
func Keys(keys map[string]string) Option {
	return func(o *options) {
		o.keys = make(map[string]string, len(keys))
		for v, id := range keys {
			o.keys[v] = id
		}
	}
}

// Clock sets the time source (tests); the default is the wall clock read
// once and measured on from there on the monotonic clock (monotonicClock).
func Clock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.clock = now
		}
	}
}

// QuotaUsed starts the named quotas (limits of an hour or more, by name) as
// if every client had already used that many requests of the current window,
// so that a short run can exhaust a daily or monthly quota. Remaining counts
// down from the declared quota minus used. Later windows keep the reduced
// capacity; a run never lasts that long.
func QuotaUsed(used map[string]int64) Option {
	return func(o *options) {
		o.quotaUsed = make(map[string]int64, len(used))
		for name, n := range used {
			o.quotaUsed[name] = n
		}
	}
}

// QuotaStart makes the target start every quota (a limit of an hour or more)
// afresh at the first request of the key with id keyID, as a new accounting
// period would, with left[name] requests left in the quotas named in left
// and their whole declared quota in the others. A plan's quota tests
// (plan.ExhaustQuotas) use it to exhaust a daily or monthly quota with
// a few requests. With the fault quota-off-by-one the restarted quotas admit
// one more.
func QuotaStart(keyID string, left map[string]int64) Option {
	return func(o *options) {
		qs := &quotaStart{key: keyID, left: make(map[string]int64, len(left))}
		for name, n := range left {
			qs.left[name] = n
		}
		o.starts = append(o.starts, qs)
	}
}
