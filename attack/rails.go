package attack

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ratecheck/ratecheck/scenarios"
)

// Backoff: the target is hurt when at least hurtOf of its last hurtWindow
// answers were failures: no answer at all, a 5xx other than 503, or a 503
// while the run sends under the limit (over it, 503 may be how the target
// limits, which the checks judge). The run then stops sending: a load test
// must not press on against a server it is knocking over.
const (
	hurtWindow = 20
	hurtOf     = 16
)

// rails are the hard limits of one attack, shared by all its phases: a
// request budget, a rate no phase may exceed together with the others, and
// the backoff from a target that is failing.
type rails struct {
	max  int64        // requests allowed in all; 0: no cap
	left atomic.Int64 // of max, not yet claimed

	interval time.Duration // 1/MaxRate; 0: no cap
	now      func() time.Time
	mu       sync.Mutex
	next     time.Time // the earliest send time of the next claimed hit

	hmu    sync.Mutex
	recent [hurtWindow]bool // ring of the last answers: true when hurt
	seen   int
	hurt   int
	onHurt func(reason string) // called once, when the target is found hurt
	fired  bool
}

// maxQuoted bounds the failing answer the backoff's reason quotes.
const maxQuoted = 300

func newRails(o Options, onHurt func(string)) *rails {
	r := &rails{max: o.MaxRequests, onHurt: onHurt, now: time.Now}
	r.left.Store(o.MaxRequests)
	if o.MaxRate > 0 {
		r.interval = time.Duration(float64(time.Second) / o.MaxRate)
	}
	return r
}

// claim takes one request from the budget and returns how long past wait
// it must wait to keep under the rate cap; ok is false when the budget is
// spent. It is called once per request, just before vegeta sends it.
func (r *rails) claim(wait time.Duration) (time.Duration, bool) {
	if r == nil {
		return wait, true
	}
	if r.max > 0 && r.left.Add(-1) < 0 {
		return 0, false
	}
	if r.interval <= 0 {
		return wait, true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	at := now.Add(wait)
	if r.next.After(at) {
		at = r.next
	}
	r.next = at.Add(r.interval)
	return at.Sub(now), true
}

// observe counts one answer (status 0: none, and then errText says why) of
// a phase of the given kind towards the backoff. The reason it gives quotes
// the last failing answer, so a report that stopped early shows what the
// target did.
func (r *rails) observe(status int, errText string, kind scenarios.PhaseKind) {
	if r == nil {
		return
	}
	under := kind == scenarios.PhaseUnder || kind == scenarios.PhaseRecovery
	bad := status == 0 || status >= 500 && (status != http.StatusServiceUnavailable || under)
	r.hmu.Lock()
	defer r.hmu.Unlock()
	i := r.seen % hurtWindow
	if r.seen >= hurtWindow && r.recent[i] {
		r.hurt--
	}
	r.recent[i] = bad
	r.seen++
	if bad {
		r.hurt++
	}
	if r.hurt >= hurtOf && !r.fired {
		r.fired = true
		r.onHurt(fmt.Sprintf("backed off: %d of the last %d answers were server errors or none at all (the last: %s); the run stopped sending so as not to press on against a failing target", r.hurt, min(r.seen, hurtWindow), failure(status, errText)))
	}
}

// failure describes one failing answer: its status, or why there was none,
// bounded to maxQuoted bytes.
func failure(status int, errText string) string {
	if status != 0 {
		return fmt.Sprintf("%d %s", status, http.StatusText(status))
	}
	if errText == "" {
		errText = "no response"
	}
	return "no answer: " + bound(errText, maxQuoted)
}
