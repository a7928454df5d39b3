package headers

// ConventionDraft: RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset,
// the IETF draft fields up to draft 06 (tollbooth, express-rate-limit), the
// reset in delta seconds. The window comes from a RateLimit-Policy field or a
// policy list in RateLimit-Limit ("100, 100;w=60").
const ConventionDraft Convention = "ratelimit"

var draftConvention = conventionInfo{
	name:       ConventionDraft,
	names:      Names{Limit: "RateLimit-Limit", Remaining: "RateLimit-Remaining", Reset: "RateLimit-Reset"},
	reset:      ResetDeltaSeconds,
	declarable: true,
	rank:       3,
	read:       readsDraft,
}
