package attack

import (
	"io"
	"net/http"
)

// maxDrain is how much of a body past the snippet is read and thrown away, so
// that the connection can carry the next request. A longer body (10 MB, or
// one that never ends) costs its connection instead: reading it would cost
// time and CPU growing with what the target sends.
const maxDrain = 64 << 10

// bodyCap is a RoundTripper whose response bodies end after max bytes.
// vegeta reads a body to its end to reuse the connection; past max, the body
// reports EOF and closing it closes the connection unread.
type bodyCap struct {
	next http.RoundTripper
	max  int64
}

func (b bodyCap) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := b.next.RoundTrip(req)
	if err == nil && resp.Body != nil {
		resp.Body = &cappedBody{rc: resp.Body, left: b.max}
	}
	return resp, err
}

// cappedBody reads at most left bytes of rc.
type cappedBody struct {
	rc   io.ReadCloser
	left int64
}

func (c *cappedBody) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.rc.Read(p)
	c.left -= int64(n)
	return n, err
}

func (c *cappedBody) Close() error { return c.rc.Close() }
