package limiter

import (
	"encoding/binary"
	"testing"
	"time"
)

// FuzzAdmit drives every family with arbitrary configs and clocks: it must never
// panic, and every decision must be well formed.
func FuzzAdmit(f *testing.F) {
	f.Add(int64(20), int64(time.Second), int64(0), int64(0), []byte{0, 1, 2, 3, 200, 255, 7})
	f.Add(int64(5000), int64(24*time.Hour), int64(10), int64(time.Second), []byte{9, 9, 9, 9})
	f.Add(int64(1), int64(1), int64(1), int64(2), []byte{1, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, limit, window, burst, block int64, steps []byte) {
		for _, fam := range allFamilies {
			cfg := Config{Family: fam, Limit: limit, Window: time.Duration(window), Burst: burst, Block: time.Duration(block)}
			l, err := New(cfg)
			if err != nil {
				return
			}
			c := l.Cell("")
			now := t0
			end := t0.AddDate(100, 0, 0) // times must stay within UnixNano's range
			for len(steps) >= 2 && now.Before(end) {
				// at most one window per step
				now = now.Add(time.Duration(binary.LittleEndian.Uint16(steps)) * (time.Duration(window)/65536 + 1))
				steps = steps[2:]
				d := c.Admit(now)
				if d.Remaining < 0 || d.Remaining > l.Config().Capacity() {
					t.Fatalf("%+v: Remaining %d out of [0, %d]", cfg, d.Remaining, l.Config().Capacity())
				}
				if !d.Allowed && d.RetryAfter <= 0 {
					t.Fatalf("%+v: rejected with RetryAfter %v; want > 0", cfg, d.RetryAfter)
				}
				if d.ResetAt.Before(now) {
					t.Fatalf("%+v: ResetAt %v before now %v", cfg, d.ResetAt, now)
				}
			}
		}
	})
}

func BenchmarkAdmit(b *testing.B) {
	for _, f := range allFamilies {
		b.Run(f.String(), func(b *testing.B) {
			l, _ := New(Config{Family: f, Limit: 1000, Window: time.Second})
			c := l.Cell("k")
			now := t0
			for b.Loop() {
				now = now.Add(50 * time.Microsecond) // 20k req/s against 1000/s
				c.Admit(now)
			}
		})
	}
}
