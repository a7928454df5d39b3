package attack

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"time"
)

func dial(ctx context.Context, u *url.URL, timeout time.Duration) error {
	host := u.Host
	if u.Port() == "" {
		port := "80"
		if u.Scheme == "https" {
			port = "443"
		}
		host = net.JoinHostPort(u.Hostname(), port)
	}
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return fmt.Errorf("attack: connect to %s: %w: %w", host, ErrTargetUnreachable, err)
	}
	return conn.Close()
}
