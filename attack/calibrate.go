package attack

import (
	"context"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"time"

	"github.com/ratecheck/ratecheck/plan"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Calibration is what a run can expect of this machine and of the path to the
// target, measured before the first phase without sending a request that a
// limit would count.
type Calibration struct {
	// Connect is the median time to open a TCP connection to the target, a
	// lower bound of one request's latency.
	Connect time.Duration
	// Capacity is the rate, in requests per second, that this process sustained
	// against an in-process sink with the run's connections. 0 when it was not
	// measured because every phase is far below what any machine sends.
	Capacity float64
	// TLS is what the handshake with an https:// target negotiated, e.g.
	// "TLS 1.3, HTTP/2"; "" for http://.
	TLS string
	// Problems names each phase this machine cannot deliver, and why.
	Problems []string
}

// capacityProbeFloor is the fastest phase rate that needs no capacity probe:
// a few hundred requests per second is far below what one core sends.
const capacityProbeFloor = 500.0

// Calibrate measures the connect time to the target and, when the plan has a
// fast phase, this machine's capacity, and reports every phase that would be
// under-delivered: faster than the measured capacity, or needing more
// requests in flight than the run has connections (Little's law: in flight =
// rate × latency, with the connect time as the least latency).
func Calibrate(ctx context.Context, p *plan.Plan, o Options) (Calibration, error) {
	o = o.withDefaults()
	var c Calibration
	rtt, err := connectTime(ctx, o.Target, 5, min(o.Timeout, 5*time.Second), o.SourceAddr)
	if err != nil {
		return c, err
	}
	c.Connect = rtt
	if o.Target.Scheme == "https" {
		if c.TLS, err = handshake(ctx, o.Target, o.TLS, min(o.Timeout, 5*time.Second), o.SourceAddr); err != nil {
			return c, err
		}
	}
	fastest := 0.0
	for _, ph := range p.Phases {
		if !ph.Unpaced() {
			fastest = max(fastest, o.Shard.Rate(ph.Rate))
		}
	}
	if fastest > capacityProbeFloor {
		c.Capacity = sinkCapacity(ctx, o.Connections, 300*time.Millisecond)
	}
	for _, ph := range p.Phases {
		if ph.Unpaced() || ph.Rate <= 0 {
			continue
		}
		ph.Rate = o.Shard.Rate(ph.Rate)
		if c.Capacity > 0 && ph.Rate > 0.9*c.Capacity {
			c.Problems = append(c.Problems, fmt.Sprintf("phase %s asks for %.0f/s, but this machine sent at most %.0f/s to a local sink: it would be under-delivered", ph.Name, ph.Rate, c.Capacity))
		}
		if inFlight := ph.Rate * c.Connect.Seconds(); inFlight > float64(o.Connections) {
			c.Problems = append(c.Problems, fmt.Sprintf("phase %s needs at least %.0f requests in flight (%.0f/s × %s connect time) but the run has %d connections (raise run.connections)", ph.Name, math.Ceil(inFlight), ph.Rate, c.Connect.Round(time.Microsecond), o.Connections))
		}
	}
	return c, nil
}

// connectTime is the median of n TCP connects to the target.
func connectTime(ctx context.Context, u *url.URL, n int, timeout time.Duration, src netip.Addr) (time.Duration, error) {
	times := make([]time.Duration, 0, n)
	for range n {
		start := time.Now()
		if err := dial(ctx, u, timeout, src); err != nil {
			return 0, err
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	return times[len(times)/2], nil
}

// sinkCapacity sends unpaced for d to an in-process HTTP server that answers
// at once, with the given connections, and returns the rate achieved. It
// measures this process's sending capacity, not the target's.
func sinkCapacity(ctx context.Context, connections int, d time.Duration) float64 {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})}
	// This goroutine serves the sink until Close below.
	go srv.Serve(ln)
	defer srv.Close()

	atk := vegeta.NewAttacker(vegeta.Workers(uint64(connections)), vegeta.MaxWorkers(uint64(connections)), vegeta.MaxBody(0))
	stop := context.AfterFunc(ctx, func() { atk.Stop() })
	defer stop()
	tgt := vegeta.Target{Method: "GET", URL: "http://" + ln.Addr().String() + "/"}
	var n int
	var first, last time.Time
	for r := range atk.Attack(vegeta.NewStaticTargeter(tgt), phasePacer{PerSec: math.Inf(1), Count: math.MaxUint64}, d, "calibrate") {
		if r.Code == 0 {
			continue
		}
		if n == 0 || r.Timestamp.Before(first) {
			first = r.Timestamp
		}
		if r.Timestamp.After(last) {
			last = r.Timestamp
		}
		n++
	}
	if n < 2 || !last.After(first) {
		return 0
	}
	return float64(n-1) / last.Sub(first).Seconds()
}
