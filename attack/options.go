package attack

import (
	"crypto/tls"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"time"

	"github.com/ratecheck/ratecheck/plan"
)

// DefaultMaxBody is how many bytes of each response body are kept as the
// evidence snippet. vegeta reads bodies without bound unless told otherwise.
const DefaultMaxBody = 1024

// MaxResponseHeaderBytes bounds the header block of one response; a target
// that sends more gets a transport error for that request.
const MaxResponseHeaderBytes = 256 << 10

// Options say where and how to send a plan's traffic.
type Options struct {
	// Target is the base URL; endpoint paths are joined to it.
	Target *url.URL
	// Keys maps a key id of the scenario to the key itself. The values are put in
	// request headers and nowhere else.
	Keys map[string]string
	// Connections bounds the concurrent requests (vegeta workers) of a phase and
	// the idle connections kept to the target. Default 32.
	Connections int
	// Timeout bounds each request. Default 10 s.
	Timeout time.Duration
	// MaxBody bounds the body snippet kept per observation. Default DefaultMaxBody.
	MaxBody int64
	// Headers names response headers to record besides the rate-limit ones found
	// by name (those containing "ratelimit" or "rate-limit", and Retry-After)
	// and those the plan's scenario declares, under their names or aliases
	// (scenarios.Headers; its ignored names are never recorded).
	Headers []string
	// TLS is the client TLS configuration for an https:// target (see
	// TLSConfig); nil verifies against the system's roots. HTTP/2 is used when
	// the server offers it.
	TLS *tls.Config
	// MaxRequests, when positive, is a hard cap on the requests the attack
	// sends, whatever its plan says.
	MaxRequests int64
	// MaxRate, when positive, is a hard cap on the requests per second the
	// attack sends, all phases together, whatever its plan says.
	MaxRate float64
	// Transport replaces the HTTP transport (tests); nil uses a tuned default.
	Transport http.RoundTripper
	// Shard is the part of the plan this process sends; the zero Shard sends
	// it all. A sharded run also records each response's Date header, the
	// reference a merge estimates the shards' clock offsets from.
	Shard plan.Shard
	// StartAt, if set, is when offset 0 of the plan falls (shards that share it
	// begin together); the attack waits for it. Zero starts at once.
	StartAt time.Time
	// SourceAddr, when set, is the local address every connection is made
	// from: shards on one machine (127.0.0.2, 127.0.0.3, … all reach
	// loopback on Linux) show a per-IP limit several clients.
	SourceAddr netip.Addr
	// OtherSources are the further local addresses a plan's phases may send
	// from: a phase with Source i ≥ 1 connects from OtherSources[i-1], so a
	// per-IP limit sees a second client.
	OtherSources []netip.Addr
	// badKey is the made-up key of the PhaseBadKey requests (Start sets it).
	badKey string
	// ClockSkew makes the run behave as on a machine whose clock reads
	// ClockSkew ahead of the real time: it waits for StartAt on that clock and
	// records every time as read from it. For tests of the shard merge.
	ClockSkew time.Duration
}

func (o Options) withDefaults() Options {
	if o.Connections <= 0 {
		o.Connections = 32
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.Shard.Sharded() && !slices.Contains(o.Headers, "Date") {
		o.Headers = append(slices.Clip(o.Headers), "Date")
	}
	return o
}

// clients builds one HTTP client per source address (Phase.Source indexes
// them): the default, then OtherSources.
func (o Options) clients() []*http.Client {
	out := []*http.Client{o.client()}
	for _, a := range o.OtherSources {
		other := o
		other.SourceAddr = a
		out = append(out, other.client())
	}
	return out
}

// client builds the one HTTP client all phases of a source share, so
// connections stay warm across phases. Redirects are not followed: a 3xx is
// the answer we observe.
func (o Options) client() *http.Client {
	tr := o.Transport
	if tr == nil {
		tr = &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			MaxIdleConns:        o.Connections * 2,
			MaxIdleConnsPerHost: o.Connections * 2,
			IdleConnTimeout:     90 * time.Second,
			ForceAttemptHTTP2:   true, // also with TLSClientConfig set
			TLSClientConfig:     o.TLS.Clone(),
			// Go's default, 10 MB, lets every connection of a hostile target
			// hold that much at once; rate-limit headers are tens of bytes.
			MaxResponseHeaderBytes: MaxResponseHeaderBytes,
			DialContext:            netDialer(30*time.Second, o.SourceAddr).DialContext,
		}
	}
	return &http.Client{
		Transport: bodyCap{next: tr, max: o.MaxBody + maxDrain},
		Timeout:   o.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
