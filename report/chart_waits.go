package report

import (
	"math"
	"strconv"
	"time"

	"github.com/ratecheck/ratecheck/results/metrics"
)

// Geometry of the recovery picture, in SVG user units: a square plot.
const (
	waitWidth  = 1200
	waitHeight = 420
	waitLeft   = 80.0
	waitRight  = 460.0
	waitTop    = 16.0
	waitBottom = 396.0
)

// waitChart is the recovery picture: each 429 that said when to come back,
// its promised wait (Retry-After, Reset) up, the measured wait until its
// key's next admission across, with the diagonal where the two agree. A
// mark under the diagonal promised less than it took: a client that came
// back when told was refused again.
type waitChart struct {
	Width, Height            int
	Left, Right, Top, Bottom string
	XLabelY                  string
	Diagonal                 [4]string // x1 y1 x2 y2
	XTicks, YTicks           []tick
	Marks                    []waitMark
	RetryAfter, Reset        int // marks of each kind drawn
	Short                    int // promises shorter than the measured wait
	Unrecovered              int // 429s after which no request was admitted: not drawn
}

// waitMark is one promise of one 429.
type waitMark struct {
	Class string // "ra" (Retry-After) or "rs" (Reset)
	X, Y  string
	Title string
}

// newWaitChart lays out the recovery picture; nil when no 429 said when to
// come back.
func newWaitChart(waits []metrics.WaitPoint) *waitChart {
	if len(waits) == 0 {
		return nil
	}
	top := time.Duration(0)
	for _, w := range waits {
		if w.Recovered {
			top = max(top, w.Measured, w.RetryAfter, w.Reset)
		}
	}
	c := &waitChart{Width: waitWidth, Height: waitHeight, Left: num(waitLeft), Right: num(waitRight),
		Top: num(waitTop), Bottom: num(waitBottom), XLabelY: num(waitBottom + 8)}
	step := waitStep(top.Seconds())
	span := step * math.Ceil(top.Seconds()/step*1.02)
	if span <= 0 {
		span = step
	}
	x := func(d time.Duration) float64 { return waitLeft + d.Seconds()/span*(waitRight-waitLeft) }
	y := func(d time.Duration) float64 { return waitBottom - d.Seconds()/span*(waitBottom-waitTop) }
	for i := 0.0; i*step <= span+step/2; i++ {
		v := math.Round(i*step*1e6) / 1e6 // whole multiples, without float drift
		d := time.Duration(v * float64(time.Second))
		label := strconv.FormatFloat(v, 'f', -1, 64) + " s"
		c.XTicks = append(c.XTicks, tick{Pos: num(x(d)), Label: label})
		c.YTicks = append(c.YTicks, tick{Pos: num(y(d)), Label: label})
	}
	end := time.Duration(span * float64(time.Second))
	c.Diagonal = [4]string{num(x(0)), num(y(0)), num(x(end)), num(y(end))}
	for _, w := range waits {
		if !w.Recovered {
			c.Unrecovered++
			continue
		}
		head := "#" + strconv.FormatUint(w.Seq, 10) + " at " + fmtOffset(w.Offset) + ": "
		tail := "; the next admitted request was sent " + fmtLatency(w.Measured) + " after the 429"
		add := func(class, what string, promised time.Duration) {
			c.Marks = append(c.Marks, waitMark{Class: class, X: num(x(w.Measured)), Y: num(y(promised)), Title: head + what + " " + fmtLatency(promised) + tail})
			if promised < w.Measured {
				c.Short++
			}
		}
		if w.HasRetryAfter {
			add("ra", "Retry-After", w.RetryAfter)
			c.RetryAfter++
		}
		if w.HasReset {
			add("rs", "Reset in", w.Reset)
			c.Reset++
		}
	}
	return c
}

// waitStep is a round tick spacing (1, 2 or 5 times a power of ten) giving
// about five ticks up to top seconds.
func waitStep(top float64) float64 {
	if top <= 0 {
		return 1
	}
	raw := top / 5
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}
