// Package hostile is a test target that answers like a broken or hostile
// API, one path per behaviour: garbage, duplicated, huge and non-numeric
// rate-limit headers; negative, NaN, overflowing and far-future reset
// values; 10 MB and endless bodies; bodies that stall; connection resets;
// redirects to another host; HTTP/1.0; connections closed unanswered; a
// status line of 200 KB; bytes that are not HTTP.
//
// Every path keeps a limit of Limit requests per second (a fixed window,
// 429 beyond), so a run against it has something to judge. ratecheck must
// give each a verdict: never a panic, a hang past its timeouts, or memory
// that grows with what the target sends. It is test code: it listens only
// where its caller puts it (loopback).
package hostile

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Limit is the requests per second every path admits.
const Limit = 10

// A Case is one hostile behaviour, served at Path.
type Case struct {
	Name string // also the path, "/" + Name
	What string
	// serve answers one request that the limit decided (limited: 429).
	serve func(w http.ResponseWriter, r *http.Request, limited bool, h *handler)
}

// Path is where the case is served.
func (c Case) Path() string { return "/" + c.Name }

// Cases lists every behaviour, in a stable order.
func Cases() []Case { return cases }

// New returns the hostile target. other is the base URL of another host,
// where the redirect cases send the client.
func New(other string) http.Handler {
	h := &handler{other: other, byPath: map[string]Case{}}
	for _, c := range cases {
		h.byPath[c.Path()] = c
	}
	return h
}

