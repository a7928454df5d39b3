package contract

import (
	"fmt"
	"strings"

	"github.com/ratecheck/ratecheck/scenarios"
)

// leftOut names the optional keys keep selects that the run went without
// (their environment variables were unset), as "reader (WORKSPACE_READ_KEY)",
// joined with "or"; "" when there are none.
func leftOut(sc *scenarios.Scenario, keep func(k scenarios.Key) bool) string {
	var names []string
	for _, k := range sc.Auth.LeftOut {
		if !keep(k) {
			continue
		}
		if k.Env != "" {
			names = append(names, fmt.Sprintf("%q (%s)", k.ID, k.Env))
		} else {
			names = append(names, fmt.Sprintf("%q", k.ID))
		}
	}
	return strings.Join(names, " or ")
}

// setToTest says which left-out optional key would have let the run test
// what it could not: "; the optional key "reader" (WORKSPACE_READ_KEY) would,
// but was not set", or "" when none would have.
func setToTest(sc *scenarios.Scenario, keep func(k scenarios.Key) bool) string {
	if names := leftOut(sc, keep); names != "" {
		return fmt.Sprintf("; the optional key %s would, but its variable was not set for this run", names)
	}
	return ""
}
