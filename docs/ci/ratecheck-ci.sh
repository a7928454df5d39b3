#!/usr/bin/env bash
# ratecheck in CI: the commands the GitHub Actions workflow and the GitLab CI
# job (docs/ci/) run, as one script, so that a test can run them too
# (cmd/ratecheck/ci_test.go runs it against the built-in reference target).
#
# It runs one scenario against a target, writes the JUnit XML, the HTML report
# and the Markdown summary into $RATECHECK_OUT, appends the summary to the job
# summary file when $RATECHECK_SUMMARY names one ($GITHUB_STEP_SUMMARY), and,
# when $RATECHECK_BASE names a stored run or report.json, compares against it.
# It exits with ratecheck's status: 0 pass, 1 a check failed (or the run got
# worse than its base), 2 bad input, 3 inconclusive; the reports are written
# whatever the verdict, so the artefacts can be uploaded after a failure.
#
#   RATECHECK_SCENARIO  the scenario file (required)
#   RATECHECK_TARGET    the staging URL, or builtin (required)
#   RATECHECK_OUT       where the reports go (default ratecheck-out)
#   RATECHECK_SUMMARY   a file to append the Markdown summary to (optional)
#   RATECHECK_BASE      a run directory or report.json to compare with (optional)
#   RATECHECK           the ratecheck binary (default: ratecheck on PATH)
# API keys come from the variables the scenario names, set as CI secrets.
set -uo pipefail

scenario=${RATECHECK_SCENARIO:?set RATECHECK_SCENARIO to the scenario file}
target=${RATECHECK_TARGET:?set RATECHECK_TARGET to the staging URL, or builtin}
out=${RATECHECK_OUT:-ratecheck-out}
ratecheck=${RATECHECK:-ratecheck}

mkdir -p "$out"
"$ratecheck" run "$scenario" --target "$target" --no-tui \
	--out "$out/run" --junit "$out/junit.xml" --html "$out/report.html" --md "$out/summary.md"
status=$?

if [ -n "${RATECHECK_SUMMARY:-}" ] && [ -f "$out/summary.md" ]; then
	cat "$out/summary.md" >>"$RATECHECK_SUMMARY"
fi
if [ -n "${RATECHECK_BASE:-}" ] && [ -f "$out/run/report.json" ]; then
	"$ratecheck" compare "$RATECHECK_BASE" "$out/run" --markdown >"$out/compare.md"
	cmp_status=$?
	if [ -n "${RATECHECK_SUMMARY:-}" ]; then
		cat "$out/compare.md" >>"$RATECHECK_SUMMARY"
	fi
	if [ "$status" = 0 ] && [ "$cmp_status" != 0 ]; then
		status=$cmp_status
	fi
fi
exit "$status"
