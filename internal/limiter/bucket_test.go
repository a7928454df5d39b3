package limiter

import (
	"math"
	"testing"
	"time"
)

var bucketFamilies = []Family{TokenBucket, GCRA, LeakyBucket}

// The three bucket families promise one contract: burst B, refill N per W.
func TestBucketFamilies(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		steps []step
	}{
		{"starts full, refills N/W", Config{Limit: 2, Window: time.Second, Burst: 4}, []step{
			// full again 0.5 s per missing token
			ok(0, 3, 500*ms), ok(0, 2, 1000*ms), ok(0, 1, 1500*ms), ok(0, 0, 2000*ms),
			no(0, 500*ms),
			no(250*ms, 250*ms),
			ok(500*ms, 0, 2500*ms),
			no(500*ms, 500*ms),
			ok(1750*ms, 1, 3000*ms), // 2.5 tokens: 1.5 left, full 1.25 s later
			ok(1750*ms, 0, 3500*ms),
		}},
		{"burst defaults to limit", Config{Limit: 2, Window: time.Second}, []step{
			ok(0, 1, 500*ms), ok(0, 0, time.Second), no(0, 500*ms),
		}},
		{"never more than burst", Config{Limit: 2, Window: time.Second, Burst: 2}, []step{
			ok(0, 1, 500*ms),
			ok(time.Hour, 1, time.Hour+500*ms),
			ok(time.Hour, 0, time.Hour+time.Second),
			no(time.Hour, 500*ms),
		}},
		{"fractional interval is exact", Config{Limit: 3, Window: time.Second, Burst: 1}, []step{
			ok(0, 0, 333_333_334),
			// 1/3 s is 333,333,333.3 ns: one nanosecond short of a token
			no(333_333_333, 1),
			ok(333_333_334, 0, 666_666_668), // the bucket was full: the 2 extra units are lost
		}},
		{"monthly quota does not overflow", Config{Limit: 49_999, Window: 30 * 24 * time.Hour, Burst: 49_999}, cat(
			burst(0, 3, 49_999, func(i int) time.Duration {
				// ⌈k·W/N⌉ for k missing tokens
				return time.Duration(math.Ceil(float64(i+1) * float64(30*24*time.Hour) / 49_999))
			}),
		)},
	}
	for _, tt := range tests {
		for _, f := range bucketFamilies {
			t.Run(tt.name+"/"+f.String(), func(t *testing.T) {
				cfg := tt.cfg
				cfg.Family = f
				runSteps(t, cfg, tt.steps)
			})
		}
	}
}

func TestBucketFamiliesAgree(t *testing.T) {
	// Random schedules: all three families must return identical decisions.
	for seed := range uint64(20) {
		cfgs := randomBucketConfig(seed)
		times := randomSchedule(seed, 300, cfgs.Window)
		var cells []*Cell
		for _, f := range bucketFamilies {
			c := cfgs
			c.Family = f
			cells = append(cells, mustNew(t, c).Cell(""))
		}
		for i, at := range times {
			want := cells[0].Admit(at)
			for j, c := range cells[1:] {
				if got := c.Admit(at); got != want {
					t.Fatalf("seed %d request %d: %v.Admit = %+v; %v.Admit = %+v",
						seed, i, bucketFamilies[j+1], got, bucketFamilies[0], want)
				}
			}
		}
	}
}
