package headers

// ConventionXRateLimitDashed: X-Rate-Limit-Limit, X-Rate-Limit-Remaining and
// X-Rate-Limit-Reset (Twitter/X), the reset in epoch seconds.
const ConventionXRateLimitDashed Convention = "x-rate-limit"

var xRateLimitDashedConvention = conventionInfo{
	name:  ConventionXRateLimitDashed,
	names: Names{Limit: "X-Rate-Limit-Limit", Remaining: "X-Rate-Limit-Remaining", Reset: "X-Rate-Limit-Reset"},
	rank:  1,
	read:  readsCounters,
}
