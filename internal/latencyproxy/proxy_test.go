package latencyproxy

import (
	"bytes"
	"crypto/rand"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestStartRefuses(t *testing.T) {
	tests := []struct {
		name, target string
		link         Link
		want         string
	}{
		{"private address", "10.0.0.1:80", Link{}, "not a loopback address"},
		{"host name", "example.com:80", Link{}, "not a loopback address"},
		{"no port", "127.0.0.1", Link{}, "missing port"},
		{"negative delays", "127.0.0.1:80", Link{Delay: 10 * time.Millisecond, Jitter: 20 * time.Millisecond}, "exceeds delay"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Start(tt.target, tt.link)
			if err == nil {
				p.Close()
				t.Fatalf("Start(%q, %v) = nil error; want one containing %q", tt.target, tt.link, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Start(%q, %v) = %v; want it to contain %q", tt.target, tt.link, err, tt.want)
			}
		})
	}
}

// start runs a proxy to target for the test's lifetime.
func start(t *testing.T, target string, link Link) *Proxy {
	t.Helper()
	p, err := Start(target, link)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// TestDelaysEachWay sends HTTP requests through a 30 ms ± 15 ms link: every
// round trip takes at least twice the least one-way delay, every chunk's delay
// lies within the link's bounds, and the delays spread over the jitter.
func TestDelaysEachWay(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer srv.Close()
	link := Link{Delay: 30 * time.Millisecond, Jitter: 15 * time.Millisecond}
	p := start(t, srv.Listener.Addr().String(), link)
	lo, hi := link.Bounds()
	client := &http.Client{Transport: &http.Transport{}}
	for i := range 12 {
		// A new connection for some, so that delays of several connections are seen.
		if i%4 == 0 {
			client.CloseIdleConnections()
		}
		start := time.Now()
		resp, err := client.Get("http://" + p.Addr() + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		rtt := time.Since(start)
		if string(body) != "ok" {
			t.Fatalf("body = %q; want ok", body)
		}
		if rtt < 2*lo {
			t.Errorf("request %d took %v; want at least twice the least one-way delay, %v", i, rtt, 2*lo)
		}
	}
	s := p.Stats()
	if s.Conns != 3 {
		t.Errorf("Stats.Conns = %d; want 3", s.Conns)
	}
	if s.Least < lo || s.Most > hi {
		t.Errorf("delays applied %v..%v; want within the link's %v..%v", s.Least, s.Most, lo, hi)
	}
	// 24 or more uniform draws over 30 ms all within a 15 ms span: chance
	// below 2⁻²³.
	if s.Most-s.Least < link.Jitter {
		t.Errorf("delays applied %v..%v over %d chunks; want them spread over more than %v", s.Least, s.Most, s.Chunks, link.Jitter)
	}
}

// TestKeepsBytesInOrder echoes 1 MiB through a jittered link, written in
// small pieces that each get their own delay: it comes back whole, in order.
func TestKeepsBytesInOrder(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	// This goroutine echoes one connection and exits when it ends.
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		io.Copy(c, c)
	}()
	p := start(t, ln.Addr().String(), Link{Delay: 2 * time.Millisecond, Jitter: 2 * time.Millisecond})
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	want := make([]byte, 1<<20)
	rand.Read(want)
	// This goroutine writes in pieces, then half-closes, and exits.
	go func() {
		for b := want; len(b) > 0; {
			n := min(len(b), 7919)
			c.Write(b[:n])
			b = b[n:]
		}
		c.(*net.TCPConn).CloseWrite()
	}()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("echoed %d bytes, equal = false; want the %d sent, in order", len(got), len(want))
	}
	if s := p.Stats(); s.Chunks < 2 {
		t.Errorf("Stats.Chunks = %d; want the stream relayed in several chunks", s.Chunks)
	}
}

// TestCloseCutsConnections: Close returns once every relay has ended, and a
// client waiting on a relayed connection sees it end.
func TestCloseCutsConnections(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	// This goroutine holds one connection open without answering, until the proxy cuts it.
	go func() {
		c, err := ln.Accept()
		if err == nil {
			io.Copy(io.Discard, c)
			c.Close()
		}
	}()
	p, err := Start(ln.Addr().String(), Link{Delay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("hello"))
	for p.Stats().Chunks == 0 {
		time.Sleep(time.Millisecond)
	}
	done := make(chan error, 1)
	// This goroutine closes the proxy and exits when Close returns.
	go func() { done <- p.Close() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return within 10 s")
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil || strings.Contains(err.Error(), "timeout") {
		t.Errorf("read after Close = %v; want the connection ended", err)
	}
}
