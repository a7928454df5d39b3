package conformance

import (
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// TestBudgetAttribution checks which 429s a longer limit explains by the
// run's own count: only once the admissions (or, for a limit counting every
// request, the answers) sent before the 429 reach its budget,
// within its window, for the same client, until it admits past its budget;
// a bucket's budget grows with its refill (rounded up, as
// model.Family.MostAdmitted says).
func TestBudgetAttribution(t *testing.T) {
	ms := time.Millisecond
	ok := func(key string, at time.Duration) results.Observation {
		return results.Observation{KeyID: key, Endpoint: "list", Sent: base.Add(at), Latency: ms, Status: 200}
	}
	no := func(key string, at, lat time.Duration) results.Observation {
		return results.Observation{KeyID: key, Endpoint: "list", Sent: base.Add(at), Latency: lat, Status: 429}
	}
	five := func(key string) []results.Observation {
		var out []results.Observation
		for i := range 5 {
			out = append(out, ok(key, time.Duration(i)*100*ms))
		}
		return out
	}
	tests := []struct {
		name string
		algo scenarios.Algorithm
		obs  []results.Observation // the last one is judged
		want bool
	}{
		{"budget spent", scenarios.AlgoFixedWindow, append(five("a"), no("a", 500*ms, ms)), true},
		{"budget not spent", scenarios.AlgoFixedWindow, append(five("a")[:4], no("a", 500*ms, ms)), false},
		// The fifth admission may have been decided first: the 429 may be
		// the longer limit's, not the tested limit's early one.
		{"sent before the last admission was answered", scenarios.AlgoFixedWindow, append(five("a"), no("a", 400*ms, ms)), true},
		{"another key's budget", scenarios.AlgoFixedWindow, append(five("a"), no("b", 500*ms, ms)), false},
		{"past the window", scenarios.AlgoFixedWindow, append(five("a"), no("a", time.Minute, ms)), false},
		{"admitted past the budget since", scenarios.AlgoFixedWindow, append(five("a"), ok("a", 500*ms), no("a", 600*ms, ms)), false},
		{"a bucket refilled meanwhile", scenarios.AlgoTokenBucket, append(five("a"), no("a", 30*time.Second, ms)), false},
		{"a bucket not spent: a token may have come back", scenarios.AlgoTokenBucket, append(five("a"), no("a", 500*ms, ms)), false},
		{"a bucket spent", scenarios.AlgoTokenBucket, append(five("a"), ok("a", 500*ms), no("a", 600*ms, ms)), true},
		// A limit that counts every request reaching it (a middleware stacked
		// outside the tested one's) runs out after that many answers.
		{"spent by answers, the refused ones counted", scenarios.AlgoFixedWindow, []results.Observation{
			ok("a", 0), ok("a", 100*ms), ok("a", 200*ms), no("a", 300*ms, ms), no("a", 400*ms, ms), no("a", 500*ms, ms)}, true},
		// The fifth request, sent before the 429, is answered after it
		// (observations come as their answers do): it may have been counted
		// first. Without the gap in seqs, four counted do not spend five.
		{"a request sent before it still in flight", scenarios.AlgoFixedWindow, numbered(
			ok("a", 0), ok("a", 100*ms), ok("a", 200*ms), ok("a", 300*ms), no("a", 450*ms, ms)).skip(4), true},
		{"every request sent before it observed", scenarios.AlgoFixedWindow, numbered(
			ok("a", 0), ok("a", 100*ms), ok("a", 200*ms), ok("a", 300*ms), no("a", 450*ms, ms)), false},
		{"spent by answers, then admitted past them", scenarios.AlgoFixedWindow, []results.Observation{
			ok("a", 0), ok("a", 100*ms), ok("a", 200*ms), no("a", 300*ms, ms), no("a", 400*ms, ms), ok("a", 500*ms), no("a", 600*ms, ms)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := planOf(limitOf(2, time.Second, scenarios.AlgoAny), standardPhases)
			p.Scenario.Limits = append(p.Scenario.Limits, scenarios.Limit{Name: "per-minute", Requests: 5, Window: time.Minute,
				Scope: scenarios.ScopeKey, Algorithm: tt.algo})
			ba := newBudgetAttribution(p, p.TestedLimit())
			var got bool
			for _, o := range tt.obs {
				got = ba.spent(o)
			}
			if got != tt.want {
				t.Errorf("spent(last) = %v; want %v", got, tt.want)
			}
		})
	}
	if ba := newBudgetAttribution(planOf(limitOf(2, time.Second, scenarios.AlgoAny), standardPhases), nil); ba != nil {
		t.Errorf("newBudgetAttribution with no tested limit = %+v; want nil", ba)
	}
}

// twoWindows is a server keeping a per-second window on the clock (the
// tested limit, with fault f) and a minute's budget from each key's first
// admission.
type twoWindows struct {
	second *clockWindow
	budget int64
	spent  map[string]int64
}

func (s *twoWindows) decide(at time.Time, key string) int {
	if s.spent[key] >= s.budget {
		return 429
	}
	st := s.second.decide(at, key)
	if st == 200 {
		s.spent[key]++
	}
	return st
}

// TestALongerLimitSpentIsNoEarlyRejection runs a per-second limit of 20
// beside a per-minute one of 50, at 1.5 times the per-second limit: the
// minute's budget is spent in the third second, and everything after it is
// refused. Those 429s are the minute's, not early rejections of the limit
// tested; an early per-second limit is still caught before the budget runs
// out.
func TestALongerLimitSpentIsNoEarlyRejection(t *testing.T) {
	for _, tt := range []struct {
		f     fault
		fails []check.ID
	}{{faultNone, nil}, {faultEarly, []check.ID{check.LimitNoEarlyReject}}} {
		t.Run(string(tt.f), func(t *testing.T) {
			p := planOf(limitOf(20, time.Second, scenarios.AlgoFixedWindow), []phaseSpec{{"over", scenarios.PhaseOver, 1.5, 6 * time.Second}})
			p.Scenario.Limits = append(p.Scenario.Limits, scenarios.Limit{Name: "per-minute", Requests: 50, Window: time.Minute,
				Scope: scenarios.ScopeKey, Algorithm: scenarios.AlgoFixedWindow})
			srv := &twoWindows{second: newClockWindow(20, time.Second, base.Add(370*time.Millisecond), tt.f), budget: 50, spent: map[string]int64{}}
			v := Check(p, seqOf(serve(client(p, []string{"k1"}, fixedLatency(200*time.Microsecond), 3), srv)))
			for _, c := range v.Checks {
				want := false
				for _, id := range tt.fails {
					want = want || c.ID == id
				}
				if (c.Status == check.Fail) != want {
					t.Errorf("%s = %s (%s); want failed=%v", c.ID, c.Status, c.Message, want)
				}
			}
		})
	}
}

// seqObs are observations numbered in the order given.
type seqObs []results.Observation

// numbered gives obs the seqs 0, 1, 2, ...
func numbered(obs ...results.Observation) seqObs {
	for i := range obs {
		obs[i].Seq = uint64(i)
	}
	return obs
}

// skip moves the seqs from k on up by one: the request k was sent and is
// not observed.
func (s seqObs) skip(k uint64) seqObs {
	for i := range s {
		if s[i].Seq >= k {
			s[i].Seq++
		}
	}
	return s
}
