package attack

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
)

// An Attack is a plan being sent. Its observations arrive on Observations until
// every phase has ended (or the context was cancelled and in-flight requests
// have returned), and then the channel is closed.
type Attack struct {
	started time.Time     // real time of offset 0
	base    time.Time     // a reading of the monotonic clock at Start: every Sent is measured from it
	skew    time.Duration // Options.ClockSkew: added to every time the attack reports
	origins []time.Time   // per plan phase: when it was launched; written before its first observation is sent on out
	out     chan results.Observation

	backedOff atomic.Pointer[string] // why the attack stopped early, set once
}

// Started is when the attack began: offset 0 of the plan's phases.
func (a *Attack) Started() time.Time { return a.started.Add(a.skew) }

// PhaseStarted is when plan phase i was launched: the origin of its pacing
// schedule (request k is due k/Rate after it), a little after Started plus
// the phase's planned Start. It is zero for a phase that sent nothing or an
// out-of-range i. Read it for a phase once one of its observations has been
// received, or for any phase once Observations is closed.
func (a *Attack) PhaseStarted(i int) time.Time {
	if i < 0 || i >= len(a.origins) {
		return time.Time{}
	}
	if a.origins[i].IsZero() {
		return time.Time{}
	}
	return a.origins[i].Add(a.skew)
}

// Observations is the stream of requests as they complete, not in send order;
// Seq orders them by send time.
func (a *Attack) Observations() <-chan results.Observation { return a.out }

// phaseRun is one phase ready to send.
type phaseRun struct {
	index   int
	phase   plan.Phase
	target  vegeta.Target
	seqBase uint64 // global sequence number of the phase's first request
}

// Start begins sending the plan's traffic and returns at once. Cancelling ctx
// stops every phase: no new request is sent, and the stream closes when the
// requests in flight have returned.
func Start(ctx context.Context, p *plan.Plan, o Options) (*Attack, error) {
	o = o.withDefaults()
	bad, err := madeUpKey()
	if err != nil {
		return nil, err
	}
	o.badKey = bad
	if o.Target == nil || (o.Target.Scheme != "http" && o.Target.Scheme != "https") || o.Target.Host == "" {
		return nil, errors.New("attack: the target must be an http:// or https:// URL with a host")
	}
	runs, err := phaseRuns(p, o)
	if err != nil {
		return nil, err
	}
	started := time.Now()
	if !o.StartAt.IsZero() {
		started = o.StartAt.Add(-o.ClockSkew)
	}
	a := &Attack{started: started, base: time.Now(), skew: o.ClockSkew, origins: make([]time.Time, len(p.Phases)), out: make(chan results.Observation, 4096)}
	ctx, backOff := context.WithCancel(ctx)
	rails := newRails(o, func(reason string) {
		a.backedOff.Store(&reason)
		backOff()
	})
	// This goroutine exits after the last phase has been launched and every
	// phase's results have been forwarded, or soon after ctx is cancelled
	// (by the caller, or by the backoff from a failing target).
	go func() {
		defer backOff()
		a.run(ctx, runs, o, rails, recordingOf(p, o))
	}()
	return a, nil
}

// phaseRuns prepares every phase that sends, numbering requests across phases
// in plan order so that Seq is unique and follows the schedule.
func phaseRuns(p *plan.Plan, o Options) ([]phaseRun, error) {
	var runs []phaseRun
	for i, ph := range p.Phases {
		if !ph.Unpaced() && (o.Shard.Requests(ph.Requests) <= 0 || ph.Rate <= 0) {
			continue
		}
		if ph.Source < 0 || ph.Source > len(o.OtherSources) {
			return nil, fmt.Errorf("attack: phase %q sends from source address %d, but the run has %d", ph.Name, ph.Source+1, len(o.OtherSources)+1)
		}
		tgt, err := phaseTarget(p.Scenario, ph, o)
		if err != nil {
			return nil, err
		}
		runs = append(runs, phaseRun{index: i, phase: ph, target: tgt, seqBase: p.FirstSeq(i)})
	}
	return runs, nil
}

