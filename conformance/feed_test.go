package conformance

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/scenarios"
)

// The verdict is the same however the observations are fed: live (each to every
// checker), replayed checker by checker, or in another order.
func TestCheckSameVerdictHoweverFed(t *testing.T) {
	p := planOf(limitOf(20, time.Second, scenarios.AlgoFixedWindow), standardPhases)
	obs := serve(client(p, []string{"k1", "k2"}, jitteredLatency(5*time.Millisecond), 8),
		simFamilies[0].server(20, time.Second, faultOffByOne))
	want := Check(p, seqOf(obs))

	feeds := map[string]func() Verdict{
		"live": func() Verdict {
			j := New(p, Options{})
			for _, o := range obs {
				j.Observe(o)
			}
			return j.Verdict()
		},
		"checker by checker": func() Verdict {
			j := New(p, Options{})
			for _, c := range j.cur.checkers {
				for _, o := range obs {
					c.Observe(o)
				}
			}
			return j.Verdict()
		},
		"shuffled": func() Verdict {
			shuffled := slices.Clone(obs)
			rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			return Check(p, seqOf(shuffled))
		},
		"results asked midway": func() Verdict {
			j := New(p, Options{})
			for i, o := range obs {
				j.Observe(o)
				if i == len(obs)/2 {
					j.Verdict()
				}
			}
			return j.Verdict()
		},
	}
	for name, feed := range feeds {
		if diff := cmp.Diff(want, feed()); diff != "" {
			t.Errorf("%s: verdict mismatch (-Check +fed):\n%s", name, diff)
		}
	}
	if want.Status != check.Fail {
		t.Errorf("Verdict.Status = %s; want fail (the server is off by one)", want.Status)
	}
}
