package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/ratecheck/ratecheck/internal/reftarget"
	"github.com/ratecheck/ratecheck/scenarios"
)

// targetServer is the reference target listening on a loopback address.
type targetServer struct {
	srv *http.Server
	URL *url.URL
	err chan error
}

// startTarget serves the scenario's reference target on addr (":0" ports pick a
// free one). keys maps key id → key; extra options follow them.
func startTarget(sc *scenarios.Scenario, addr string, keys map[string]string, fault string, extra ...reftarget.Option) (*targetServer, error) {
	opts := append([]reftarget.Option{reftarget.Keys(byValue(keys))}, extra...)
	if fault != "" {
		if _, err := reftarget.ParseFault(fault); err != nil {
			return nil, &usageError{err: err}
		}
		opts = append(opts, reftarget.Fault(fault))
	}
	h := reftarget.New(sc, opts...)
	if err := h.Err(); err != nil {
		return nil, &usageError{err: fmt.Errorf("reference target for %s: %w", sc.File, err)}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, &usageError{err: fmt.Errorf("listen on %s: %w", addr, err)}
	}
	t := &targetServer{
		srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second},
		URL: &url.URL{Scheme: "http", Host: ln.Addr().String()},
		err: make(chan error, 1),
	}
	// This goroutine serves until Close shuts the server down.
	go func() {
		if err := t.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			t.err <- err
		}
		close(t.err)
	}()
	return t, nil
}

// Close stops the server, letting requests in flight finish for a moment.
func (t *targetServer) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return t.srv.Shutdown(ctx)
}
