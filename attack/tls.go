package attack

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"time"
)

// ErrTLS means the TLS handshake with an https:// target failed before the
// first phase: its certificate is not trusted, or no common protocol exists.
// It wraps ErrTargetUnreachable, since nothing could be sent.
var ErrTLS = fmt.Errorf("%w: TLS handshake failed", ErrTargetUnreachable)

// TLSConfig builds the client TLS configuration of a run. With caFile, the
// PEM certificates it holds are trusted besides the system's roots (a private
// CA, or a test server's own certificate); with insecure, the target's
// certificate is not verified at all, which every report then says. Giving
// both is an error: one of them would be ignored.
func TLSConfig(caFile string, insecure bool) (*tls.Config, error) {
	switch {
	case caFile != "" && insecure:
		return nil, errors.New("give --ca-file or --insecure, not both: --insecure verifies no certificate, so the CA file would be ignored")
	case insecure:
		return &tls.Config{InsecureSkipVerify: true}, nil // the run's notes and reports say so
	case caFile == "":
		return nil, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("read --ca-file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool() // no system roots on this machine: trust the file alone
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--ca-file %s: no PEM certificate found in it", caFile)
	}
	return &tls.Config{RootCAs: pool}, nil
}

// handshake opens one TLS connection to an https:// target with the run's TLS
// configuration, offering HTTP/2 and HTTP/1.1 as the transport does, and
// returns what was negotiated, e.g. "TLS 1.3, HTTP/2". A failure is ErrTLS,
// with a hint when the certificate is not trusted.
func handshake(ctx context.Context, u *url.URL, cfg *tls.Config, timeout time.Duration, src netip.Addr) (string, error) {
	c := &tls.Config{}
	if cfg != nil {
		c = cfg.Clone()
	}
	c.NextProtos = []string{"h2", "http/1.1"}
	if c.ServerName == "" {
		c.ServerName = u.Hostname()
	}
	d := tls.Dialer{NetDialer: netDialer(timeout, src), Config: c}
	host := hostPort(u)
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		hint := ""
		if _, ok := errors.AsType[x509.UnknownAuthorityError](err); ok {
			hint = " (trust its CA with --ca-file FILE, or skip verification with --insecure)"
		}
		if _, ok := errors.AsType[x509.HostnameError](err); ok {
			hint = " (the certificate names another host)"
		}
		return "", fmt.Errorf("attack: %s: %w: %w%s", host, ErrTLS, err, hint)
	}
	defer conn.Close()
	st := conn.(*tls.Conn).ConnectionState()
	proto := "HTTP/1.1"
	if st.NegotiatedProtocol == "h2" {
		proto = "HTTP/2"
	}
	return tls.VersionName(st.Version) + ", " + proto, nil
}

// hostPort is u's host with its port, the scheme's default when u has none.
func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	port := "80"
	if u.Scheme == "https" {
		port = "443"
	}
	return net.JoinHostPort(u.Hostname(), port)
}
