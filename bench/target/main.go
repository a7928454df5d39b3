// Command target is the benchmark's loopback HTTP server: every request gets
// 200, a two-byte body and a pair of X-RateLimit-* headers (so that
// ratecheck's rate-limit header recording does its work), and nothing else.
// Both load generators hit the same instance, so the server's cost is the same
// for both. It listens on loopback only, and imports the standard library
// only: nothing of ratecheck, so that it behaves the same for both tools.
//
// Usage:
//
//	target -addr 127.0.0.1:8089
package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"time"
)

// limit is the X-RateLimit-Limit the target announces: far above any rate the
// benchmark sends, so nothing is ever limited.
const limit = 100_000_000

func main() {
	addr := flag.String("addr", "127.0.0.1:8089", "loopback `host:port` to listen on (port 0 picks one)")
	flag.Parse()
	if err := serve(*addr); err != nil {
		fmt.Fprintln(os.Stderr, "target:", err)
		os.Exit(1)
	}
}

func serve(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("target: parse -addr %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("target: -addr %q: want a loopback IP such as 127.0.0.1", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("target: listen on %s: %w", addr, err)
	}
	// The address goes to stdout so that a caller that asked for port 0 learns the port.
	fmt.Println("listening on", ln.Addr())
	srv := &http.Server{Handler: NewHandler(), ReadHeaderTimeout: 5 * time.Second}
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("target: serve: %w", err)
	}
	return nil
}

// NewHandler returns the target's handler: 200 "ok" with X-RateLimit-Limit
// and an X-RateLimit-Remaining that counts down with every request.
func NewHandler() http.Handler {
	var served atomic.Int64
	limitValue := []string{strconv.Itoa(limit)}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := served.Add(1)
		h := w.Header()
		h["X-Ratelimit-Limit"] = limitValue
		h["X-Ratelimit-Remaining"] = []string{strconv.FormatInt(max(limit-n, 0), 10)}
		h["Content-Type"] = []string{"text/plain"}
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("ok"))
	})
}
