package response

import (
	"fmt"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/results"
)

// sighting counts the responses that carried rate-limit headers although the
// scenario promises none: they are recorded and shown in the skip reason,
// never judged.
type sighting struct {
	n     int
	conv  headers.Convention // the convention of the first such response
	sniff headers.Sniffer
}

// observe counts o when the scenario promises no rate-limit headers and o
// carries some all the same.
func (s *sighting) observe(pr *Promise, o results.Observation) {
	if pr.Scenario == nil || pr.Conv != headers.ConventionNone {
		return
	}
	c := s.sniff.Convention(o.Headers)
	if c == headers.ConventionNone {
		return
	}
	if s.n == 0 {
		s.conv = c
	}
	s.n++
}

// note adds what was seen to the reason why the check skips.
func (s *sighting) note(why string) string {
	if s.n == 0 {
		return why
	}
	return fmt.Sprintf("%s; %s carried %s headers all the same, recorded, not judged",
		why, check.Plural(s.n, "response", "responses"), s.conv)
}