type handler struct {
	other  string
	byPath map[string]Case

	mu     sync.Mutex
	window int64 // the second the counts are for
	counts map[string]int
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, ok := h.byPath[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	n, window := h.count(r.URL.Path)
	r = r.WithContext(context.WithValue(r.Context(), countKey{}, [2]int64{int64(n), window}))
	c.serve(w, r, n > Limit, h)
}

// countKey holds, in a request's context, its count in its path's window
// and the window's second.
type countKey struct{}

// count counts the request in its path's fixed one-second window and
// returns its number there (1 is the first) and the window's Unix second.
func (h *handler) count(path string) (int, int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if now := time.Now().Unix(); now != h.window || h.counts == nil {
		h.window, h.counts = now, map[string]int{}
	}
	h.counts[path]++
	return h.counts[path], h.window
}

// status is 429 for a limited request, 200 otherwise.
func status(limited bool) int {
	if limited {
		return http.StatusTooManyRequests
	}
	return http.StatusOK
}

// withHeaders answers with the given header values (nil values are left out).
func withHeaders(limit, remaining, reset, retryAfter string) func(http.ResponseWriter, *http.Request, bool, *handler) {
	return func(w http.ResponseWriter, r *http.Request, limited bool, _ *handler) {
		set := func(name, v string) {
			if v != "" {
				w.Header().Set(name, v)
			}
		}
		set("X-RateLimit-Limit", limit)
		set("X-RateLimit-Remaining", remaining)
		set("X-RateLimit-Reset", reset)
		if limited {
			set("Retry-After", retryAfter)
		}
		w.WriteHeader(status(limited))
		fmt.Fprintf(w, `{"status":%d}`, status(limited))
	}
}

var cases = []Case{
	{Name: "honest", What: "a correct answer with plain X-RateLimit headers (the baseline)",
		serve: func(w http.ResponseWriter, r *http.Request, limited bool, h *handler) {
			c := r.Context().Value(countKey{}).([2]int64)
			remaining := max(Limit-c[0], 0)
			withHeaders(strconv.Itoa(Limit), strconv.FormatInt(remaining, 10), strconv.FormatInt(c[1]+1, 10), "1")(w, r, limited, h)
		}},
	{Name: "garbage-headers", What: "rate-limit headers full of punctuation and symbols",
		serve: withHeaders(`%%%;;"\`, "☃☃☃", "<>{}[]", "@@@")},
	{Name: "non-numeric-headers", What: "words where numbers belong",
		serve: withHeaders("ten", "lots", "tomorrow", "later")},
	{Name: "duplicate-headers", What: "each rate-limit header twice, disagreeing",
		serve: func(w http.ResponseWriter, r *http.Request, limited bool, _ *handler) {
			for _, kv := range [][2]string{{"X-RateLimit-Limit", "10"}, {"X-RateLimit-Limit", "99"}, {"X-RateLimit-Remaining", "5"}, {"X-RateLimit-Remaining", "7"}, {"X-RateLimit-Reset", "1"}, {"X-RateLimit-Reset", "60"}, {"Retry-After", "1"}, {"Retry-After", "120"}} {
				w.Header().Add(kv[0], kv[1])
			}
			w.WriteHeader(status(limited))
		}},
	{Name: "huge-header", What: "a 1 MB X-RateLimit-Remaining",
		serve: withHeaders("10", strings.Repeat("9", 1<<20), "1", "1")},
	{Name: "many-headers", What: "5,000 distinct rate-limit headers",
		serve: func(w http.ResponseWriter, r *http.Request, limited bool, _ *handler) {
			for i := range 5000 {
				w.Header().Set("X-RateLimit-Flood-"+strconv.Itoa(i), "1")
			}
			w.WriteHeader(status(limited))
		}},
	{Name: "negative-reset", What: "negative Reset and Retry-After", serve: withHeaders("10", "0", "-5", "-1")},
	{Name: "nan-reset", What: "NaN Reset and Retry-After", serve: withHeaders("NaN", "NaN", "NaN", "NaN")},
	{Name: "overflow-reset", What: "reset values past every integer type",
		serve: withHeaders("99999999999999999999999999999", "-99999999999999999999999", "99999999999999999999999999999", "1e309")},
	{Name: "far-future-reset", What: "Reset in the year 9999, Retry-After of 292 years",
		serve: withHeaders("10", "0", "253402300799", "9223372036854775807")},
	{Name: "big-body", What: "a 10 MB body",
		serve: func(w http.ResponseWriter, r *http.Request, limited bool, _ *handler) {
			w.Header().Set("Content-Length", strconv.Itoa(10<<20))
			w.WriteHeader(status(limited))
			chunk := []byte(strings.Repeat("x", 64<<10))
			for range 160 {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}},
	{Name: "endless-body", What: "a body that never ends",
		serve: func(w http.ResponseWriter, r *http.Request, limited bool, _ *handler) {
			w.WriteHeader(status(limited))
			chunk := []byte(strings.Repeat("y", 64<<10))
			for r.Context().Err() == nil {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}},
	{Name: "stall-body", What: "a body that stops halfway and never finishes",
		serve: func(w http.ResponseWriter, r *http.Request, limited bool, _ *handler) {
			w.Header().Set("Content-Length", "1000")
			w.WriteHeader(status(limited))
			w.Write([]byte(`{"status":"half`))
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}},
	{Name: "reset", What: "the connection reset (RST) instead of an answer",
		serve: func(w http.ResponseWriter, r *http.Request, limited bool, _ *handler) {
			hijack(w, func(c net.Conn) {
				if tc, ok := c.(*net.TCPConn); ok {
					tc.SetLinger(0) // close sends RST
				}
			})
		}},
	{Name: "close", What: "the connection closed unanswered",
		serve: func(w http.ResponseWriter, r *http.Request, limited bool, _ *handler) {
			hijack(w, func(net.Conn) {})
		}},
	{Name: "http10", What: "an HTTP/1.0 answer, then the connection closed",
		serve: func(w http.ResponseWriter, r *http.Request, limited bool, _ *handler) {
			hijack(w, func(c net.Conn) {
				fmt.Fprintf(c, "HTTP/1.0 %d %s\r\nX-RateLimit-Limit: %d\r\n\r\n{}", status(limited), http.StatusText(status(limited)), Limit)
			})
		}},
	{Name: "redirect", What: "a redirect to another host",
		serve: func(w http.ResponseWriter, r *http.Request, limited bool, h *handler) {
			http.Redirect(w, r, h.other+"/stolen", http.StatusFound)
		}},
	{Name: "redirect-307", What: "a 307 redirect to another host (would resend the key)",
		serve: func(w http.ResponseWriter, r *http.Request, limited bool, h *handler) {
			http.Redirect(w, r, h.other+"/stolen", http.StatusTemporaryRedirect)
		}},
	{Name: "inject", What: "markup, javascript: links, Markdown table breakers and terminal escapes in header names, values and bodies",
		serve: func(w http.ResponseWriter, r *http.Request, limited bool, h *handler) {
			p := Payloads(h.other + "/beacon")
			w.Header().Set("X-RateLimit-Limit", p.Script)
			w.Header().Set("X-RateLimit-Remaining", p.Attr)
			w.Header().Set("X-RateLimit-Reset", p.Link)
			// Go's client refuses control bytes in a header (the whole
			// response fails), so the escapes come in the body only.
			w.Header().Set("Retry-After", p.Link)
			w.Header().Set("X-RateLimit-a|b`c&d'e*f", p.Table)
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(status(limited))
			// The escapes go first and raw (%q would write them as text), so
			// that a body quoted only in part still carries them.
			fmt.Fprintf(w, `{"esc":"%s","error":%q,"attr":%q,"link":%q,"table":%q}`, p.Escapes, p.Script, p.Attr, p.Link, p.Table)
		}},
	{Name: "long-status-line", What: "a 200 KB status code on the status line (Go's client quotes it whole in its error)",
		serve: func(w http.ResponseWriter, r *http.Request, limited bool, _ *handler) {
			hijack(w, func(c net.Conn) { fmt.Fprintf(c, "HTTP/1.1 %s OK\r\n\r\n", strings.Repeat("9x", 100<<10)) })
		}},
	{Name: "raw-garbage", What: "bytes that are not HTTP at all",
		serve: func(w http.ResponseWriter, r *http.Request, limited bool, _ *handler) {
			hijack(w, func(c net.Conn) { c.Write([]byte("\x00\x01\xffNOT HTTP\r\n\x1b[31m\r\n\r\n")) })
		}},
}

// hijack takes the connection from the server, lets do write to it raw, and
// closes it.
func hijack(w http.ResponseWriter, do func(net.Conn)) {
	c, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	buf.Flush()
	do(c)
	c.Close()
}

// InjectPayloads are what the inject case puts in headers and bodies. Each
// would make a report reach Beacon, run script or rewrite a terminal if it
// were not escaped.
type InjectPayloads struct {
	Beacon  string
	Script  string // a script element that fetches the beacon
	Attr    string // breaks out of an attribute into an img that loads the beacon
	Link    string // a javascript: URL as a Markdown link and an href
	Escapes string // ANSI/OSC terminal escapes: colour, title, clear screen
	Table   string // Markdown table cell and code span breakers
}

// Payloads returns the inject case's payloads for the given beacon URL.
func Payloads(beacon string) InjectPayloads {
	return InjectPayloads{
		Beacon:  beacon,
		Script:  `<script>fetch("` + beacon + `/script");alert(1)</script>`,
		Attr:    `"><img src=` + beacon + `/img onerror=alert(1)>`,
		Link:    `[click](javascript:fetch("` + beacon + `/md")) <a href="javascript:alert(1)">x</a>`,
		Escapes: "\x1b[31mred\x1b]0;pwned\x07\x1b[2J",
		Table:   "a | b | `c` ![i](" + beacon + "/mdimg)",
	}
}
