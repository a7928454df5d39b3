package report_test

import (
	"fmt"
	"os"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/report"
)

func ExampleWriteJUnit() {
	r := &report.Report{
		Scenario: report.ScenarioInfo{Name: "copilot", Plan: "starter"},
		Target:   "https://api.copilot.example",
		Started:  time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC),
		Finished: time.Date(2025, 3, 1, 10, 0, 12, 0, time.UTC),
		Verdict:  check.Pass,
		Checks: []check.Result{
			{ID: check.LimitEnforced, Limit: "per-second", Status: check.Pass, Message: "never more than 20 admitted"},
			{ID: check.HeadersReset, Limit: "per-second", Status: check.Skip, Message: "no reset header declared"},
		},
	}
	if err := report.WriteJUnit(os.Stdout, r); err != nil {
		fmt.Println(err)
	}
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <testsuites name="ratecheck against https://api.copilot.example" tests="2" failures="0" errors="0" skipped="1" time="12.000">
	//   <testsuite name="ratecheck: copilot" tests="2" failures="0" errors="0" skipped="1" time="12.000" timestamp="2025-03-01T10:00:00">
	//     <properties>
	//       <property name="target" value="https://api.copilot.example"></property>
	//       <property name="builtin_target" value="false"></property>
	//       <property name="plan" value="starter"></property>
	//       <property name="verdict" value="pass"></property>
	//       <property name="interrupted" value="false"></property>
	//     </properties>
	//     <testcase name="limit.enforced" classname="copilot.per-second" time="0">
	//       <system-out>never more than 20 admitted</system-out>
	//     </testcase>
	//     <testcase name="headers.reset" classname="copilot.per-second" time="0">
	//       <skipped message="no reset header declared"></skipped>
	//     </testcase>
	//   </testsuite>
	// </testsuites>
}
