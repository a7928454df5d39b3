package reftarget

import (
	"errors"
	"sync"

	"github.com/ratecheck/ratecheck/scenarios"
)

// quotaStart is a QuotaStart option: at the first request of key, every
// quota restarts, with left[name] left in those named.
type quotaStart struct {
	key  string
	left map[string]int64
	once sync.Once
}

// routeMap is the target's routes by path (without a query). A quota start
// replaces it whole, so a request sees either the old limits or the new.
type routeMap map[string][]*route

// quotaStartOf returns the quota start of keyID, or nil.
func (t *Target) quotaStartOf(keyID string) *quotaStart {
	for _, qs := range t.starts {
		if qs.key == keyID {
			return qs
		}
	}
	return nil
}

// startQuotas restarts every finite quota of the scenario, with qs.left
// left in those it names, and serves the routes with the new limiters from
// then on. The other limits keep their state.
func (t *Target) startQuotas(qs *quotaStart) {
	t.build.mu.Lock()
	defer t.build.mu.Unlock()
	sc := t.build.sc
	o := *t.build.opts
	o.quotaUsed = map[string]int64{}
	limits := make([]*limit, len(t.build.limits))
	copy(limits, t.build.limits)
	var errs []error
	for i, l := range sc.Limits {
		if l.Unlimited || !l.IsQuota() {
			continue
		}
		if n, ok := qs.left[l.Name]; ok {
			o.quotaUsed[l.Name] = l.Requests - max(0, n)
		}
		lim, err := buildLimit(l, &o, t.build.faults, sc.Auth.Header != "", false)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		limits[i] = lim
	}
	routes, err := buildRoutes(sc, limits, t.build.faults.has(CountsExcluded))
	if err := errors.Join(append(errs, err)...); err != nil {
		return // New built these limits already: this cannot fail
	}
	t.build.limits = limits
	t.routes.Store(&routes)
}

// buildState is what New built the limits from, kept for quota starts.
type buildState struct {
	mu     *sync.Mutex // held while a quota start replaces limits
	sc     *scenarios.Scenario
	opts   *options
	faults faultSet
	limits []*limit
}
