package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

func TestHandler(t *testing.T) {
	srv := httptest.NewServer(NewHandler())
	defer srv.Close()
	prev := int64(limit)
	for i := range 3 {
		resp, err := http.Get(srv.URL + "/anything")
		if err != nil {
			t.Fatalf("GET %d: %v", i, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("read body %d: %v", i, err)
		}
		if resp.StatusCode != 200 || string(body) != "ok" {
			t.Errorf("GET %d = %d %q; want 200 \"ok\"", i, resp.StatusCode, body)
		}
		if got := resp.Header.Get("X-RateLimit-Limit"); got != strconv.Itoa(limit) {
			t.Errorf("GET %d: X-RateLimit-Limit = %q; want %d", i, got, limit)
		}
		rem, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Remaining"), 10, 64)
		if err != nil || rem != prev-1 {
			t.Errorf("GET %d: X-RateLimit-Remaining = %d (%v); want %d", i, rem, err, prev-1)
		}
		prev = rem
	}
}

func TestServeRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.168.1.2:0", "localhost:0", "nonsense"} {
		if err := serve(addr); err == nil {
			t.Errorf("serve(%q) = nil; want an error (loopback IPs only)", addr)
		}
	}
}