// BackedOff says why the attack stopped sending early because the target
// was failing (most answers 5xx or none), or "" when it did not. Read it
// once Observations is closed.
func (a *Attack) BackedOff() string {
	if s := a.backedOff.Load(); s != nil {
		return *s
	}
	return ""
}

func (a *Attack) run(ctx context.Context, runs []phaseRun, o Options, rails *rails, rec *recording) {
	defer close(a.out)
	clients := o.clients()
	red := newRedactor(withKey(o.Keys, o.badKey))
	var wg sync.WaitGroup
	defer wg.Wait()
	for _, r := range runs {
		if !sleepUntil(ctx, a.started.Add(r.phase.Start)) {
			return
		}
		count := o.Shard.Requests(r.phase.Requests)
		pacer, du := phasePacer{PerSec: r.phase.Rate, Count: uint64(count), Burst: r.phase.Burst, Shard: o.Shard, Rails: rails}, time.Duration(0)
		workers := uint64(min(int64(max(o.Connections, r.phase.Burst)), count))
		if r.phase.Unpaced() {
			pacer.Count, du, workers = math.MaxUint64, r.phase.Duration, uint64(o.Connections)
		}
		atk := vegeta.NewAttacker(
			vegeta.Client(clients[r.phase.Source]),
			vegeta.Workers(workers),
			vegeta.MaxWorkers(workers),
			vegeta.MaxBody(o.MaxBody),
		)
		// vegeta paces from when Attack begins; its first hit is due at once.
		// Shards that share a start time keep to the shared schedule: a
		// phase launched late sends its overdue requests at once.
		a.origins[r.index] = time.Now()
		if !o.StartAt.IsZero() {
			planned := a.started.Add(r.phase.Start)
			pacer.Late = max(a.origins[r.index].Sub(planned), 0)
			a.origins[r.index] = planned
		}
		if !r.phase.Unpaced() {
			du = phaseEnd(r.phase, pacer.Late)
		}
		res := atk.Attack(vegeta.NewStaticTargeter(r.target), pacer, du, r.phase.Name)
		wg.Add(1)
		// This goroutine forwards one phase's results and exits when vegeta
		// closes the phase's channel (all hits sent and returned, or Stop).
		go func(r phaseRun) {
			defer wg.Done()
			stop := context.AfterFunc(ctx, func() { atk.Stop() })
			defer stop()
			for res := range res {
				// vegeta stamps each phase's requests from that phase's
				// own reading of the wall clock; measured from one base,
				// every phase is on one timeline even if the wall clock
				// is stepped during the run (a VM resumed, NTP).
				res.Timestamp = a.base.Add(res.Timestamp.Sub(a.base)).Add(a.skew)
				obs := observation(res, r.seqBase+o.Shard.Request(res.Seq), r.index, r.phase.Endpoint, r.phase.Key, rec, red, o.MaxBody)
				rails.observe(obs.Status, obs.Error, r.phase.Kind)
				a.out <- obs
			}
		}(r)
	}
}

// phaseGrace is how long after its planned end a paced phase may still send
// requests that fell due before it: the scheduling delays of a loaded
// machine (hundreds of ms at a load of 30 on 2 cores), not a backlog. Phases
// start at their planned times, so the run ends at most this long after its
// plan (plus the requests then in flight).
const phaseGrace = time.Second

// phaseEnd is how long after its launch a paced phase stops sending, late
// hits or not: its planned duration plus phaseGrace, less how late it was
// launched (late is > 0 only for shards keeping to a shared schedule). A
// machine that cannot reach the phase's rate sends fewer requests, which the
// report shows as a shortfall, and the run still ends on time.
func phaseEnd(ph plan.Phase, late time.Duration) time.Duration {
	return max(ph.Duration+phaseGrace-late, phaseGrace)
}

// sleepUntil waits until t and reports whether ctx is still live.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// ErrTargetUnreachable means no connection could be made to the target before
// anything was sent.
var ErrTargetUnreachable = errors.New("target unreachable")
