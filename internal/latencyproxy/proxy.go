// Package latencyproxy puts a target far away for tests: a TCP proxy on
// loopback that holds every byte for a one-way delay with jitter, in each
// direction, as a distant link does (netem is not available to unprivileged
// tests). Each chunk read from one side is delivered to the other after
// Delay ± Jitter, drawn uniformly and bounded; bytes of one connection keep
// their order (TCP reassembles what the link reorders, so a late chunk holds
// back the ones behind it), while requests on different connections overtake
// each other as they would on a real link.
//
// It only ever listens on and connects to loopback addresses. It imports the
// standard library only; tests of any package may use it.
package latencyproxy

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"time"
)

// Link is the path between client and target, one way.
type Link struct {
	Delay  time.Duration // the mean one-way delay
	Jitter time.Duration // each delay is drawn uniformly from Delay ± Jitter
}

// String is "50ms ± 25ms one way".
func (l Link) String() string { return fmt.Sprintf("%v ± %v one way", l.Delay, l.Jitter) }

// Bounds are the least and greatest one-way delay the link applies.
func (l Link) Bounds() (lo, hi time.Duration) { return max(l.Delay-l.Jitter, 0), l.Delay + l.Jitter }

// Proxy accepts connections on a loopback address and relays each to the
// target through the link.
type Proxy struct {
	link   Link
	target string
	ln     net.Listener

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
	stats  Stats
}

// Stats counts what the proxy relayed.
type Stats struct {
	Conns  int           // connections accepted
	Chunks int           // chunks relayed, both directions
	Least  time.Duration // least delay applied to a chunk
	Most   time.Duration // greatest delay applied to a chunk
}

// Start listens on 127.0.0.1 and relays every connection to target (a
// loopback host:port) through link. Close stops it.
func Start(target string, link Link) (*Proxy, error) {
	if err := loopback(target); err != nil {
		return nil, err
	}
	if link.Jitter > link.Delay {
		return nil, fmt.Errorf("latencyproxy: jitter %v exceeds delay %v: a delay cannot be negative", link.Jitter, link.Delay)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("latencyproxy: listen: %w", err)
	}
	p := &Proxy{link: link, target: target, ln: ln, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	// This goroutine accepts until Close closes the listener.
	go p.accept()
	return p, nil
}

// loopback refuses any target that is not a loopback address.
func loopback(target string) error {
	host, _, err := net.SplitHostPort(target)
	if err != nil {
		return fmt.Errorf("latencyproxy: target %q: %w", target, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("latencyproxy: target %q is not a loopback address", target)
	}
	return nil
}

// Addr is the proxy's address, host:port on 127.0.0.1.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Stats returns what the proxy has relayed so far.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

// Close stops accepting, cuts every relayed connection and waits for the
// proxy's goroutines to end.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	err := p.ln.Close()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			client.Close()
			continue
		}
		if !p.track(client, server) {
			return
		}
		p.wg.Add(1)
		// This goroutine relays the connection both ways and exits when both
		// directions have ended, or Close cuts the connections.
		go p.pair(client, server)
	}
}

// pair relays client and server both ways, then closes and forgets both.
func (p *Proxy) pair(client, server net.Conn) {
	defer p.wg.Done()
	var wg sync.WaitGroup
	// Each goroutine relays one direction and exits when its source ends.
	wg.Go(func() { p.relay(server, client) })
	wg.Go(func() { p.relay(client, server) })
	wg.Wait()
	p.mu.Lock()
	delete(p.conns, client)
	delete(p.conns, server)
	p.mu.Unlock()
	client.Close()
	server.Close()
}

// track registers both ends of a relayed connection, or closes them and
// reports false when the proxy is closing.
func (p *Proxy) track(a, b net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		a.Close()
		b.Close()
		return false
	}
	p.conns[a], p.conns[b] = struct{}{}, struct{}{}
	p.stats.Conns++
	return true
}

// chunk is bytes read from one side and when they are due at the other.
type chunk struct {
	data []byte
	due  time.Time
}

// relay copies src to dst through the link: a reader stamps each chunk with
// its due time, a writer delivers it then. The queue between them is bounded,
// so a slow reader of dst holds back src as TCP would.
func (p *Proxy) relay(dst, src net.Conn) {
	queue := make(chan chunk, 256)
	done := make(chan struct{})
	// This goroutine delivers queued chunks and exits when the queue is
	// closed and drained, or a write fails.
	go func() {
		defer close(done)
		for c := range queue {
			time.Sleep(time.Until(c.due))
			if _, err := dst.Write(c.data); err != nil {
				src.Close()
				for range queue { // drain so the reader never blocks
				}
				return
			}
		}
		if tc, ok := dst.(*net.TCPConn); ok {
			tc.CloseWrite() // pass on the end of the stream, after its last byte
		}
	}()
	var last time.Time
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			d := p.delay()
			due := time.Now().Add(d)
			if due.Before(last) {
				due = last // in order within the connection
			}
			last = due
			p.count(d)
			queue <- chunk{data: append([]byte(nil), buf[:n]...), due: due}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				dst.Close()
			}
			break
		}
	}
	close(queue)
	<-done
}

// delay draws one chunk's one-way delay.
func (p *Proxy) delay() time.Duration {
	lo, hi := p.link.Bounds()
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(rand.Int64N(int64(hi-lo)+1))
}

func (p *Proxy) count(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := &p.stats
	if s.Chunks == 0 || d < s.Least {
		s.Least = d
	}
	s.Most = max(s.Most, d)
	s.Chunks++
}
