package headers

// ConventionStructured: the RateLimit and RateLimit-Policy structured fields of
// the IETF drafts 07 and later, the reset (t) in delta seconds.
const ConventionStructured Convention = "structured"

var structuredConvention = conventionInfo{
	name:       ConventionStructured,
	fields:     []string{"RateLimit", "RateLimit-Policy"},
	reset:      ResetDeltaSeconds,
	declarable: true,
	rank:       4,
	read:       readsStructured,
}
