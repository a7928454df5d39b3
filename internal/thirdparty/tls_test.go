package thirdparty

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/ratecheck/ratecheck/internal/longtest"
)

// serveTLS starts h on loopback over TLS with HTTP/2 offered, for the test's
// lifetime, and returns its URL, a TLS configuration that trusts it, and a
// count of the requests that reached h over HTTP/2 and over HTTP/1.x.
func serveTLS(t *testing.T, h http.Handler) (*url.URL, *tls.Config, *[2]atomic.Int64) {
	t.Helper()
	var protos [2]atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor == 2 {
			protos[0].Add(1)
		} else {
			protos[1].Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	srv.EnableHTTP2 = true
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return u, &tls.Config{RootCAs: pool}, &protos
}

// tlsRuns are libraries served over TLS with HTTP/2, where every request of
// the run shares one connection as concurrent streams: a burst reaches the
// limiter as streams of one connection, not as requests on many. The
// verdict must not change: a correct limiter passes.
func tlsRuns(t *testing.T) []*run {
	runs, _ := tlsRunsCounted(t)
	return runs
}

// tlsRunsCounted is tlsRuns with each run's requests counted by protocol
// (HTTP/2, HTTP/1.x), by run name.
func tlsRunsCounted(t *testing.T) ([]*run, map[string]*[2]atomic.Int64) {
	var runs []*run
	counts := map[string]*[2]atomic.Int64{}
	for _, lib := range libraries {
		if lib.name != "xrate" && lib.name != "ulule" {
			continue
		}
		u, cfg, protos := serveTLS(t, lib.handler(t))
		counts[lib.name+"-h2/declared"] = protos
		runs = append(runs, &run{name: lib.name + "-h2/declared", contract: lib.contract, want: allPass.with(lib.breaks),
			bugs: lib.bugs, facts: &lib.facts, warns: lib.warns, target: u, tls: cfg})
	}
	return runs, counts
}

// TestTLSLimiters runs ratecheck against libraries behind TLS with HTTP/2,
// and checks that the requests went over HTTP/2.
func TestTLSLimiters(t *testing.T) {
	longtest.Skip(t, "two runs of a 20/s plan over TLS and HTTP/2, 13 s")
	t.Parallel()
	runs, counts := tlsRunsCounted(t)
	executeAll(t, runs)
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			if h2, h1 := counts[r.name][0].Load(), counts[r.name][1].Load(); h2 == 0 || h1 != 0 {
				t.Errorf("requests by protocol: HTTP/2 %d, HTTP/1.x %d; want every one over HTTP/2", h2, h1)
			}
			r.judge(t)
		})
	}
}
