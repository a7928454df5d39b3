package matrix

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ratecheck/ratecheck/attack"
	"github.com/ratecheck/ratecheck/conformance"
	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/internal/reftarget"
	"github.com/ratecheck/ratecheck/internal/runner"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/scenarios"
)

// runOnTarget serves sc's reference target with opts on loopback, sends
// plan p at it as a run does (a, with its Target set here), and returns
// the verdict; a run cut short is an error.
func runOnTarget(ctx context.Context, sc *scenarios.Scenario, p *plan.Plan, a attack.Options, opts ...reftarget.Option) (conformance.Verdict, error) {
	tg := reftarget.New(sc, opts...)
	if err := tg.Err(); err != nil {
		return conformance.Verdict{}, err
	}
	srv := httptest.NewServer(tg)
	defer srv.Close()
	base, err := url.Parse(srv.URL)
	if err != nil {
		return conformance.Verdict{}, err
	}
	a.Target = base
	out, err := runner.Run(ctx, runner.Options{Plan: p, Attack: a})
	if err != nil {
		return conformance.Verdict{}, err
	}
	if out.Interrupted {
		return out.Verdict, fmt.Errorf("run interrupted before its plan ended")
	}
	return out.Verdict, nil
}

// runJobs runs n runs, at most concurrent at once, each by run(ctx, i), and
// returns their verdicts and errors by index. Each goroutine ends with its
// run or when ctx is done.
func runJobs(ctx context.Context, n, concurrent int, run func(ctx context.Context, i int) (conformance.Verdict, error)) ([]conformance.Verdict, []error) {
	verdicts := make([]conformance.Verdict, n)
	errs := make([]error, n)
	sem := make(chan struct{}, concurrent)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			verdicts[i], errs[i] = run(ctx, i)
		})
	}
	wg.Wait()
	return verdicts, errs
}

// checkVerdict fails t with every way v differs from w, and with every
// check of mustPass that did not pass, logging the evidence when any.
func checkVerdict(t *testing.T, v conformance.Verdict, w want, mustPass []check.ID) {
	t.Helper()
	probs, _ := w.problems(v)
	for _, c := range v.Checks {
		if slices.Contains(mustPass, c.ID) && c.Status != check.Pass {
			probs = append(probs, fmt.Sprintf("%s = %s (%s); want pass", c.ID, c.Status, c.Message))
		}
	}
	for _, p := range probs {
		t.Error(p)
	}
	if len(probs) > 0 {
		logEvidence(t, v)
	}
}

// rightTally counts, per case, the runs that came out right and all runs.
type rightTally map[string][2]int

func (r rightTally) add(name string, ok bool) {
	n := r[name]
	n[1]++
	if ok {
		n[0]++
	}
	r[name] = n
}

// log writes the table, a case a line in name order, under title.
func (r rightTally) log(t *testing.T, title string, width int) {
	t.Helper()
	var rows []string
	for name, n := range r {
		rows = append(rows, fmt.Sprintf("%-*s %d/%d right", width, name, n[0], n[1]))
	}
	slices.Sort(rows)
	t.Logf("%s:\n%s", title, strings.Join(rows, "\n"))
}
