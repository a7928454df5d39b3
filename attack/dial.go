package attack

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"time"
)

// netDialer dials with timeout from the source address src (any, when zero).
func netDialer(timeout time.Duration, src netip.Addr) *net.Dialer {
	d := &net.Dialer{Timeout: timeout}
	if src.IsValid() {
		d.LocalAddr = &net.TCPAddr{IP: src.AsSlice()}
	}
	return d
}

func dial(ctx context.Context, u *url.URL, timeout time.Duration, src netip.Addr) error {
	host := hostPort(u)
	d := netDialer(timeout, src)
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return fmt.Errorf("attack: connect to %s: %w: %w", host, ErrTargetUnreachable, err)
	}
	return conn.Close()
}
