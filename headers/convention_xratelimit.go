package headers

// ConventionXRateLimit: X-RateLimit-Limit, X-RateLimit-Remaining and
// X-RateLimit-Reset (GitHub, Discord, go-chi/httprate, ulule/limiter, ...), the
// reset in any format (epoch seconds are the most common).
const ConventionXRateLimit Convention = "x-ratelimit"

var xRateLimitConvention = conventionInfo{
	name:       ConventionXRateLimit,
	names:      Names{Limit: "X-RateLimit-Limit", Remaining: "X-RateLimit-Remaining", Reset: "X-RateLimit-Reset"},
	declarable: true,
	rank:       2,
	read:       readsCounters,
}
