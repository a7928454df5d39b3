package attack

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"time"
)

func dial(ctx context.Context, u *url.URL, timeout time.Duration) error {
	host := hostPort(u)
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return fmt.Errorf("attack: connect to %s: %w: %w", host, ErrTargetUnreachable, err)
	}
	return conn.Close()
}
