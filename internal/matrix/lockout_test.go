package matrix

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/internal/longtest"
)

// lockout is a limiter with a common bug: a fixed window of n per w that
// starts at the first request, where every rejected request pushes the
// window's end to w after it (the penalty restarts with each retry, like a
// Redis key whose EXPIRE is set again on every over-limit INCR). A client
// that keeps retrying more often than once per w is never let back in; the
// docs promise success again w after being limited.
type lockout struct {
	n   int
	w   time.Duration
	now func() time.Time

	mu    sync.Mutex
	end   time.Time // the current window's end
	count int       // admitted in the current window
}

// admit decides one request arriving now.
func (l *lockout) admit() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if !now.Before(l.end) {
		l.end, l.count = now.Add(l.w), 0
	}
	if l.count < l.n {
		l.count++
		return true
	}
	l.end = now.Add(l.w)
	return false
}

// ServeHTTP answers 200, or 429 when the limiter rejects.
func (l *lockout) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-API-KEY") != testKey {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	if !l.admit() {
		http.Error(w, "too many requests", http.StatusTooManyRequests)
		return
	}
	w.Write([]byte("ok\n"))
}

// TestRecoveryWhileRetried runs the default plan at a limiter that stays
// closed while it is retried: recovery.after-window must fail it, because
// the client retried at a polite rate and was still refused more than the
// promised second after the first rejection.
func TestRecoveryWhileRetried(t *testing.T) {
	t.Parallel()
	longtest.Skip(t, "a run of the default plan, 12 s")
	sc, err := contract{algorithm: "any"}.parse()
	if err != nil {
		t.Fatal(err)
	}
	_, out, err := serveAndRun(t.Context(), sc, &lockout{n: 20, w: time.Second, now: time.Now}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	logChecks(t, out.Verdict)
	for _, c := range out.Verdict.Checks {
		if c.Status == check.Fail && c.ID != check.RecoveryAfterWindow {
			t.Errorf("%s = fail (%s); want only %s to fail", c.ID, c.Message, check.RecoveryAfterWindow)
		}
	}
	if s := status(out.Verdict, check.RecoveryAfterWindow); s != check.Fail {
		t.Errorf("%s = %s; want fail", check.RecoveryAfterWindow, s)
	}
	// The probe retries every 10 ms for 2.5 s right after the over phase,
	// whose first rejection came at least 2 s before the probe ends.
	if m := out.Verdict.Recovery; m == nil || !m.StillClosed || m.Wait < 2*time.Second {
		t.Errorf("Verdict.Recovery = %+v; want still closed for at least 2s", m)
	} else {
		t.Logf("measured recovery: %s", m.Summary)
	}
}
