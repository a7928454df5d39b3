package contract

import (
	"fmt"
	"strings"

	"github.com/ratecheck/ratecheck/scenarios"
)

// setToTest says which optional keys keep selects, left out of the run
// (their variables unset), would have let it test what it could not:
// "; the optional key "reader" (WORKSPACE_READ_KEY) would, but its variable
// was not set for this run", or "" when none would have.
func setToTest(sc *scenarios.Scenario, keep func(k scenarios.Key) bool) string {
	var names []string
	for _, k := range sc.Auth.LeftOut {
		switch {
		case !keep(k):
		case k.Env != "":
			names = append(names, fmt.Sprintf("%q (%s)", k.ID, k.Env))
		default:
			names = append(names, fmt.Sprintf("%q", k.ID))
		}
	}
	if len(names) == 0 {
		return ""
	}
	return fmt.Sprintf("; the optional key %s would, but its variable was not set for this run", strings.Join(names, " or "))
}
