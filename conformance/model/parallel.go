package model

import (
	"sync"
	"sync/atomic"

	"github.com/ratecheck/ratecheck/conformance/series"
)

// InOrder runs job(0) … job(n−1) and hands each result to fold in index
// order; when fold returns false, no later job starts and the results of
// those already running are dropped. With workers ≤ 1 it is the plain loop
// (job k, then fold k). With more, up to workers jobs run at once, each on
// its own goroutine, ahead of fold: a fold that stops early may have had a
// job or two run for nothing, and the verdict is the same either way, as
// fold sees the same results in the same order.
//
// Jobs may only read what they share (the series, the rules); what a job
// writes is its own result.
func InOrder[T any](n, workers int, job func(k int) T, fold func(k int, v T) bool) {
	if workers <= 1 || n <= 1 {
		for k := range n {
			if !fold(k, job(k)) {
				return
			}
		}
		return
	}
	results := make([]T, n)
	done := make([]chan struct{}, n)
	for k := range done {
		done[k] = make(chan struct{})
	}
	var next atomic.Int64
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() { // exits when every job has started, or fold stopped
			defer wg.Done()
			for !stop.Load() {
				k := int(next.Add(1) - 1)
				if k >= n {
					return
				}
				results[k] = job(k)
				close(done[k])
			}
		}()
	}
	defer wg.Wait()
	for k := range n {
		<-done[k]
		v := results[k]
		var zero T
		results[k] = zero // fold owns it now
		if !fold(k, v) {
			stop.Store(true)
			return
		}
	}
}

// Share readies the series for evaluations side by side: it fills the one
// cache a series has (Series.Opens, see recoveryOpeners) before they read it.
func (a *Rules) Share(all []*series.Series) {
	for _, s := range all {
		a.recoveryOpeners(s)
	}
}

// Inner is the rules for each of n evaluations run side by side: one worker
// each when there are several, so that the evaluations inside them (a window
// family's alignments) do not ask for more goroutines than there are cores.
func (a *Rules) Inner(n int) *Rules {
	if n <= 1 || a.Workers <= 1 {
		return a
	}
	r := *a
	r.Workers = 1
	return &r
}
