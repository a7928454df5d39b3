// Package matrix holds no code, only tests: it drives real ratecheck runs over
// loopback against the reference target, for every limiter family × every
// injected fault, and checks that a correct limiter passes every check and that
// each fault fails exactly the check meant to catch it (issue 3), every run
// sending the default plan (plan.New, bursts included). It also shows
// that the plan's bursts expose a limiter whose check and increment race.
//
// Its runs are long tests (see internal/longtest): they run with
// RATECHECK_LONG=1, as .ci/run does, and skip in the default `go test ./...`.
// The matrix then runs every family × every fault;
// RATECHECK_MATRIX=short runs only fixed-window and token-bucket (16 runs at
// once). RATECHECK_MATRIX_RUNS=N repeats it N times and logs the outcomes per
// cell, to find flakes:
//
//	RATECHECK_LONG=1 RATECHECK_MATRIX_RUNS=10 go test ./internal/matrix -run Matrix -v -timeout 40m
//
// RATECHECK_MATRIX_PLAN=burst-over sends every paced over phase in bursts too
// (Plan.BurstOver), to measure what that costs the exact checks: it is why the
// default plan bursts in a phase of its own (see plan.New).
// RATECHECK_MATRIX_JITTER=20ms delays every request at the target by a random
// time up to that before it is decided, as a loaded server would.
//
// A cell is judged strictly: the check its fault must fail fails, or, when the
// arrival uncertainty (a loaded machine, the jitter) leaves it undecidable, it
// skips saying so and the run does not pass (INCONCLUSIVE, or failed
// elsewhere): the outcome table counts such a run as undecided. A pass, with
// ambiguous decisions or not, is a wrong cell. No latency relaxes that.
//
// Being test-only, it may import anything below cmd; nothing may import it.
package matrix
