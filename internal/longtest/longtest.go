// Package longtest gates the tests that are too slow for the default
// `go test ./...`, which must stay under 30 s on two cores. They run when
// RATECHECK_LONG=1, the step .ci/run runs after the default suite:
//
//	RATECHECK_LONG=1 go test -count=1 -timeout 20m ./...
//
// A test that sends traffic for more than a few seconds, or many runs of the
// default plan (the statistical matrix), calls Skip first. The package is for
// tests only; nothing outside a _test.go file imports it.
package longtest

import (
	"os"
	"testing"
)

// Env is the variable that turns the long tests on.
const Env = "RATECHECK_LONG"

// Enabled reports whether the long tests run (RATECHECK_LONG=1).
func Enabled() bool { return os.Getenv(Env) == "1" }

// Skip skips t unless the long tests run, saying why the test is long and how
// to run it.
func Skip(t testing.TB, why string) {
	t.Helper()
	if !Enabled() {
		t.Skipf("long test (%s): runs with %s=1, as .ci/run does", why, Env)
	}
}

// Parallel runs t in parallel with the other parallel tests, except in the
// long step: there t's load (many runs at once, a flood) would starve the
// timing-sensitive tests beside it, whose verdicts judge arrivals to
// milliseconds, so it runs alone, before the parallel tests start.
func Parallel(t *testing.T) {
	t.Helper()
	if !Enabled() {
		t.Parallel()
	}
}
